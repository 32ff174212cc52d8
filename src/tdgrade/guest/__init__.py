"""Code that runs INSIDE the sandbox or the student's kernel, never in the grader.

`runner.py` executes one notebook in the sandbox; `export.py` is sent as source into the student's
kernel to hand the graded values over. Both are bound or sent as single files, so they import nothing
from tdgrade (a test enforces it): only the standard library and what the notebook itself uses.
"""
