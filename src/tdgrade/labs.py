"""Where a lab's source and build outputs live."""
import os
from dataclasses import dataclass
from pathlib import Path

LAB_NAMES = ("fashion_mnist", "keras_cv")


def repo_root() -> Path:
    """The project folder: $TDGRADE_ROOT, else the nearest parent of cwd holding source/, else the checkout."""
    if os.environ.get("TDGRADE_ROOT"):
        return Path(os.environ["TDGRADE_ROOT"]).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "source").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Lab:
    name: str
    root: Path

    @property
    def notebook_name(self) -> str:
        return f"{self.name}.ipynb"

    @property
    def source_dir(self) -> Path:
        return self.root / "source" / self.name

    @property
    def source_notebook(self) -> Path:
        return self.source_dir / self.notebook_name

    @property
    def release_dir(self) -> Path:
        return self.root / "release" / self.name

    @property
    def autograder_dir(self) -> Path:
        return self.root / "autograder" / self.name

    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions" / self.name

    @property
    def tests_dir(self) -> Path:
        """Hidden + public otter test files."""
        return self.autograder_dir / "tests"


def get_lab(name: str, root: Path | None = None) -> Lab:
    if name not in LAB_NAMES:
        raise SystemExit(f"unknown lab {name!r}; known labs: {', '.join(LAB_NAMES)}")
    return Lab(name, root or repo_root())
