"""`tdgrade check NOTEBOOK`: execute a student notebook and summarise its public tests, in French."""
import tempfile
from pathlib import Path

import nbformat

from .artifacts import export_code, load_values
from .execute import cell_errors, execute_notebook
from .hidden import Suite


def check_notebook(path: Path, profile: str = "full", timeout: int | None = None, log=print) -> int:
    """Return 0 when every public test passes, 1 otherwise (2 when the notebook cannot be read)."""
    path = Path(path)
    tests_dir = path.parent / "tests"
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same French answer
        log(f"Impossible de lire {path} comme un notebook Jupyter : {exc}")
        return 2
    if not tests_dir.is_dir():
        log(f"Dossier de tests introuvable : {tests_dir} (gardez le notebook à côté de son dossier tests/).")
        return 2
    suite = Suite.from_dir(tests_dir, include_hidden=False)
    log(f"Exécution de {path.name} (profil {profile}), cela peut prendre plusieurs minutes...")
    with tempfile.TemporaryDirectory(prefix="tdgrade-check-") as tmp:
        execute_notebook(nb, path.parent, profile=profile, timeout=timeout,
                         after=[export_code(sorted(suite.names), tmp)])
        values = load_values(Path(tmp))
    results = suite.run(values, profile)
    for error in cell_errors(nb):
        log(f"  ! erreur à l'exécution, cellule {error['cell'] + 1} : {error['ename']}: {error['evalue']}")
    for result in results:
        if result.passed:
            log(f"  ✔ {result.name}")
        else:
            message = next(c.message for c in result.cases if not c.passed)
            log(f"  ✘ {result.name} : {message}")
    passed = sum(r.passed for r in results)
    log(f"{passed}/{len(results)} questions passent leurs tests publics.")
    return 0 if passed == len(results) else 1
