"""Hand-written keras_cv answers for the similarity tests: two students who worked on their own
(`INDEPENDENT_A`, `INDEPENDENT_B`) and a copy of B with renamed variables, edited comments and its
cells in another order (`COPY_OF_B`). One string per answer cell of the release notebook, in order:
cv01, cv02, cv03, cv04 (search), cv04 (test). Never executed: similarity reads the source.
"""

INDEPENDENT_A = [
    '''def build_mlp(n_hidden=1, hidden_units=32, meta=None):
    n_in, n_out = meta["n_features_in_"], meta["n_classes_"]
    layers = [keras.layers.Input((n_in,))]
    layers += [keras.layers.Dense(hidden_units, activation="relu") for i in range(n_hidden)]
    layers.append(keras.layers.Dense(n_out, activation="softmax"))
    return keras.Sequential(layers)


clf = KerasClassifier(build_mlp, loss="sparse_categorical_crossentropy", optimizer="rmsprop",
                      model__hidden_units=32, model__n_hidden=1, verbose=0)
''',
    '''X = X_digits / 16
X_train, X_test, y_train, y_test = train_test_split(X, y_digits, train_size=0.75,
                                                    random_state=SEED, stratify=y_digits)
clf_2layers = KerasClassifier(build_mlp, loss="sparse_categorical_crossentropy", optimizer="rmsprop",
                              model__n_hidden=2, model__hidden_units=64, epochs=20, batch_size=32, verbose=0)
clf_2layers.fit(X_train, y_train)
holdout_score = clf_2layers.score(X_test, y_test)
holdout_score
''',
    '''splitter = StratifiedKFold(3, shuffle=True, random_state=SEED)
means = {}
cv_scores = {}
for opt in ("rmsprop", "sgd"):
    est = clone(clf_2layers)
    est.set_params(optimizer=opt)
    cv_scores[opt] = cross_val_score(est, X_train, y_train, cv=splitter)
    means[opt] = cv_scores[opt].mean()
best_optimizer = "rmsprop" if means["rmsprop"] >= means["sgd"] else "sgd"
print(means, best_optimizer)
''',
    '''(X_boston_train, y_boston_train), (X_boston_test, y_boston_test) = dataset_utils.load_boston_housing()


def build_regressor(n_hidden=1, hidden_units=32, meta=None):
    net = keras.Sequential([keras.layers.Input((meta["n_features_in_"],))])
    for i in range(n_hidden):
        net.add(keras.layers.Dense(hidden_units, activation="relu"))
    net.add(keras.layers.Dense(1))
    return net


reg = KerasRegressor(build_regressor, loss="mse", epochs=50, batch_size=32, verbose=0)
wrapped = TransformedTargetRegressor(regressor=reg, transformer=StandardScaler())
grid = {"regressor__model__n_hidden": [1, 2, 3], "regressor__model__hidden_units": [16, 64],
        "regressor__optimizer": ["adam", "rmsprop"]}
boston_search = GridSearchCV(wrapped, grid, cv=KFold(4, shuffle=True, random_state=SEED))
boston_search.fit(X_boston_train, y_boston_train)
best_params = boston_search.best_params_
''',
    '''boston_test_pred = boston_search.best_estimator_.predict(X_boston_test)
boston_test_mae = mean_absolute_error(y_boston_test, boston_test_pred)
baseline = LinearRegression()
baseline.fit(X_boston_train, y_boston_train)
linreg_test_mae = mean_absolute_error(y_boston_test, baseline.predict(X_boston_test))
boston_test_mae, linreg_test_mae
''',
]

