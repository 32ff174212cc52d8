"""Stage 1: compile the source notebook with Otter Assign into a scratch folder."""
import contextlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AssignOutput:
    """What Otter Assign wrote: `student/` (public tests) and `autograder/` (all tests, zip)."""

    root: Path
    notebook_name: str

    @property
    def student_dir(self) -> Path:
        return self.root / "student"

    @property
    def autograder_dir(self) -> Path:
        return self.root / "autograder"

    @property
    def autograder_zip(self) -> Path:
        zips = sorted(self.autograder_dir.glob("*-autograder_*.zip"))
        if len(zips) != 1:
            raise RuntimeError(f"expected one autograder zip from Otter Assign, found {zips}")
        return zips[0]


def run_otter_assign(source_notebook: Path, scratch: Path) -> AssignOutput:
    """Run Otter Assign quietly; raise with its log if it fails."""
    from otter.assign import main as otter_assign

    log = io.StringIO()
    handler = logging.StreamHandler(log)
    otter_logger = logging.getLogger("otter")
    otter_logger.addHandler(handler)
    try:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            otter_assign(str(source_notebook), str(scratch), no_pdfs=True, no_run_tests=True)
    except Exception as exc:
        raise RuntimeError(f"Otter Assign failed on {source_notebook}: {exc}\n{log.getvalue()}") from exc
    finally:
        otter_logger.removeHandler(handler)
    return AssignOutput(scratch, source_notebook.name)
