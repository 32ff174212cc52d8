"""Keras configurations read without importing TensorFlow.

Keras' serialiser asks whether TensorFlow is importable (`tf.available`, to recognise a
`tf.TensorShape`) and that question imports it. In a kernel on the JAX backend (fashion_mnist under
otter or nbgrader, where hidden tests run in the student's kernel) the import costs ~3 s and prints
TensorFlow's C++ start-up lines on stderr, which nbgrader counts as a failed test cell. While
TensorFlow is not imported no value can hold a TensorFlow object, so "not available" is the exact
answer for that call; Keras' cached answer is restored afterwards. If Keras' internals move, the
call simply probes as before.
"""
import contextlib
import sys


@contextlib.contextmanager
def tensorflow_probe_off():
    probe, saved = None, None
    if "tensorflow" not in sys.modules:
        candidate = getattr(sys.modules.get("keras.src.utils.module_utils"), "tensorflow", None)
        if candidate is not None and hasattr(candidate, "_available"):
            probe, saved = candidate, candidate._available
            probe._available = False
    try:
        yield
    finally:
        if probe is not None:
            probe._available = saved


def layer_config(layer) -> dict:
    with tensorflow_probe_off():
        return dict(layer.get_config())


def compile_config(model):
    with tensorflow_probe_off():
        return model.get_compile_config()
