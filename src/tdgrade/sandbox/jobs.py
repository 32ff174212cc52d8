"""Stage 3a: what a sandboxed job sees — folders, binds, environment — with no host path in sight.

Everything the sandbox reads comes from a per-process staging folder under the system temp folder
(`Stage`): a copy of the guest code, of tdgrade and its checker library for the hidden-test process,
and hard links (or copies) of the data cache. The work folders live there too. Inside the sandbox
they appear at neutral paths (/opt/tdgrade, /sandbox/..., /tmp/keras), so `/proc/self/mountinfo`
shows neither the checkout, nor the output folder, nor the teacher's home; an editable install's
`.pth` and finder files, which name the checkout, are hidden behind /dev/null.
"""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from .. import sandbox
from . import uids

SB_WORK, SB_OUT, SB_GUEST = "/sandbox/work", "/sandbox/out", "/opt/tdgrade/guest"
SB_KERAS_HOME = "/tmp/keras"
SB_LIB = "/opt/tdgrade/lib"
JAX_CACHE = "jax-cache"  # the submission's private copy of the compile cache, in its work root


class Stage:
    """Neutral host copies of what sandboxes read, made once per grading process."""

    _lock = threading.Lock()
    _current: "Stage | None" = None

    def __init__(self):
        import tdgrade

        self.root = Path(tempfile.mkdtemp(prefix="tdgrade-stage-"))
        os.chmod(self.root, 0o711)
        src = Path(tdgrade.__file__).resolve().parent
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(src / "guest", self.root / "guest", ignore=ignore)
        shutil.copytree(src, self.root / "lib" / "tdgrade", ignore=ignore)
        shutil.copytree(src.parent / "tdgrade_checks", self.root / "lib" / "tdgrade_checks", ignore=ignore)
        self._data: dict[Path, Path] = {}
        (self.root / "work").mkdir()
        os.chmod(self.root / "work", 0o711)
        for d in (self.root, self.root / "guest", self.root / "lib"):
            for path in [d, *d.rglob("*")]:
                os.chmod(path, 0o755 if path.is_dir() else 0o644)
        atexit.register(shutil.rmtree, self.root, True)

    @classmethod
    def get(cls) -> "Stage":
        with cls._lock:
            if cls._current is None or not cls._current.root.is_dir():
                cls._current = Stage()
            return cls._current

    def datasets(self, cache: Path) -> Path:
        """`cache/datasets`, linked file by file into the stage."""
        with self._lock:
            if cache not in self._data:
                dst = self.root / "data" / str(len(self._data)) / "datasets"
                for path in sorted((cache / "datasets").rglob("*")):
                    target = dst / path.relative_to(cache / "datasets")
                    if path.is_dir():
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.link(path, target)
                    except OSError:
                        shutil.copyfile(path, target)
                for path in [dst.parent.parent, dst.parent, *([dst] + list(dst.rglob("*")))]:
                    os.chmod(path, 0o755 if path.is_dir() else 0o644)
                self._data[cache] = dst
            return self._data[cache]


def editable_traces() -> list[str]:
    """Files of the interpreter's installation that name the checkout (editable install)."""
    import site

    import tdgrade

    package = Path(tdgrade.__file__).resolve().parent
    if any(part in ("site-packages", "dist-packages") for part in package.parts):
        return []  # a regular install: nothing names a checkout
    checkout = str(package.parents[1])  # src/tdgrade -> the checkout (direct_url.json names it)
    found = []
    for d in {Path(p) for p in [*site.getsitepackages(), site.getusersitepackages()] if Path(p).is_dir()}:
        for pattern in ("*.pth", "__editable__*", "*.dist-info/direct_url.json", "*.egg-link"):
            for path in d.glob(pattern):
                try:
                    if path.is_file() and path.stat().st_size < 1 << 20 and checkout in path.read_text("utf-8", "replace"):
                        found.append(str(path))
                except OSError:
                    continue
    return found


