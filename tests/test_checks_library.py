"""The checker library tdgrade_checks: guest-safe, a French message on every assertion, one home
for thresholds, and shipped into each grading path (otter zip, nbgrader export, hidden process)."""
import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import tdgrade_checks
from tdgrade.compiler import compile_lab
from tdgrade.labs import Lab
from tdgrade_checks.thresholds import THRESHOLDS

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = Path(tdgrade_checks.__file__).resolve().parent
FIXTURE = Path(__file__).parent / "fixtures" / "minilab"


def _modules():
    return sorted(LIBRARY.glob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_every_assertion_has_a_message(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            assert node.msg is not None, f"{path.name}:{node.lineno}: assert without a message"
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                and getattr(node.exc.func, "id", None) == "AssertionError":
            assert node.exc.args, f"{path.name}:{node.lineno}: AssertionError without a message"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_imports_only_numpy_and_the_standard_library_at_module_level(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [] if node.level else [node.module.split(".")[0]]
        else:
            continue
        assert set(names) <= {"numpy", "inspect", "re", "hashlib", "math", "contextlib", "sys", "mmap"}, (path.name, names)
    assert "tdgrade." not in path.read_text(encoding="utf-8").replace("tdgrade_checks", "")


def test_library_imports_without_tdgrade_keras_or_sklearn():
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import pkgutil, importlib, tdgrade_checks\n"
            "for m in pkgutil.iter_modules(tdgrade_checks.__path__): importlib.import_module('tdgrade_checks.' + m.name)\n"
            "heavy = {'tdgrade', 'keras', 'tensorflow', 'sklearn', 'pandas'} & {n.split('.')[0] for n in sys.modules}\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-I", "-c", code, str(LIBRARY.parent)], check=True, capture_output=True)


def test_thresholds_equal_the_calibration_records():
    for lab, keys in THRESHOLDS.items():
        record = json.loads((ROOT / "tests" / "calibration" / f"{lab}.json").read_text())
        expected = record["thresholds"]  # written by the calibration scripts of bench/
        assert {k: {p: float(v) for p, v in d.items()} for k, d in keys.items()} == \
               {k: {p: float(v) for p, v in d.items()} for k, d in expected.items()}, lab


@pytest.fixture(scope="module")
def minilab_build(tmp_path_factory):
    _, autograder, _ = compile_lab(Lab("minilab", FIXTURE), tmp_path_factory.mktemp("build"))
    return autograder


def test_otter_zip_ships_the_library_and_its_tests_import_it(minilab_build, tmp_path):
    with zipfile.ZipFile(minilab_build / "minilab-autograder.zip") as zf:
        zf.extractall(tmp_path)
    shipped = tmp_path / "files" / "tdgrade_checks"
    for module in _modules():
        assert (shipped / module.name).read_bytes() == module.read_bytes()
    # otter's run_autograder copies files/ next to the submission, the notebook's folder; score the
    # zip's test file with otter in a clean interpreter that sees only that folder
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "from otter.test_files import ExceptionTestFile\n"
            "tf = ExceptionTestFile.from_file(sys.argv[2]); tf.run({'total': 55})\n"
            "import tdgrade_checks; assert tdgrade_checks.__file__.startswith(sys.argv[1]), tdgrade_checks.__file__\n"
            "print(tf.score, tf.possible)")
    run = subprocess.run([sys.executable, "-I", "-c", code, str(tmp_path / "files"), str(tmp_path / "tests" / "q01_somme.py")],
                         check=True, capture_output=True, text=True)
    assert run.stdout.split() == ["2.0", "2.0"] or run.stdout.split() == ["2", "2"], run.stdout


def test_nbgrader_export_ships_the_library(minilab_build):
    shipped = minilab_build / "nbgrader" / "source" / "minilab" / "tdgrade_checks"
    for module in _modules():
        assert (shipped / module.name).read_bytes() == module.read_bytes()


def test_public_cases_carry_no_points_hidden_cases_all(minilab_build):
    text = (minilab_build / "tests" / "q01_somme.py").read_text()
    assert "@test_case(points=0, hidden=False)" in text and "@test_case(points=2, hidden=True)" in text


