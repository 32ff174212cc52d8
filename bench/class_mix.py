"""A realistic class for the benchmarks (issue 24): the complete answer in every form the prompts
allow, known-wrong answers, blank and half-done notebooks.

Every variant is the `tdgrade demo` complete submission (the solution's answers in the release, its
locked set-up cell kept, as a student has it) with textual edits. An edit names the exact text it
replaces, and building fails loudly when the solution no longer holds it, so a rebuilt lab cannot
silently turn a variant into a copy of the reference.

    from class_mix import build_class
    paths = build_class(lab, folder)                # {variant name: notebook path}
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat


@dataclass(frozen=True)
class Variant:
    name: str
    kind: str  # "right" (full marks expected), "wrong" (loses marks), "partial" (blank or half done)
    edits: tuple[tuple[str, str], ...] = ()  # (text in the solution, replacement), each must occur
    why: str = ""
    base: str = "complete"  # which demo submission it starts from


FM_PREP = 'x_train_prep = x_train.astype("float32") / 255.0\nx_test_prep = x_test.astype("float32") / 255.0'
FM_LABELS = "y_train_prep, y_test_prep = y_train, y_test"
FM_LOSS = 'loss_name = "sparse_categorical_crossentropy"'
FM_BATCH = "batch_size = 240"

FASHION_MNIST = (
    Variant("reference", "right", why="the solution's answers, what the compile cache is warmed with"),
    Variant("batch_256", "right", ((FM_BATCH, "batch_size = 256"),),
            "fm12 allows 240 to 299; 256, the power of two, leaves partial batches (48 000 / 256)"),
    Variant("batch_250", "right", ((FM_BATCH, "batch_size = 250"),), "divides 48 000 and 12 000: no partial batch"),
    Variant("batch_299", "right", ((FM_BATCH, "batch_size = 299"),), "the largest batch fm12 accepts"),
    Variant("one_hot", "right", ((FM_LABELS, "y_train_prep = keras.utils.to_categorical(y_train, 10)\n"
                                              "y_test_prep = keras.utils.to_categorical(y_test, 10)"),
                                 (FM_LOSS, 'loss_name = "categorical_crossentropy"')),
            "one-hot labels with categorical cross-entropy (fm11 accepts a loss consistent with the labels)"),
    Variant("logits", "wrong", (('output_activation = "softmax"', "output_activation = None"),
                                (FM_LOSS, "loss_name = keras.losses.SparseCategoricalCrossentropy(from_logits=True)")),
            "a linear output with from_logits=True: trains as well, but fm08 asks for an output that gives "
            "probabilities and fm11 for the loss's name as a string, so it loses those two (25/27); the "
            "warm-up still compiles its programs"),
    Variant("standardised", "right", ((FM_PREP, "mean, std = x_train.mean(), x_train.std()\n"
                                                'x_train_prep = ((x_train - mean) / std).astype("float32")\n'
                                                'x_test_prep = ((x_test - mean) / std).astype("float32")'),),
            "inputs standardised with the training set's statistics"),
    Variant("minus_one_one", "right", ((FM_PREP, 'x_train_prep = x_train.astype("float32") / 127.5 - 1\n'
                                                 'x_test_prep = x_test.astype("float32") / 127.5 - 1'),),
            "inputs scaled to [-1, 1]"),
    Variant("float64_inputs", "right", ((FM_PREP, "x_train_prep = x_train / 255.0\nx_test_prep = x_test / 255.0"),),
            "inputs left in float64 (numpy's default): every program compiles for another dtype"),
    Variant("functional", "right", (("model = keras.Sequential([\n    keras.Input(shape=(28, 28)),\n"
                                     "    keras.layers.Flatten(),\n    keras.layers.Dense(256, activation=\"relu\"),\n"
                                     "    keras.layers.Dense(256, activation=\"relu\"),\n"
                                     "    keras.layers.Dense(output_units, activation=output_activation),\n"
                                     "], name=\"mlp_2x256\")",
                                     "inputs = keras.Input(shape=(28, 28))\nh = keras.layers.Flatten()(inputs)\n"
                                     "h = keras.layers.Dense(256, activation=\"relu\")(h)\n"
                                     "h = keras.layers.Dense(256, activation=\"relu\")(h)\n"
                                     "outputs = keras.layers.Dense(output_units, activation=output_activation)(h)\n"
                                     "model = keras.Model(inputs, outputs, name=\"mlp_2x256\")"),),
            "the first model written with the functional API"),
    Variant("rmsprop", "right", (('optimizer="adam"', 'optimizer="rmsprop"'),), "another optimizer"),
    Variant("batch_300", "wrong", ((FM_BATCH, "batch_size = 300"),), "fm12: forgot the validation split"),
    Variant("mse_loss", "wrong", ((FM_LOSS, 'loss_name = "mse"'),), "fm11: MSE on integer labels, fit fails"),
    Variant("blank", "partial", base="blank", why="the release untouched"),
    Variant("half", "partial", base="half", why="the first half of the answers"),
)

CV_FOLDS = "folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)"
KERAS_CV = (
    Variant("reference", "right", why="the solution's answers"),
    Variant("kfold_shuffle", "right", ((CV_FOLDS, "folds = KFold(n_splits=3, shuffle=True, random_state=SEED)"),),
            "plain shuffled K-fold"),
    Variant("adam_first", "right", (('optimizer="rmsprop",\n    epochs=20', 'optimizer="adam",\n    epochs=20'),),
            "the two-layer network trained with adam"),
    Variant("blank", "partial", base="blank", why="the release untouched"),
    Variant("half", "partial", base="half", why="the first half of the answers"),
)

CLASSES = {"fashion_mnist": FASHION_MNIST, "keras_cv": KERAS_CV}


def apply(nb: nbformat.NotebookNode, variant: Variant) -> nbformat.NotebookNode:
    """The grader's own edit mechanism (`warm_plan.apply`: every occurrence, loud when absent)."""
    from tdgrade.sandbox.warm_plan import Edit, WarmRun, apply as apply_edits

    return apply_edits(nb, WarmRun(variant.name, tuple(Edit(old, new) for old, new in variant.edits)))


def build_class(lab, folder: Path, names: list[str] | None = None) -> dict[str, Path]:
    """Write each variant's notebook to folder/<variant>/<lab notebook>; {name: path}."""
    from tdgrade.demo import sample_class

    demo = {p.parent.name.split("_")[0]: p for p in sample_class(lab, folder / "demo")}
    bases = {"complete": demo["Alice Martin"], "blank": demo["Bruno Petit"], "half": demo["Chloé Durand"]}
    out = {}
    for variant in CLASSES[lab.name]:
        if names and variant.name not in names:
            continue
        nb = apply(nbformat.read(bases[variant.base], as_version=4), variant)
        path = folder / "class" / variant.name / lab.notebook_name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        out[variant.name] = path
    return out


def variant(lab_name: str, name: str) -> Variant:
    return next(v for v in CLASSES[lab_name] if v.name == name)
