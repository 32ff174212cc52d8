"""tdgrade: autograded deep-learning labs, from one source notebook to grades.

Pipeline: source -> build -> release/autograder/solutions;
submission -> sandbox -> artifacts -> hidden tests -> gradebook -> report.
"""

__version__ = "0.1.0"