def prepare_workdir(ctx, student_id: str, notebook_text: str, slot: int,
                    compile_cache: Path | None = None) -> tuple[Path, int | None]:
    """A fresh work folder (release helpers + the notebook, and a copy of the ready JAX compile
    cache), owned by the sandbox uid when root."""
    root = Stage.get().root / "work" / f"{student_id}-{os.getpid()}-{slot}"
    if root.exists():
        shutil.rmtree(root, ignore_errors=True)
    for d in ("work", "out", "ctl", "values", "hidden", "tmp"):
        (root / d).mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o711)
    rel = Path(ctx.release_dir)
    if rel.is_dir():  # release helpers (public tests, support modules, data files): the student's copy
        for path in sorted(rel.rglob("*")):
            r = path.relative_to(rel)
            if path.is_dir() or path.name == ctx.notebook_name and len(r.parts) == 1 or "__pycache__" in r.parts:
                continue
            (root / "work" / r).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, root / "work" / r)
    (root / "work" / ctx.notebook_name).write_text(notebook_text, encoding="utf-8")
    if compile_cache is not None:
        # A copy, never hard links: the kernel may rewrite its cache files in place, and a link
        # would carry that into the master every later submission reads.
        try:
            shutil.copytree(compile_cache, root / JAX_CACHE, copy_function=shutil.copyfile)
        except OSError:  # the master was cleared meanwhile: this submission compiles for itself
            shutil.rmtree(root / JAX_CACHE, ignore_errors=True)
    uid = None
    if ctx.mode == "bwrap" and sandbox.is_root():
        uid = uids.sandbox_uid(slot)
        for d in ("work", "out", "tmp", JAX_CACHE):
            for dirpath, _dirnames, filenames in os.walk(root / d):
                os.chown(dirpath, uid, uid)
                for f in filenames:
                    os.chown(os.path.join(dirpath, f), uid, uid)
    return root, uid


def data_binds(ctx) -> tuple[list[tuple[Path, str]], dict[str, str]]:
    """Sandbox view of the data cache: KERAS_HOME is a writable folder (keras falls back to downloading
    into /tmp/.keras when KERAS_HOME is read-only) whose `datasets` is the staged cache, read-only."""
    for d in ctx.data_dirs:
        if (Path(d) / "datasets").is_dir():
            env = {"KERAS_HOME": SB_KERAS_HOME} if ctx.kernel_env.get("KERAS_HOME") else {}
            return [(Stage.get().datasets(Path(d)), f"{SB_KERAS_HOME}/datasets")], env
    return [], {}


def compile_cache_view(root: Path, bw: bool) -> tuple[list[tuple[Path, str]], dict[str, str]]:
    """(writable bind, kernel environment) of the submission's compile-cache copy, if it has one:
    at a neutral path in the sandbox, at its host path without bwrap."""
    from .compile_cache import SB_JAX_CACHE, cache_vars

    copy = root / JAX_CACHE
    if not copy.is_dir():
        return [], {}
    return ([(copy, SB_JAX_CACHE)], cache_vars(SB_JAX_CACHE)) if bw else ([], cache_vars(str(copy)))


def kernel_env(ctx, tmp: str) -> dict[str, str]:
    from tdgrade.execute import thread_env

    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": f"{tmp}/home", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "JUPYTER_RUNTIME_DIR": f"{tmp}/jupyter/runtime", "JUPYTER_DATA_DIR": f"{tmp}/jupyter/data",
        "JUPYTER_CONFIG_DIR": f"{tmp}/jupyter/config", "IPYTHONDIR": f"{tmp}/ipython",
        "MPLCONFIGDIR": f"{tmp}/mpl", "PYTHONDONTWRITEBYTECODE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONNOUSERSITE": "1",  # no .pth the notebook could plant in ~/.local
    }
    env.update(thread_env(ctx.threads))
    env.update(ctx.kernel_env)
    return env


def hidden_env(ctx) -> dict[str, str]:
    from tdgrade.execute import thread_env

    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8", "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(thread_env(ctx.threads))
    env.update(ctx.kernel_env)
    return env