def _question_nb(points, *test_sources):
    import nbformat

    cells = [nbformat.v4.new_raw_cell("# ASSIGNMENT CONFIG\nname: x"),
             nbformat.v4.new_raw_cell(f"# BEGIN QUESTION\nname: q1\npoints: {points}"),
             nbformat.v4.new_raw_cell("# BEGIN TESTS")]
    cells += [nbformat.v4.new_code_cell(s) for s in test_sources]
    cells += [nbformat.v4.new_raw_cell("# END TESTS"), nbformat.v4.new_raw_cell("# END QUESTION")]
    return nbformat.v4.new_notebook(cells=cells)


def test_points_policy_rejects_unweighted_parts_and_keeps_written_weights():
    from tdgrade.compiler import policy

    public = "def test_a(x):\n    assert x is not None, 'm'"
    hidden = "# HIDDEN\ndef test_b(x):\n    assert x == 1, 'm'"
    with pytest.raises(policy.PolicyError, match="merge them"):
        policy.apply_points(_question_nb(2, public, hidden, hidden.replace("test_b", "test_c")))
    weighted = '""" # BEGIN TEST CONFIG\nhidden: true\npoints: 0.5\n""" # END TEST CONFIG\ndef test_c(x):\n    pass'
    nb = _question_nb(2, public, hidden, weighted)
    policy.apply_points(nb)
    configs = [policy.split_test_cell(c.source)[0] for c in nb.cells if c.cell_type == "code"]
    assert configs == [{"hidden": False, "points": 0}, {"hidden": True, "points": 1.5}, {"hidden": True, "points": 0.5}]
    with pytest.raises(policy.PolicyError, match="no hidden"):
        policy.apply_points(_question_nb(1, public))


def test_grader_hidden_process_imports_the_library(minilab_build, tmp_path, smoke_data):
    """`tdgrade grade` (bwrap sandbox when usable, else rlimits): the minilab's hidden case imports
    tdgrade_checks, so full marks prove the hidden-test process can import it."""
    import io
    from types import SimpleNamespace

    import nbformat

    from grade_helpers import results_by_id
    from tdgrade.compiler.layout import solution_notebook
    from tdgrade.grade import grade

    release, autograder, assigned = compile_lab(Lab("minilab", FIXTURE), tmp_path / "build")
    lab = SimpleNamespace(name="minilab", release_dir=release, tests_dir=autograder / "tests",
                          notebook_name="minilab.ipynb", autograder_dir=autograder)
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(solution_notebook(assigned), folder / "alice.ipynb")
    log = io.StringIO()
    rc = grade(lab, [folder], tmp_path / "out", jobs=1, profile="smoke", timeout=120, memory="2G",
               other_labs=[], progress_stream=log, tty=False)
    assert rc == 0, log.getvalue()
    res, _ = results_by_id(tmp_path / "out")
    assert (res["alice"]["status"], res["alice"]["total"]) == ("graded", 2), res["alice"]


JAX_KERNEL_CHECKS = """
import os, sys
os.environ["KERAS_BACKEND"] = "jax"
sys.path.insert(0, SRC)
import keras
from tdgrade_checks import models, training
model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
models.check_mlp(model, "model", hidden=[8], activation="relu", dropout=None, total_params=6370)
print("loss", training.compile_settings(model, "model")["loss"])
print("imported", "tensorflow" in sys.modules)
print("MARK", file=sys.stderr, flush=True)
keras.utils.set_random_seed(0)
print("later", "tensorflow" in sys.modules)
"""


