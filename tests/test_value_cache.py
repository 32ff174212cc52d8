"""The test value cache's key (tests/value_cache.py): any recorded version, the backend, the seed,
the source or the exporter/checker code changes the folder, so stale values are never reused."""
import dataclasses
import shutil
from pathlib import Path

import pytest

import value_cache
from value_cache import ValueCacheKey

JAX_SETUP = 'import os\nos.environ["KERAS_BACKEND"] = "jax"\nimport keras\n'
TF_SETUP = "import tensorflow as tf\nimport keras\n"


@pytest.fixture
def key():
    return ValueCacheKey.current("keras_cv", "smoke", "a" * 64, None, TF_SETUP)


def test_key_names_every_version_the_backend_and_the_code(key):
    record = key.record()
    assert set(record["versions"]) == {"keras", "jax", "jaxlib", "tensorflow", "numpy", "scikit-learn", "scikeras"}
    assert record["versions"]["numpy"] != "absent"
    assert record["backend"] == "tensorflow"
    assert ValueCacheKey.current("fashion_mnist", "smoke", "a" * 64, None, JAX_SETUP).backend == "jax"
    assert len(record["code_digest"]) == 64


@pytest.mark.parametrize("name", value_cache.VERSIONED)
def test_changing_a_recorded_version_invalidates_the_cache(key, tmp_path, name):
    """A folder filled under today's versions is not found once one version differs."""
    folder = key.folder(tmp_path)
    folder.mkdir()
    (folder / "manifest.json").write_text("{}")
    versions = dict(key.versions)
    versions[name] = versions[name] + ".post1"
    changed = dataclasses.replace(key, versions=tuple(sorted(versions.items())))
    assert changed.folder(tmp_path) != folder
    assert not (changed.folder(tmp_path) / "manifest.json").exists()
    assert key.folder(tmp_path) == folder  # the same key finds it again


@pytest.mark.parametrize("field, value", [("backend", "jax"), ("seed", 7), ("source_digest", "b" * 64),
                                          ("code_digest", "c" * 64), ("profile", "full")])
def test_every_other_component_changes_the_folder(key, tmp_path, field, value):
    assert dataclasses.replace(key, **{field: value}).folder(tmp_path) != key.folder(tmp_path)


def test_code_digest_follows_the_exporter_and_the_checkers(tmp_path):
    src = Path(value_cache.SRC)
    copy = tmp_path / "src"
    for entry in value_cache.CODE:
        target = copy / entry
        if (src / entry).is_dir():
            shutil.copytree(src / entry, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src / entry, target)
    before = value_cache.code_digest(copy)
    assert before == value_cache.code_digest(src)
    for entry in ("tdgrade/guest/encode.py", "tdgrade_checks/estimators.py", "tdgrade/artifacts.py"):
        path = copy / entry
        original = path.read_text()
        path.write_text(original + "\n# changed\n")
        assert value_cache.code_digest(copy) != before, entry
        path.write_text(original)
    assert value_cache.code_digest(copy) == before
