"""The release's French README (release/LAB/README.md): install, backend, work, points, hand in.

Written from facts the build knows (the lab's points, its Keras backend, the grader's time budget),
so the README never drifts from the notebook. The Python versions and platforms are the ones
`tests/test_platform_wheels.py` resolves the release's requirements for (slow tier).
"""
from dataclasses import dataclass

from .policy import points_fr

PYTHONS = ("3.12", "3.13", "3.14")  # the current python.org release and the two before it
PLATFORMS_FR = "Windows (64 bits), macOS (processeur Apple M1 ou plus récent) ou Linux (x86_64 ou ARM 64 bits)"


@dataclass(frozen=True)
class ReadmeFacts:
    title: str
    lab: str
    notebook: str
    backend: str  # the Keras backend the set-up cell declares
    auto_points: float
    written_points: float
    time_budget_s: float  # the grader's budget for the whole notebook


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} min"


JAX_SECTION = """\
## Keras et son backend : JAX

Le TD utilise Keras 3 avec le backend **JAX**, fixé par la cellule de configuration
(`KERAS_BACKEND`), le même que pour la correction automatique et que pour l'autre TD du cours.
Pourquoi : TensorFlow n'existe pas pour Python 3.14 ; JAX s'installe partout où ce TD doit
fonctionner (Python {pythons} ; Windows, macOS, Linux) et entraîne ces petits réseaux au moins aussi
vite sur un processeur.

Vous écrivez du code Keras (`keras.layers`, `keras.ops`, `keras.utils`) et NumPy. Si un exemple
trouvé ailleurs utilise TensorFlow (`tf.…`) :

- TensorFlow n'est pas installé par `requirements.txt` : `import tensorflow` échoue ;
- `tf.random.set_seed` ne fixerait rien ici : la graine (`SEED`) est fixée par la cellule de
  configuration, ne la modifiez pas ;
- un tenseur TensorFlow (par exemple `tf.one_hot(...)`) n'est pas une réponse acceptée : donnez des
  tableaux NumPy (`keras.utils.to_categorical`, `np.eye(10)[y]`, `np.asarray(...)`).

TensorFlow reste possible (Python 3.12 ou 3.13 seulement) : `python -m pip install tensorflow`, puis
définissez `KERAS_BACKEND=tensorflow` avant de lancer Jupyter (PowerShell :
`$env:KERAS_BACKEND = "tensorflow"`). La cellule de configuration le signale ; vos résultats
peuvent alors différer un peu de ceux de la correction, qui utilise JAX.

"""

# A lab on another backend (the test fixture labs): the lab installs only where that backend does.
OTHER_SECTION = """\
## Keras et son backend : {backend}

Le TD utilise Keras 3 avec le backend `{backend}`, fixé par la cellule de configuration
(`KERAS_BACKEND`), le même que pour la correction automatique.

"""

