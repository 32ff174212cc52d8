from otter.test_files import test_case

OK_FORMAT = False

name = "fm08_sortie"
points = 1

@test_case(points=0, hidden=False)
def test_fm08_defini(output_units, output_activation):
    assert output_units is not None and output_units is not ..., "`output_units` n'est pas encore défini."
    assert output_activation is not None and output_activation is not ..., "`output_activation` n'est pas encore défini."
    try:
        integral = float(int(output_units)) == float(output_units)
    except Exception:
        integral = False
    assert integral, '`output_units` doit être un entier.'
    assert isinstance(output_activation, str), "`output_activation` doit être une chaîne, le nom d'une activation Keras."

@test_case(points=1, hidden=True)
def test_fm08_sortie(output_units, output_activation):
    from tdgrade_checks import values
    assert values.as_int(output_units, 'output_units') == 10, '`output_units` : il faut un neurone de sortie par classe possible.'
    values.require(output_activation, 'output_activation')
    act = output_activation.strip().lower() if isinstance(output_activation, str) else ''
    assert act == 'softmax', '`output_activation` : la sortie doit donner une probabilité par classe, positives et de somme 1.'

