"""tdgrade_checks: the declarative checkers that hidden tests call.

A guest-safe library: it imports numpy (and keras, pandas or scikit-learn lazily, inside the
checkers that need them), never anything of tdgrade, so the same files run in the three grading
paths: tdgrade's hidden-test process, otter's Gradescope zip and the nbgrader export (the build
ships this folder into each). Every checker raises `AssertionError` with a French message that
helps the student without giving the answer away; the expected values (sizes, counts, hashes) are
parameters written in the test cells, thresholds live in `thresholds.py`.

Modules: `values` (missing values, numbers, integer arrays, indices), `thresholds`, `keras_config`
(configurations read without importing TensorFlow), `images`
(preprocessed images and labels), `models` (Keras layer stacks, accuracy), `training` (histories,
compile settings), `predictions` (predicted labels, per-class errors, confusions), `anomalies`
(IsolationForest), `estimators` (scikit-learn / scikeras estimators, cross-validation), `leaks`
(scalers, models and cross-validations that used test rows).
"""
