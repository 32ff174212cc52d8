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

@test_case(points=1, hidden=True)
def test_fm03_effectifs(train_class_counts, test_class_counts, TDGRADE_PROFILE):
    from tdgrade_checks import values
    per_class = {'full': (6000, 1000), 'smoke': (600, 100)}[values.profile_of(TDGRADE_PROFILE)]
    hint = 'ne correspond pas aux effectifs réels des classes : comptez les étiquettes de la bonne partie (train ou test).'
    values.check_counts(train_class_counts, 'train_class_counts', [per_class[0]] * 10, hint)
    values.check_counts(test_class_counts, 'test_class_counts', [per_class[1]] * 10, hint)

