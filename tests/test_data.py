"""`tdgrade data`: verified offline caches, corrupt files replaced, clear error when nothing works."""
import gzip
import shutil

import numpy as np
import pytest

from tdgrade.data import fashion_mnist as fm
from tdgrade.data.idx import read_idx, write_idx


@pytest.fixture()
def mirror(tmp_path, smoke_data):
    from tdgrade.data import full_keras_home

    folder = tmp_path / "mirror"
    shutil.copytree(full_keras_home() / fm.SUBDIR, folder)
    return folder


def test_fills_cache_from_mirror_and_verifies(tmp_path, mirror, monkeypatch):
    monkeypatch.setattr(fm, "DEBIAN_DIR", tmp_path / "no-debian")
    target = fm.ensure_full(tmp_path / "home", mirror=mirror, allow_download=False, log=lambda *_: None)
    assert sorted(p.name for p in target.iterdir()) == sorted(fm.SHA256)
    assert all(fm.sha256(target / n) == h for n, h in fm.SHA256.items())


def test_truncated_cache_file_is_replaced(tmp_path, mirror, monkeypatch):
    monkeypatch.setattr(fm, "DEBIAN_DIR", tmp_path / "no-debian")
    target = fm.ensure_full(tmp_path / "home", mirror=mirror, allow_download=False, log=lambda *_: None)
    victim = target / "t10k-labels-idx1-ubyte.gz"
    victim.write_bytes(victim.read_bytes()[:100])
    said = []
    fm.ensure_full(tmp_path / "home", mirror=mirror, allow_download=False, log=said.append)
    assert fm.sha256(victim) == fm.SHA256[victim.name]
    assert any("checksum mismatch" in line for line in said)


def test_corrupt_source_is_never_used(tmp_path, mirror, monkeypatch):
    monkeypatch.setattr(fm, "DEBIAN_DIR", tmp_path / "no-debian")
    bad = mirror / "train-labels-idx1-ubyte.gz"
    bad.write_bytes(gzip.compress(b"not the data"))
    with pytest.raises(fm.DataError) as err:
        fm.ensure_full(tmp_path / "home", mirror=mirror, allow_download=False, log=lambda *_: None)
    assert "train-labels-idx1-ubyte.gz" in str(err.value)
    assert "apt-get install dataset-fashion-mnist" in str(err.value)
    assert not (tmp_path / "home" / fm.SUBDIR / "train-labels-idx1-ubyte.gz").exists()


def test_smoke_subset_is_stratified_ordered_and_reproducible(tmp_path, smoke_data):
    from tdgrade.data import full_keras_home

    full = full_keras_home() / fm.SUBDIR
    target = fm.ensure_smoke(tmp_path / "smoke", full, log=lambda *_: None)
    labels = read_idx(target / "train-labels-idx1-ubyte.gz")
    assert np.bincount(labels).tolist() == [600] * 10
    full_labels = read_idx(full / "train-labels-idx1-ubyte.gz")
    keep = fm.smoke_indices(full_labels, 600)
    assert np.all(np.diff(keep) > 0)
    assert np.array_equal(full_labels[keep], labels)


def test_idx_roundtrip(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a.gz", array)
    assert np.array_equal(read_idx(tmp_path / "a.gz"), array)


def test_keras_reads_the_cache(smoke_data):
    import subprocess
    import sys

    from tdgrade.data import kernel_env

    code = "import keras;(a,b),(c,d)=keras.datasets.fashion_mnist.load_data();print(a.shape[0],c.shape[0])"
    out = subprocess.run([sys.executable, "-c", code], env={**__import__("os").environ, **kernel_env("smoke")},
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["6000", "1000"]
