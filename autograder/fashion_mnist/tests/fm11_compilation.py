from otter.test_files import test_case

OK_FORMAT = False

name = "fm11_compilation"
points = 1

@test_case(points=None, hidden=False)
def test_fm11_defini(model, loss_name):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(loss_name), "`loss_name` n'est pas encore défini."
    assert isinstance(loss_name, str), '`loss_name` doit être une chaîne, le nom de la fonction de perte.'
    assert not _missing(model), "`model` n'est pas encore défini."
    try:
        cfg = model.get_compile_config()
    except Exception:
        cfg = None
    assert cfg, "`model` n'est pas encore compilé : appelez `model.compile(...)`."

@test_case(points=None, hidden=True)
def test_fm11_compilation(model, loss_name, y_train_prep, TDGRADE_PROFILE):
    import re
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    profile = 'smoke' if isinstance(TDGRADE_PROFILE, str) and TDGRADE_PROFILE == 'smoke' else 'full'
    n_train = {'full': 60000, 'smoke': 6000}[profile]

    def _name(v):
        if isinstance(v, dict):
            cfg = v.get('config')
            if isinstance(cfg, str):
                v = cfg
            elif isinstance(cfg, dict) and isinstance(cfg.get('name'), str):
                v = cfg['name']
            else:
                v = v.get('class_name', '')
        if not isinstance(v, str):
            v = getattr(v, 'name', None) or getattr(v, '__name__', None) or type(v).__name__
        v = re.sub('(?<!^)(?=[A-Z])', '_', str(v)).lower() if str(v) != str(v).lower() else str(v)
        return v.replace('__', '_')

    def _flat(v):
        if isinstance(v, (list, tuple)):
            out = []
            for item in v:
                out.extend(_flat(item))
            return out
        if isinstance(v, dict) and 'class_name' not in v and ('config' not in v):
            return _flat(list(v.values()))
        return [v]
    assert not _missing(model), "`model` n'est pas encore défini."
    try:
        cfg = model.get_compile_config()
    except Exception:
        cfg = None
    assert isinstance(cfg, dict) and cfg.get('loss') is not None, "`model` n'est pas compilé avec une fonction de perte."
    loss = _name(cfg.get('loss'))
    aliases = {'sparse_categorical_crossentropy': 'sparse_categorical_crossentropy', 'categorical_crossentropy': 'categorical_crossentropy'}
    assert loss in aliases, "la fonction de perte de `model` n'est pas adaptée à une classification en plusieurs classes avec sortie softmax (l'erreur quadratique ne convient pas ici)."
    assert not _missing(y_train_prep), '`y_train_prep` (question fm07) est nécessaire pour vérifier la cohérence de la perte.'
    try:
        t = np.asarray(y_train_prep)
        one_hot = t.ndim == 2 and t.shape == (n_train, 10)
        labels = t.ndim == 1 and t.shape == (n_train,) and (t.dtype.kind in 'iuf')
    except Exception:
        raise AssertionError('`y_train_prep` (question fm07) est nécessaire pour vérifier la cohérence de la perte.')
    assert one_hot or labels, "`y_train_prep` (question fm07) doit contenir les cibles d'entraînement, entières ou en one-hot : corrigez d'abord la question fm07."
    if one_hot:
        assert loss == 'categorical_crossentropy', "avec des cibles codées en one-hot, la perte choisie n'est pas cohérente avec le codage de `y_train_prep`."
    else:
        assert loss == 'sparse_categorical_crossentropy', "avec des cibles entières (0 à 9), la perte choisie n'est pas cohérente avec le codage de `y_train_prep`."
    assert isinstance(loss_name, str) and _name(loss_name.strip()) == loss, '`loss_name` doit être le nom de la perte passée à `model.compile`.'
    metrics = [_name(m) for m in _flat(cfg.get('metrics'))]
    assert any((m in ('accuracy', 'acc', 'sparse_categorical_accuracy', 'categorical_accuracy') for m in metrics)), "`model` doit suivre l'accuracy : ajoutez-la dans `metrics` lors de la compilation."

