"""Large exported arrays read block by block (`tdgrade_checks.mapped`, issue 24 part 4): the same
numbers as numpy's indexing, a read-only mapping from `LazyValues`, and only a block of the file
resident at a time."""
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from check_helpers import preprocessing_outcome

from tdgrade.artifacts import MAP_FROM, LazyValues, export_code
from tdgrade_checks import images, mapped


@pytest.fixture
def on_disk(tmp_path):
    """(a read-only mapping, the same array in memory) of 5,000 rows of 784 float32."""
    array = np.random.default_rng(3).random((5000, 784), dtype=np.float32)
    np.save(tmp_path / "x.npy", array)
    return np.load(tmp_path / "x.npy", mmap_mode="r"), array


@pytest.mark.parametrize("block_bytes", [1, 3136 * 7, mapped.BLOCK_BYTES])
def test_take_gives_numpys_rows_for_masks_and_increasing_indices(on_disk, block_bytes, monkeypatch):
    monkeypatch.setattr(mapped, "BLOCK_BYTES", block_bytes)
    x, array = on_disk
    rng = np.random.default_rng(0)
    mask = rng.random(len(array)) < 0.1
    for rows in (mask, np.flatnonzero(mask), images.sample_rows(len(array), 300), np.array([0, 0, 4999]),
                 np.zeros(len(array), dtype=bool), np.array([], dtype=int)):
        got = mapped.take(x, rows)
        assert type(got) is np.ndarray and np.array_equal(got, array[rows]), rows[:5]


def test_take_leaves_other_indexing_to_numpy(on_disk):
    x, array = on_disk
    for rows in (np.array([7, 3, 5]), np.array([-1, 2]), np.array([[1, 2]])):
        assert np.array_equal(mapped.take(x, rows), array[rows])
    for rows in (np.array([1, 5000]), np.ones(3, dtype=bool), np.array([0.5])):
        with pytest.raises(IndexError):
            mapped.take(x, rows)
    plain = mapped.take(array, np.array([3, 1]))
    assert np.array_equal(plain, array[[3, 1]])


def test_only_read_only_mappings_are_handed_back(on_disk, tmp_path):
    x, array = on_disk
    assert mapped.read_only_map(x) is not None
    assert mapped.read_only_map(np.asarray(x).reshape(-1)[10:20]) is not None  # views keep their mapping
    assert mapped.read_only_map(array) is None
    writable = np.load(tmp_path / "x.npy", mmap_mode="c")
    writable[0, 0] = 42.0
    assert mapped.read_only_map(writable) is None
    mapped.release(writable)  # a copy-on-write mapping keeps what was written to it
    assert writable[0, 0] == 42.0
    assert list(mapped.row_blocks(array)) == [(0, len(array))]
    assert len(list(mapped.row_blocks(x, 3136 * 1000))) == 5


def test_lazy_values_map_large_arrays_read_only(tmp_path):
    namespace = {"big": np.arange(MAP_FROM // 8 + 10, dtype=np.float64), "small": np.arange(5)}
    exec(export_code(list(namespace), str(tmp_path / "values")), namespace)
    values = LazyValues(tmp_path / "values")
    big = values["big"]
    assert mapped.read_only_map(big) is not None and not big.flags.writeable
    assert np.array_equal(big, namespace["big"])
    assert values["small"].flags.writeable


def test_checks_answer_the_same_on_a_mapped_array(tmp_path):
    rng = np.random.default_rng(5)
    x_train = rng.integers(0, 256, (4000, 784), dtype=np.uint8)
    x_test = rng.integers(0, 256, (700, 784), dtype=np.uint8)
    y_train = rng.integers(0, 10, 4000)
    cases = {"unit": (x_train / 255, x_test / 255), "unscaled": (x_train * 1.0, x_test * 1.0),
             "test stats": ((x_train - 100.0) / 70, (x_test - x_test.mean()) / x_test.std()),
             "shuffled": (x_train[::-1] / 255, x_test / 255)}

    def mapped_copy(array, name):
        np.save(tmp_path / f"{name}.npy", array)
        return np.load(tmp_path / f"{name}.npy", mmap_mode="r")

    answers = set()
    for label, (train, test) in cases.items():
        for dtype in (np.float32, np.float64):
            train_d, test_d = train.astype(dtype), test.astype(dtype)
            arrays = [mapped_copy(a, f"{label}-{dtype.__name__}-{i}") for i, a in enumerate((x_train, train_d, x_test, test_d))]
            answer = preprocessing_outcome(*arrays)
            assert answer == preprocessing_outcome(x_train, train_d, x_test, test_d), (label, dtype)
            answers.add(answer)
            assert np.array_equal(images.rows_of_class(arrays[1], y_train, 2, ("x", "y")),
                                  images.rows_of_class(train_d, y_train, 2, ("x", "y")))
    assert None in answers and len(answers) >= 3


@pytest.mark.parametrize("shape", [(20000, 784), (600, 64)])
def test_float64_mean_std_are_numpys_bit_for_bit(shape):
    x = np.random.default_rng(sum(shape)).random(shape) * 2.5 - 0.7
    assert images._mean_std(x) == (x.mean(), x.std())


READ_ONE_CLASS = textwrap.dedent("""\
    import json, sys
    import numpy as np
    from tdgrade_checks import mapped

    def hwm():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) * 1024
    x = np.load(sys.argv[1], mmap_mode="r")
    mask = np.arange(len(x)) % 10 == 3
    before = hwm()
    rows = mapped.take(x, mask) if sys.argv[2] == "take" else np.asarray(x[mask])
    print(json.dumps({"grew": hwm() - before, "rows": len(rows)}))
    """)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM is Linux's")
def test_reading_one_row_in_ten_keeps_only_a_block_resident(tmp_path):
    # 128-float rows: every 4 KiB page holds a selected row, so indexing touches the whole file
    np.save(tmp_path / "x.npy", np.ones((250_000, 128), dtype=np.float32))  # 128 MB
    file_bytes = 250_000 * 128 * 4
    script = tmp_path / "read.py"
    script.write_text(READ_ONE_CLASS)

    def grew(how):
        out = subprocess.run([sys.executable, str(script), str(tmp_path / "x.npy"), how], capture_output=True,
                             text=True, check=True)
        return json.loads(out.stdout)

    taken, indexed = grew("take"), grew("index")
    assert taken["rows"] == indexed["rows"] == 25_000
    # the rows read (12.8 MB), their copy while joined and one block: far below the file
    assert taken["grew"] < 0.3 * file_bytes, taken
    assert indexed["grew"] > 0.8 * file_bytes, indexed  # what numpy's own indexing keeps resident