INDEPENDENT_B = [
    '''def build_mlp(n_hidden=1, hidden_units=32, meta=None):
    # entrée -> couches cachées relu -> softmax
    inputs = keras.Input(shape=(meta["n_features_in_"],))
    x = inputs
    for k in range(n_hidden):
        x = keras.layers.Dense(hidden_units, activation="relu", name=f"cachee_{k}")(x)
    outputs = keras.layers.Dense(meta["n_classes_"], activation="softmax", name="sortie")(x)
    return keras.Model(inputs, outputs)


def make_classifier(**extra):
    settings = dict(model=build_mlp, loss="sparse_categorical_crossentropy", optimizer="rmsprop", verbose=0)
    settings.update(extra)
    return KerasClassifier(**settings)


clf = make_classifier(model__n_hidden=1, model__hidden_units=32)
''',
    '''pixels = np.asarray(X_digits, dtype="float32") * (1.0 / 16.0)
parts = train_test_split(pixels, y_digits, test_size=0.25, stratify=y_digits, random_state=SEED)
X_train, X_test, y_train, y_test = parts
clf_2layers = make_classifier(model__n_hidden=2, model__hidden_units=64, epochs=20, batch_size=32)
history_log = clf_2layers.fit(X_train, y_train).history_
holdout_score = float(clf_2layers.score(X_test, y_test))
print("précision test = %.4f, dernière perte = %.4f" % (holdout_score, history_log["loss"][-1]))
''',
    '''def compare_optimizers(base, names, X, y, n_folds=3):
    results = {}
    for name in names:
        model_copy = clone(base).set_params(optimizer=name)
        kfold = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=SEED + 1)
        results[name] = np.array(cross_val_score(model_copy, X, y, cv=kfold, n_jobs=1))
        print(name, "->", np.round(results[name], 4), "moyenne", round(results[name].mean(), 4))
    return results


cv_scores = compare_optimizers(clf_2layers, ["sgd", "rmsprop"], X_train, y_train, n_folds=5)
ranking = sorted(cv_scores, key=lambda name: -np.mean(cv_scores[name]))
best_optimizer = ranking[0]
''',
    '''(X_boston_train, y_boston_train), (X_boston_test, y_boston_test) = dataset_utils.load_boston_housing()


def build_regressor(n_hidden=1, hidden_units=32, meta=None):
    inputs = keras.Input(shape=(meta["n_features_in_"],))
    x = inputs
    for k in range(n_hidden):
        x = keras.layers.Dense(hidden_units, activation="relu", name=f"cachee_{k}")(x)
    return keras.Model(inputs, keras.layers.Dense(1, name="prix")(x))


target_scaled = TransformedTargetRegressor(
    regressor=KerasRegressor(model=build_regressor, loss="mse", epochs=50, batch_size=32, verbose=0),
    transformer=StandardScaler())
search_space = {"regressor__model__n_hidden": list(range(1, 4)),
                "regressor__model__hidden_units": [8, 32, 128],
                "regressor__optimizer": ["sgd", "adam", "rmsprop"]}
folds_boston = KFold(n_splits=5, shuffle=True, random_state=SEED + 7)
boston_search = GridSearchCV(target_scaled, search_space, cv=folds_boston, scoring="neg_mean_absolute_error",
                             n_jobs=1, refit=True, return_train_score=True)
boston_search.fit(X_boston_train, y_boston_train)
best_params = dict(boston_search.best_params_)
results_table = pd.DataFrame(boston_search.cv_results_).sort_values("rank_test_score").head(5)
''',
    '''boston_test_pred = np.ravel(boston_search.predict(X_boston_test))
boston_test_mae = float(np.mean(np.abs(boston_test_pred - y_boston_test)))
linreg_test_mae = float(np.mean(np.abs(
    LinearRegression().fit(X_boston_train, y_boston_train).predict(X_boston_test) - y_boston_test)))
print("MAE réseau : %.3f k$ | MAE linéaire : %.3f k$" % (boston_test_mae, linreg_test_mae))
''',
]


def _rename(source: str) -> str:
    """Every name B chose (not the ones the prompt imposes), replaced as a copier would."""
    for old, new in (("make_classifier", "fabrique_clf"), ("settings", "reglages"), ("extra", "autres"),
                     ("inputs", "entree"), ("outputs", "sortie_reseau"), ("pixels", "images"),
                     ("parts", "morceaux"), ("history_log", "journal"), ("compare_optimizers", "tester_optims"),
                     ("model_copy", "copie"), ("kfold", "decoupe"), ("results", "resultats"),
                     ("ranking", "classement"), ("target_scaled", "modele_cible"), ("search_space", "grille"),
                     ("folds_boston", "plis"), ("results_table", "tableau"), ("n_folds", "nb_plis")):
        source = source.replace(old, new)
    return source.replace("# entrée -> couches cachées relu -> softmax", "# mon réseau")


# Cells moved around: the optimizer comparison now sits in the first answer cell, the two cv04
# cells are swapped, and the classifier factory moved down into the cv02 cell.
_b = [_rename(s) for s in INDEPENDENT_B]
_factory = _b[0].index("def fabrique_clf")
COPY_OF_B = [_b[2], _b[0][_factory:] + "\n\n" + _b[1], _b[0][:_factory], _b[4], _b[3]]


# Written answers (fashion_mnist), question id -> text: two students on their own, and a copy of the
# first one with a few words changed and its sentences in another order.
ANSWERS_A = {
    "fm08": "Il faut dix neurones en sortie, un par catégorie de vêtement. L'activation softmax transforme "
            "les scores en probabilités positives dont la somme vaut un, ce qui permet de lire directement la "
            "classe la plus probable et de l'entraîner avec l'entropie croisée.",
    "fm14": "Le taux d'erreur sur le test est un peu plus élevé que sur la validation, mais l'écart reste "
            "faible : le modèle généralise correctement. Pour ce réseau, au-delà d'une dizaine d'époques la "
            "perte de validation remonte, signe d'un début de surapprentissage.",
}
ANSWERS_B = {
    "fm08": "Une couche Dense de 10 unités car on a 10 classes possibles. On choisit softmax : chaque sortie "
            "devient une probabilité et on prend l'argmax pour prédire ; c'est cohérent avec la perte "
            "sparse_categorical_crossentropy utilisée avec des étiquettes entières.",
    "fm14": "On observe environ 11 % d'erreurs en test contre 10 % en validation. Les deux chiffres sont "
            "proches donc il n'y a pas de gros surapprentissage ; je garderais environ 8 époques car ensuite "
            "la courbe de validation stagne alors que l'apprentissage continue de baisser.",
}
ANSWERS_COPY_OF_A = {
    "fm08": "L'activation softmax transforme les scores en probabilités positives dont la somme fait un, ce "
            "qui permet de lire directement la classe la plus probable et de l'entraîner avec l'entropie "
            "croisée. Il faut donc dix neurones en sortie, un par catégorie de vêtements.",
    "fm14": "Le taux d'erreur en test est un peu plus haut que sur la validation, mais l'écart reste "
            "faible : notre modèle généralise correctement. Pour ce réseau, après une dizaine d'époques la "
            "perte de validation remonte, signe d'un début de surapprentissage.",
}