def test_checks_in_a_jax_kernel_leave_tensorflow_unimported(tmp_path):
    """Under otter and nbgrader the hidden tests run in the student's kernel. Reading a layer's or a
    compile configuration must not import TensorFlow there: ~3 s, and C++ start-up lines on stderr,
    which nbgrader counts as a failed test cell (fm09 lost its 2 points that way)."""
    pytest.importorskip("jax")
    src = str(Path(tdgrade_checks.__file__).resolve().parents[1])
    proc = subprocess.run([sys.executable, "-c", JAX_KERNEL_CHECKS.replace("SRC", repr(src))], capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "loss sparse_categorical_crossentropy" in proc.stdout
    assert "imported False" in proc.stdout, proc.stdout
    assert "later True" in proc.stdout, proc.stdout  # Keras' own answer left as it was
    before = proc.stderr.split("MARK")[0]
    assert "absl" not in before and "oneDNN" not in before, before[-2000:]


# ---------------------------------------------------------------- leaks (issue 23), numpy only
def _digits_like(rows=500, seed=0):
    import numpy as np

    raw = np.random.default_rng(seed).integers(0, 17, (rows, 64)).astype("float32")
    raw[:, 0] = 0  # a constant column, as in the digits
    return raw[: rows * 3 // 4], raw[rows * 3 // 4:]


def _standardise(train, test, rows, per_column=True):
    import numpy as np

    mean, std = (rows.mean(axis=0), rows.std(axis=0)) if per_column else (rows.mean(), rows.std())
    std = np.where(std > 0, std, 1.0)
    return ((train - mean) / std).astype("float32"), ((test - mean) / std).astype("float32")


@pytest.mark.parametrize("per_column", [True, False])
def test_scaling_statistics_must_come_from_the_training_part(per_column):
    import numpy as np

    from tdgrade_checks import leaks

    train, test = _digits_like()
    names = ("X_train", "X_test")
    leaks.check_scaled_with_training_statistics(train / 16, test / 16, names)
    leaks.check_scaled_with_training_statistics(*_standardise(train, test, train, per_column), names)
    with pytest.raises(AssertionError, match="calculée sur toutes les images"):
        leaks.check_scaled_with_training_statistics(*_standardise(train, test, np.concatenate([train, test]), per_column), names)
    own_train, _ = _standardise(train, test, train, per_column)
    _, own_test = _standardise(test, test, test, per_column)
    with pytest.raises(AssertionError, match="ses propres statistiques"):
        leaks.check_scaled_with_training_statistics(own_train, own_test, names)


def test_fold_accuracies_must_be_counts_over_training_folds():
    import numpy as np

    from tdgrade_checks import leaks

    assert {124, 125, 126, 127} <= leaks.fold_sizes(375, 3) and 167 not in leaks.fold_sizes(375, 3)
    leaks.check_folds_from_rows([("rmsprop", np.array([120, 118, 121]) / 125)], 375, "X_train", "cv_scores")
    leaks.check_folds_from_rows([("rmsprop", np.array([70, 71, 69, 72, 70]) / 75)], 375, "X_train", "cv_scores")
    one_off = np.array([120 / 125, 118 / 125, 158 / 167])  # a single fold from other rows is enough to reject
    for scores in (np.array([158, 159, 157]) / 167, np.array([0.93, 0.94, 0.95]), one_off):
        with pytest.raises(AssertionError, match="plis de `X_train` \\(375 exemples\\)"):
            leaks.check_folds_from_rows([("sgd", scores)], 375, "X_train", "cv_scores")


def test_rows_seen_reads_wrappers_scalers_searches_and_pipelines():
    from types import SimpleNamespace

    from tdgrade_checks import leaks

    wrapper = SimpleNamespace(X_shape_=(375, 64))
    scaler = SimpleNamespace(n_samples_seen_=500)
    pipeline = SimpleNamespace(get_params=lambda: {"steps": [("scaler", scaler), ("clf", wrapper)]})
    assert leaks.rows_seen(SimpleNamespace(best_estimator_=pipeline)) == [500, 375]
    target = SimpleNamespace(regressor_=SimpleNamespace(X_shape_=(404, 13)), transformer_=SimpleNamespace(n_samples_seen_=404))
    assert leaks.rows_seen(SimpleNamespace(best_estimator_=target)) == [404, 404]
    assert leaks.rows_seen(SimpleNamespace()) is None
    leaks.check_fitted_on_rows(SimpleNamespace(), "clf_2layers", 375, "X_train")  # nothing recorded: nothing to say
    leaks.check_fitted_on_rows(wrapper, "clf_2layers", 375, "X_train")
    with pytest.raises(AssertionError, match="entraîné sur 500 exemples, alors que la partie d'entraînement `X_train` en compte 375"):
        leaks.check_fitted_on_rows(SimpleNamespace(best_estimator_=pipeline), "optimizer_cv", 375, "X_train")


# ---------------------------------------------------------------- every condition, near its bar (issue 23, part 2)
# Each case is wrong by construction and rejected by one condition only; a checker whose condition
# is weakened (a dropped assert, a flipped comparison, `or` for `and`, a moved bound) lets it pass.
def _mlp(hidden=(256, 256), out=(10, "softmax"), dropout=None, use_bias=True):
    import keras

    layers = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
    for units in hidden:
        layers.append(keras.layers.Dense(units, activation="relu", use_bias=use_bias))
        if dropout is not None:
            layers.append(keras.layers.Dropout(dropout))
    return keras.Sequential(layers + [keras.layers.Dense(out[0], activation=out[1])])


@pytest.mark.parametrize("kind, message", [
    ("ten_sigmoid_outputs", "la couche de sortie ne convient pas"),
    ("nine_softmax_outputs", "la couche de sortie ne convient pas"),
    ("biases_switched_off", "le nombre de paramètres ne correspond pas"),
    ("dropout_0.2_for_0.4", "le taux de `Dropout`"),
    ("dropout_0.6_for_0.4", "le taux de `Dropout`"),
])
def test_check_mlp_rejects_each_near_miss(kind, message):
    from tdgrade_checks import models

    model = {"ten_sigmoid_outputs": lambda: _mlp(out=(10, "sigmoid")),
             "nine_softmax_outputs": lambda: _mlp(out=(9, "softmax")),
             "biases_switched_off": lambda: _mlp(use_bias=False),
             "dropout_0.2_for_0.4": lambda: _mlp(dropout=0.2),
             "dropout_0.6_for_0.4": lambda: _mlp(dropout=0.6)}[kind]()
    dropout = 0.4 if kind.startswith("dropout") else None
    total = 269322 if dropout is None else 269322  # Dropout has no parameters
    with pytest.raises(AssertionError, match=message):
        models.check_mlp(model, "model", hidden=[256, 256], dropout=dropout, total_params=total)
    models.check_mlp(_mlp(dropout=dropout), "model", hidden=[256, 256], dropout=dropout, total_params=total)


def test_an_index_equal_to_the_length_is_out_of_bounds():
    from tdgrade_checks import values

    assert list(values.indices([0, 9], "shown", 10)) == [0, 9]
    for bad in ([10], [-1], [0, 10]):
        with pytest.raises(AssertionError, match="hors du tableau"):
            values.indices(bad, "shown", 10)


@pytest.mark.parametrize("entries, declared", [(19, 20), (20, 21), (21, 20)])
def test_history_needs_both_the_epoch_count_and_the_entries(entries, declared):
    from types import SimpleNamespace

    from tdgrade_checks import training

    def history(n, epochs):
        keys = ("loss", "val_loss", "accuracy", "val_accuracy")
        return SimpleNamespace(history={k: [0.5] * n for k in keys}, params={"epochs": epochs})

    training.check_history(history(20, 20), "history", epochs=20)
    with pytest.raises(AssertionError, match="exactement 20 époques"):
        training.check_history(history(entries, declared), "history", epochs=20)


def test_a_linear_output_needs_from_logits_and_softmax_must_not_have_it():
    import numpy as np

    from tdgrade_checks import training

    labels = np.zeros(6, dtype=int)
    settings = {"loss": "sparse_categorical_crossentropy", "from_logits": False}
    training.check_classification_loss(settings, "softmax", labels, "y_train_prep", 6)
    with pytest.raises(AssertionError, match="from_logits=True"):
        training.check_classification_loss(settings, "linear", labels, "y_train_prep", 6)
    with pytest.raises(AssertionError, match="ne doit pas utiliser"):
        training.check_classification_loss({**settings, "from_logits": True}, "softmax", labels, "y_train_prep", 6)


def test_best_of_keeps_the_best_mean_not_the_first_run():
    import numpy as np

    from tdgrade_checks import estimators

    runs = [("rmsprop", np.array([0.5, 0.5, 0.5])), ("sgd", np.array([0.9, 0.8, 0.9]))]
    assert estimators.best_of(runs) == {"sgd"}
    assert estimators.best_of(list(reversed(runs))) == {"sgd"}
    assert estimators.best_of(runs + [("adam", np.array([0.9, 0.8, 0.9]))]) == {"sgd", "adam"}


def test_grid_must_cross_every_optimizer_with_every_architecture():
    from itertools import product
    from types import SimpleNamespace

    import numpy as np

    from tdgrade_checks import estimators

    def search(combos):
        params = [{"regressor__model__n_hidden": d, "regressor__model__hidden_units": w, "regressor__optimizer": o}
                  for d, w, o in combos]
        results = {"params": params, "mean_test_score": np.zeros(len(params)),
                   **{f"split{k}_test_score": np.zeros(len(params)) for k in range(3)}}
        return SimpleNamespace(cv_results_=results, n_splits_=3)

    axes, optimizers = {"n_hidden": 2, "hidden_units": 2}, ("rmsprop", "sgd")
    estimators.check_grid_covers(search(product([1, 2], [32, 64], optimizers)), "boston_search", axes, optimizers, 3)
    split = [(1, w, "rmsprop") for w in (32, 64)] + [(2, w, "sgd") for w in (32, 64)]
    with pytest.raises(AssertionError, match="croiser"):
        estimators.check_grid_covers(search(split), "boston_search", axes, optimizers, 3)


def test_test_part_must_follow_the_training_mapping_closely():
    import numpy as np

    from tdgrade_checks import images

    rng = np.random.default_rng(0)
    raw_train, raw_test = rng.integers(0, 256, (300, 784)), rng.integers(0, 256, (100, 784))
    names = ("x_train", "x_train_prep", "x_test", "x_test_prep")
    images.check_preprocessed(raw_train, raw_train / 255, raw_test, raw_test / 255, names, 784)
    # shifted by 0.01 (another offset than the training part's): ten times the tolerance
    with pytest.raises(AssertionError, match="exactement comme"):
        images.check_preprocessed(raw_train, raw_train / 255, raw_test, raw_test / 255 - 0.01, names, 784)


class _Predicts:
    """A stand-in model whose predictions are fixed: right on the first `right` examples."""

    def __init__(self, labels, right):
        import numpy as np

        guess = np.where(np.arange(len(labels)) < right, labels, (labels + 1) % 10)
        self.scores = np.eye(10, dtype="float32")[guess]

    def predict(self, x, verbose=0, batch_size=None):
        return self.scores[: len(x)]


@pytest.mark.parametrize("lab, key", [("fashion_mnist", "first_model_accuracy"), ("fashion_mnist", "trained_model_accuracy")])
@pytest.mark.parametrize("profile", ["full", "smoke"])
def test_a_model_just_below_the_calibrated_bar_fails_and_just_above_passes(lab, key, profile):
    """The bar read from the calibration record, not from thresholds.py: a bar moved in the library
    (0.585 -> 0.3) lets the half-trained model below pass, and this fails."""
    import numpy as np

    from tdgrade_checks import models, thresholds

    bar = json.loads((ROOT / "tests" / "calibration" / f"{lab}.json").read_text())["thresholds"][key][profile]
    labels = np.arange(1000) % 10
    x = np.zeros((1000, 28, 28), dtype="float32")
    below, above = _Predicts(labels, int(round((bar - 0.005) * 1000))), _Predicts(labels, int(round((bar + 0.005) * 1000)))
    current = thresholds.threshold(lab, key, profile)
    with pytest.raises(AssertionError, match="ne semble pas entraîné"):
        models.check_trained(below, "model", x, labels, current)
    models.check_trained(above, "model", x, labels, current)


# ---------------------------------------------------------------- survivors of the mutation run (bench/mutation_run.py)
def test_fitted_keras_model_needs_a_fitted_keras_network():
    """Not fitted (no `model_`, or None), or a `model_` that is not a Keras network (an object that
    predicts without layers, layers without `predict`): each fails with the "not trained" message."""
    from types import SimpleNamespace

    from tdgrade_checks import estimators

    network = SimpleNamespace(layers=[], predict=lambda x: x)
    assert estimators.fitted_keras_model(SimpleNamespace(model_=network), "clf_2layers") is network
    for estimator in (SimpleNamespace(), SimpleNamespace(model_=None), SimpleNamespace(model_=SimpleNamespace(predict=len)),
                      SimpleNamespace(model_=SimpleNamespace(layers=[]))):
        with pytest.raises(AssertionError, match="n'a pas été entraîné"):
            estimators.fitted_keras_model(estimator, "clf_2layers")


@pytest.mark.parametrize("values, standardised", [
    ([-1.0, 1.0], True),     # mean 0, standard deviation 1
    ([-0.5, 1.5], False),    # mean exactly at the tolerance (0.5)
    ([-1.5, 1.5], False),    # standard deviation 1 + the tolerance
    ([-2.0, 2.0], False),    # centred, not scaled
    ([4.0, 6.0], False),     # scaled, not centred
])
def test_global_standardisation_needs_both_mean_and_deviation_within_the_tolerance(values, standardised):
    import numpy as np

    from tdgrade_checks import leaks

    assert leaks.standardised_globally(np.array(values), 0.5) is standardised


def test_the_networks_of_build_mlp_are_found_by_the_function_s_own_name():
    """cv01 reads the networks of the fitted wrappers whose `model` is the build function, by its
    `__name__` (an exported function is a stand-in that only keeps its name)."""
    from functools import partial
    from types import SimpleNamespace

    from keras_cv_leak_cases import small_net
    from tdgrade_checks import estimators

    def named(name):
        def build(n_hidden=1, hidden_units=32, meta=None):
            return None

        build.__name__ = name
        return build

    def fitted(build, network):
        return SimpleNamespace(get_params=lambda: {"model": build, "model__n_hidden": 1, "model__hidden_units": 32}, model_=network)

    class Unreadable:
        model_ = small_net()

        def get_params(self):
            raise RuntimeError("get_params")

    sigmoid = small_net(output="sigmoid")
    sample = dict(classes=10, features=64, sample=small_net(hidden=(16, 16)), sample_name="reseau_build_mlp", sample_params=(2, 16))
    mlp = named("mlp")  # `build_mlp = mlp`: the wrappers hold a function called `mlp`
    with pytest.raises(AssertionError, match="softmax"):
        estimators.check_built_classifier(mlp, "build_mlp", {"clf": fitted(mlp, sigmoid)}, **sample)
    # a wrapper whose parameters cannot be read does not end the search
    with pytest.raises(AssertionError, match="softmax"):
        estimators.check_built_classifier(mlp, "build_mlp", {"clf": Unreadable(), "clf_2layers": fitted(mlp, sigmoid)}, **sample)
    # nameless callables (functools.partial) cannot be told apart: only the sample is judged, no crash
    assert estimators.check_built_classifier(partial(mlp), "build_mlp", {"clf": fitted(partial(mlp), sigmoid)}, **sample) == 1


def test_cv01_messages_name_the_network_its_arguments_and_what_was_found():
    from types import SimpleNamespace

    from keras_cv_leak_cases import builder_named, small_net
    from tdgrade_checks import estimators

    build = builder_named("build_mlp")
    fitted = SimpleNamespace(get_params=lambda: {"model": build, "model__n_hidden": 1, "model__hidden_units": 32},
                             model_=small_net(hidden=(32, 32)))
    right = SimpleNamespace(get_params=fitted.get_params, model_=small_net())

    def judge(sample, wrappers=None):
        return estimators.check_built_classifier(build, "build_mlp", wrappers or {}, classes=10, features=64, sample=sample,
                                                 sample_name="reseau_build_mlp", sample_params=(2, 16))

    # without a sample (a lab whose prompt has no sample cell), nothing fitted: nothing to judge
    assert estimators.check_built_classifier(build, "build_mlp", {}, classes=10, features=64) == 0
    assert judge("pas un réseau", {"clf": right}) == 1  # a sample that is no network: the fitted one is judged
    with pytest.raises(AssertionError, match="`reseau_build_mlp` doit être un modèle Keras"):
        judge(SimpleNamespace(layers=5))
    with pytest.raises(AssertionError, match=r"\(trouvé : aucune couche\)"):
        judge(SimpleNamespace(layers=[], input_shape=(None, 64)))
    with pytest.raises(AssertionError, match=r"\(trouvé : Dense, Dropout, Dense, Dropout, Dense\)"):
        judge(small_net(hidden=(16, 16), dropout=True))
    with pytest.raises(AssertionError, match=r"ne suit pas ses paramètres : `n_hidden=2` et `hidden_units=16` demandent .*le réseau en a 1 \(16\)"):
        judge(small_net(hidden=(16,)))
    with pytest.raises(AssertionError, match=r"\(dans `clf`\) ne suit pas ses paramètres : `model__n_hidden=1` et `model__hidden_units=32` .*le réseau en a 2 \(32, 32\)"):
        judge(small_net(hidden=(16, 16)), {"clf": fitted})


def test_raw_array_accepts_only_an_exact_rescale_of_the_uint8_data():
    """fm01: the raw images rescaled later in place (x / 255, x / 127.5 - 1) are the right load;
    anything more than float rounding away from it, or beyond 255, is not the raw data."""
    import hashlib

    import numpy as np

    from tdgrade_checks import values

    raw = np.arange(256, dtype=np.uint8).reshape(16, 16)
    sha = hashlib.sha256(raw.tobytes()).hexdigest()

    def check(array):
        return values.check_raw_array(array, "x_train", (16, 16), sha, "Keras", dtype="uint8")

    check(raw)
    check(raw / 255.0)
    check(raw / 127.5 - 1.0)
    off_by_a_hundredth = (raw + 0.01) / 255.0  # ten times the tolerance, in pixel units
    over = raw / 255.0
    over[0, 0] = 256 / 255.0  # 256 is no uint8 pixel
    for array in (off_by_a_hundredth, over):
        with pytest.raises(AssertionError, match="doit garder les valeurs brutes"):
            check(array)
