from otter.test_files import test_case

OK_FORMAT = False

name = "fm03_repartition"
points = 1

@test_case(points=0, hidden=False)
def test_fm03_defini(train_class_counts, test_class_counts):
    import numpy as np
    for name, v in (('train_class_counts', train_class_counts), ('test_class_counts', test_class_counts)):
        assert v is not None and v is not ..., f"`{name}` n'est pas encore défini."
        assert len(np.asarray(v).ravel()) == 10, f'`{name}` doit contenir un effectif par classe (10 valeurs).'