TEMPLATE = """\
# {title}

Dossier de travail de l'étudiant·e pour le TD `{lab}`.

## Ce qu'il vous faut

Python {pythons}, sur {platforms}. Pas besoin de carte graphique. Un Mac à processeur Intel ne
convient pas (JAX n'y est plus distribué) : utilisez une machine de l'université.

## Installer

**Avec `uv` (recommandé : il télécharge lui-même une version de Python qui convient).** Installez
`uv` une fois pour toutes (voir <https://docs.astral.sh/uv/getting-started/installation/>) :

```bash
# macOS et Linux
curl -LsSf https://astral.sh/uv/install.sh | sh
```

```powershell
# Windows (PowerShell)
powershell -ExecutionPolicy ByPass -c "irm https://astral.sh/uv/install.ps1 | iex"
```

puis, dans ce dossier (mêmes commandes sur les trois systèmes) :

```bash
uv venv --python {python_default}
uv pip install -r requirements.txt
uv run jupyter lab {notebook}
```

**Avec `pip` seulement** (Python {pythons} déjà installé), dans ce dossier. macOS et Linux :

```bash
python3 -m venv .venv
. .venv/bin/activate
python3 -m pip install -r requirements.txt
```

Windows (PowerShell ; si l'activation est refusée, lancez d'abord
`Set-ExecutionPolicy -Scope CurrentUser RemoteSigned`) :

```powershell
py -3 -m venv .venv
.venv\\Scripts\\Activate.ps1
python -m pip install -r requirements.txt
```

`requirements.txt` ne contient que ce que le TD utilise : Keras et son backend, NumPy, pandas,
scikit-learn…, plus JupyterLab et de quoi exécuter `selfcheck.py`.

{backend_section}## Travailler

```bash
jupyter lab {notebook}
```

Exécutez les cellules dans l'ordre. Les deux premières cellules de code sont verrouillées : la
première prépare les vérifications (`grader`), la seconde configure l'environnement et fixe la
graine aléatoire.

Après chaque question, la cellule `grader.check("...")` lance les vérifications publiques de la
question et affiche ✔, ou ✘ suivi d'un message en français qui dit quoi corriger. Elles disent si
votre réponse existe et a la bonne forme, pas si elle est juste. `grader.check_all()` vérifie toutes
les questions d'un coup et liste les réponses rédigées encore vides (d'après la dernière sauvegarde
du notebook).

## Barème

{points_split} Chaque question indique ses points et qui la corrige.

## Rendre votre travail

- **Quoi** : le seul fichier `{notebook}`, sous ce nom (ne le renommez pas, ni zip ni PDF), avec vos
  réponses rédigées dans les cellules prévues.
- **Où et quand** : sur la page Moodle du TD, avant la date limite indiquée sur cette page.
- **Avant de rendre** : enregistrez le notebook (Ctrl+S), puis, dans ce dossier :

```bash
python3 selfcheck.py --rendu {notebook}
```

(Windows : `python selfcheck.py --rendu {notebook}` ; avec `uv` : `uv run python selfcheck.py --rendu
{notebook}`.) Comme la correction, cette commande redémarre Python et exécute tout le notebook du
début à la fin ; elle affiche sa durée (la correction accorde {budget} au notebook entier), puis
les `...` encore à remplacer, les réponses rédigées vides, les vérifications publiques qui échouent,
et finit par une ligne : prêt à rendre, ou pas encore. Cela prend plusieurs minutes : le notebook
entraîne de vrais modèles.

Sans l'option `--rendu`, la même commande exécute le notebook et affiche seulement une ligne par
question (code de sortie 1 si une vérification échoue) :

```bash
python3 selfcheck.py {notebook}
```

Ne renommez pas les variables demandées par l'énoncé : les vérifications les lisent par leur nom.
Ne modifiez ni `selfcheck.py` ni le dossier `tests/`.
"""


def render(facts: ReadmeFacts) -> str:
    section = JAX_SECTION.format(pythons=_pythons()) if facts.backend == "jax" else \
        OTHER_SECTION.format(backend=facts.backend)
    return TEMPLATE.format(
        title=facts.title, lab=facts.lab, notebook=facts.notebook, backend_section=section,
        pythons=_pythons(), python_default=PYTHONS[-1], platforms=PLATFORMS_FR,
        points_split=_points_split(facts), budget=_minutes(facts.time_budget_s))


def _points_split(facts: ReadmeFacts) -> str:
    total, auto = points_fr(facts.auto_points + facts.written_points), points_fr(facts.auto_points)
    checked = "vos variables, vérifiées par des tests cachés lors de la correction"
    if not facts.written_points:
        return f"Le TD est noté sur {total}, tous corrigés automatiquement ({checked}) ; il n'a pas de réponse rédigée."
    return (f"Le TD est noté sur {total} : {auto} pour les questions corrigées automatiquement ({checked}) et "
            f"{points_fr(facts.written_points)} pour les réponses rédigées, corrigées par l'enseignant·e.")


def _pythons() -> str:
    return f"{', '.join(PYTHONS[:-1])} ou {PYTHONS[-1]}"
