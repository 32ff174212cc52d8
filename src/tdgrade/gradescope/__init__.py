"""Files the build ships at the root of the Gradescope (otter) autograder zip.

`runner.py` becomes `tdgrade_gradescope.py` (imported by the zip's `run_otter.py`): it runs otter's
own runner with the grader's profile, grades the notebook's final values and rewrites
`results.json` in French. `install_data.py` becomes `tdgrade_install_data.py` (run by the zip's
`setup.sh`): it installs the lab's data with every file's sha256 checked. Both read
`tdgrade_gradescope.json`, written by the build (`tdgrade.compiler.gradescope_zip`, the build-time step; this package is the runner shipped in the zip).

They run on Gradescope's image, where tdgrade is not installed: they import nothing of tdgrade
(a test enforces it), only the standard library, otter and numpy.
"""
