"""What the hidden-test process holds (issue 24 part 4): values loaded question by question and
dropped after their last reader; no float64 copy of the whole training set in the image checks,
with the same numbers as the float64 computation they replace."""
import textwrap
import tracemalloc

import numpy as np
import pytest
from check_helpers import preprocessing_outcome

from tdgrade.artifacts import LazyValues, export_code
from tdgrade.hidden import Suite
from tdgrade_checks import images

QUESTIONS = {
    "q1_first": ("a", "big"),
    "q2_second": ("a", "b"),
    "q3_third": ("b",),
}


def _write_tests(folder, seen: dict) -> None:
    """Otter test files whose cases record the values they received (ids, by question)."""
    for question, params in QUESTIONS.items():
        args = ", ".join(params)
        record = ", ".join(f"{p!r}: id({p})" for p in params)
        (folder / f"{question}.py").write_text(textwrap.dedent(f"""\
            from otter.test_files import test_case

            OK_FORMAT = False
            name = {question!r}
            points = 1

            @test_case(points=1, hidden=False)
            def test_{question}({args}):
                import builtins
                builtins.tdgrade_seen[{question!r}] = {{{record}}}
            """), encoding="utf-8")


@pytest.fixture
def lazy_suite(tmp_path, monkeypatch):
    import builtins

    seen: dict = {}
    monkeypatch.setattr(builtins, "tdgrade_seen", seen, raising=False)
    tests, values = tmp_path / "tests", tmp_path / "values"
    tests.mkdir()
    _write_tests(tests, seen)
    namespace = {"a": np.arange(3), "big": np.zeros((100, 784), dtype=np.float32), "b": 7}
    exec(export_code(list(namespace), str(values)), namespace)
    return Suite.from_dir(tests), values, seen


class Recording(LazyValues):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.after: list[set[str]] = []

    def done_with(self, read, later) -> None:
        super().done_with(read, later)
        self.after.append(self.loaded)


def test_values_are_loaded_per_question_and_dropped_after_their_last_reader(lazy_suite):
    suite, folder, seen = lazy_suite
    values = Recording(folder)
    results = suite.run(values, "smoke")
    assert [r.passed for r in results] == [True, True, True]
    # after q1: `big` has no later reader and `a`, an array, is reloaded when read again;
    # after q2: `b` (a number) stays for q3; after q3: nothing left
    assert values.after == [set(), {"b"}, set()]
    assert seen["q2_second"]["b"] == seen["q3_third"]["b"]  # one object between its readers, as with a dict


def test_only_runs_forget_by_the_questions_run(lazy_suite):
    suite, folder, _ = lazy_suite
    values = Recording(folder)
    suite.run(values, "smoke", only=["q2_second", "q3_third"])
    assert values.after == [{"b"}, set()]


def test_keras_is_chosen_at_the_first_model_and_unread_models_are_dropped(tmp_path):
    folder = tmp_path / "values"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"m": {"t": "keras_model", "file": "m.keras"}, "n": {"t": "json", "v": 1}, '
                                          '"k": {"t": "keras_model", "file": "k.keras"}}')
    calls = []
    model = object()
    values = LazyValues(folder, before_models=lambda: calls.append(1) or {"m.keras": model, "k.keras": object()})
    assert values["n"] == 1 and calls == []  # no model read yet: Keras not imported
    assert values["m"] is model and calls == [1]
    values.done_with({"n"}, {"k"})
    assert set(values._decode.models) == {"k.keras"}
    values.done_with({"k"}, set())
    assert values._decode.models == {}  # never read: the backend choice's model is not kept alive either


@pytest.mark.parametrize("shape", [(20000, 784), (12345, 781), (600, 64)])
@pytest.mark.parametrize("spread", ["unit", "standardised"])
def test_mean_std_are_numpys_float64_ones_bit_for_bit(shape, spread):
    rng = np.random.default_rng(sum(shape))
    x = rng.random(shape, dtype=np.float32)
    if spread == "standardised":
        x = ((x - 0.31) * 3.7).astype(np.float32)
    copy = np.asarray(x, dtype=np.float64)
    mean, std = images._mean_std(x)
    assert (mean, std) == (copy.mean(), copy.std())


def test_is_scaled_sees_float32_bounds_exactly():
    # -1 - 1e-6 rounds to a float32 value below it: the bound must be compared in float64, as before
    x = np.full((10, 4), 0.5, dtype=np.float32)
    x[0, 0] = np.float32(-1 - 1.5e-6)
    x[0, 1] = 1.0
    assert images.is_scaled(x) == images.is_scaled(np.asarray(x, dtype=np.float64))


def _peak_bytes(run) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_preprocessing_check_never_copies_the_training_set_to_float64():
    rng = np.random.default_rng(0)
    # 30 000 images: a float64 copy (188 MB) outweighs the checks' fixed cost (3 000 sampled rows)
    n, features = 30000, 784
    x_train = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    x_test = rng.integers(0, 256, (2000, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, n)
    prep_train, prep_test = (x_train / np.float32(255)), (x_test / np.float32(255))
    assert prep_train.dtype == np.float32
    float64_copy = n * features * 8

    def check():
        images.check_preprocessed(x_train, prep_train, x_test, prep_test,
                                  ("x_train", "x_train_prep", "x_test", "x_test_prep"), features)
        images.check_same_order(images.rows_of_class(x_train, y_train, 3, ("x_train", "y_train")),
                                images.rows_of_class(prep_train, y_train, 3, ("x_train_prep", "y_train")),
                                "x_iso", "x_train")

    assert _peak_bytes(check) < float64_copy  # before: the raw and the preprocessed set, both as float64


def test_lean_paths_decide_as_the_float64_copies_did():
    """The checks used to convert everything to float64 first: on the float64 conversion of the same
    arrays (the unchanged path) they must give the same answer, message for message."""
    rng = np.random.default_rng(1)
    x_train = rng.integers(0, 256, (3000, 28, 28), dtype=np.uint8)
    x_test = rng.integers(0, 256, (500, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, 3000)
    mean, std = x_train.mean(), x_train.std()
    cases = {
        "unit": (x_train / 255, x_test / 255),
        "[-1, 1]": (x_train / 127.5 - 1, x_test / 127.5 - 1),
        "standardised": ((x_train - mean) / std, (x_test - mean) / std),
        "per pixel": ((x_train - x_train.mean(0)) / (x_train.std(0) + 1e-7), (x_test - x_train.mean(0)) / (x_train.std(0) + 1e-7)),
        "test stats": ((x_train - mean) / std, (x_test - x_test.mean()) / x_test.std()),
        "unscaled": (x_train * 1.0, x_test * 1.0),
        "shuffled": (x_train[::-1] / 255, x_test / 255),
        "nan": (np.where(x_train == 3, np.nan, x_train / 255), x_test / 255),
    }

    answers = set()
    for label, (train, test) in cases.items():
        train32, test32 = train.astype(np.float32), test.astype(np.float32)
        lean = preprocessing_outcome(x_train, train32, x_test, test32)
        answers.add(lean)
        assert lean == preprocessing_outcome(x_train.astype(np.float64), train32.astype(np.float64), x_test.astype(np.float64),
                               test32.astype(np.float64)), label
    assert None in answers and len(answers) >= 4  # right and several different wrong answers were compared
    for x in (x_train, x_train / np.float32(255)):
        lean = images.rows_of_class(x, y_train, 4, ("x", "y"))
        assert lean.dtype == np.float64 and np.array_equal(lean, images.rows_of_class(x.astype(np.float64), y_train, 4, ("x", "y")))
