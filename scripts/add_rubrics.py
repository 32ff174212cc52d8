"""Write (or rewrite) the rubric cell of each manual question of source/fashion_mnist (run once by hand).

Touches only the manual questions' solution blocks: the rubric is a markdown cell starting with
`<!-- RUBRIC -->` placed just before the question's `# END SOLUTION` (format: docs/authoring.md).
Idempotent: an existing rubric cell is replaced. Usage: python3 scripts/add_rubrics.py
"""
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
MARKER = "<!-- RUBRIC -->"

RUBRICS = {
    "fm02_encodage_justification": [
        (0.5, "chaque nombre est l'intensité (niveau de gris) d'un pixel, entier de 0 à 255 (uint8)"),
        (0.5, "la cible est un entier de 0 à 9, numéro de la catégorie de vêtement"),
    ],
    "fm03_repartition_commentaire": [
        (0.5, "constate que les classes sont équilibrées (10 % chacune, même répartition en test)"),
        (0.5, "en déduit que la répartition convient : pas de classe favorisée, accuracy pertinente"),
    ],
    "fm04_images": [
        (0.5, "au moins quatre images du jeu d'entraînement affichées avec imshow"),
        (0.5, "chaque image porte en titre le nom (ou le numéro) de sa classe, exact"),
    ],
    "fm05_pretraitements": [
        (0.5, "mise à l'échelle des pixels (division par 255 ou standardisation), justifiée par l'optimisation"),
        (0.5, "mise à plat en vecteurs de 784 et/ou codage des cibles (entiers ou one-hot), justifiés"),
    ],
    "fm06_desequilibre": [
        (0.5, "découpage stratifié et/ou compensation (pondération des classes, rééchantillonnage)"),
        (0.5, "évaluation adaptée : matrice de confusion, précision/rappel/F1 par classe, pas l'accuracy seule"),
    ],
    "fm08_sortie_justification": [
        (0.5, "10 neurones : un par classe, classes mutuellement exclusives"),
        (0.5, "softmax : sorties positives de somme 1, interprétées comme des probabilités"),
    ],
    "fm10_parametres_detail": [
        (0.5, "chaque neurone a un poids par entrée plus un biais (m × n + n par couche Dense)"),
        (0.5, "détail juste couche par couche (200 960, 65 792, 2 570 ; Flatten sans paramètre)"),
    ],
    "fm11_compilation_justification": [
        (0.5, "perte : entropie croisée (sparse_categorical si cibles entières) adaptée au softmax"),
        (0.25, "optimiseur justifié (adam : pas adaptatif, converge vite sans réglage)"),
        (0.25, "mesure : accuracy, proportion d'images bien classées, pertinente car classes équilibrées"),
    ],
    "fm14_commentaire": [
        (0.5, "erreurs de test et de validation proches, erreur d'entraînement nettement plus basse"),
        (0.5, "plus de 20 epochs n'est pas judicieux : sur-apprentissage, arrêt précoce ou régularisation"),
    ],
    "fm15_commentaire": [
        (0.5, "décrit les courbes : l'entraînement progresse toujours, la validation plafonne"),
        (0.5, "identifie le sur-apprentissage (écart qui se creuse, perte de validation qui remonte)"),
    ],
    "fm16_coherence": [
        (0.5, "oui : accuracy de test proche de celle de validation de la dernière epoch"),
        (0.5, "explique : la validation estime bien la généralisation, écart dû à l'échantillonnage"),
    ],
    "fm19_commentaire": [
        (0.5, "erreurs concentrées sur les hauts (chemise, T-shirt, pull, manteau) de silhouettes proches"),
        (0.5, "explication : basse résolution, images ambiguës, le MLP ignore la structure spatiale"),
    ],
    "fm20_commentaire": [
        (0.5, "ces confusions entre formes éloignées sont rares"),
        (0.5, "explication : images atypiques (angle, contraste, cadrage), silhouette trompeuse"),
    ],
    "fm22_commentaire": [
        (0.5, "les anomalies recoupent peu ou pas les images mal classées"),
        (0.5, "explique : rareté dans la classe (forêt d'isolement) différente de proximité à une autre classe"),
    ],
    "fm23_ajouter_une_couche": [
        (0.5, "bilan chiffré : erreur de test et de validation d'environ 11 à 13 %, sur-apprentissage"),
        (0.5, "conclut qu'ajouter une couche n'est pas judicieux : la capacité n'est pas le facteur limitant"),
    ],
    "fm24_comparaison": [
        (0.5, "compare les taux d'erreur : pas de gain notable (écart de l'ordre de l'aléa)"),
        (0.5, "note le coût (paramètres, temps) et que le sur-apprentissage ne diminue pas"),
    ],
    "fm25_comparaison": [
        (0.5, "résultats peu ou pas dégradés, avec des taux d'erreur à l'appui"),
        (0.5, "conclut que le premier modèle était surdimensionné (2,3 fois moins de paramètres)"),
    ],
    "fm27_conclusion": [
        (0.5, "courbes d'entraînement et de validation plus proches, perte de validation qui ne remonte plus"),
        (0.5, "conclut que le dropout réduit le sur-apprentissage"),
    ],
    "fm28_commentaire": [
        (0.5, "impact sur les erreurs : convergence plus rapide en epochs, pas de gain net en test"),
        (0.5, "temps de calcul plus long (plus de mises à jour, moins de calcul vectorisé)"),
    ],
    "fm29_comparaison": [
        (0.5, "peu d'impact ici : taux d'erreur proches, sigmoïde un peu plus lente"),
        (0.5, "explique : saturation de la sigmoïde, différence qui compterait pour un réseau profond"),
    ],
    "fm31_bilan": [
        (0.5, "bilan appuyé sur les essais : capacité peu utile, dropout le plus utile"),
        (0.5, "choix d'un modèle justifié (erreur de test, écart entraînement/validation, coût)"),
    ],
}


def rubric_cell(question, items):
    lines = [MARKER, "**Barème (correcteur)**", ""]
    lines += [f"- {p:g} : {text}".replace(".", ",", 1) for p, text in items]
    cell = nbformat.v4.new_markdown_cell("\n".join(lines))
    cell.id = f"rubric-{question}"[:64]  # stable id: re-running the script changes nothing
    return cell


def main(lab: str = "fashion_mnist") -> None:
    path = ROOT / "source" / lab / f"{lab}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cells, question, done = [], None, set()
    for cell in nb.cells:
        head = cell.source.strip()
        if cell.cell_type == "raw" and head.startswith("# BEGIN QUESTION"):
            question = (yaml.safe_load(head.split("\n", 1)[1]) or {}).get("name")
        if cell.cell_type == "markdown" and head.startswith(MARKER):
            continue  # rewritten below
        if cell.cell_type == "raw" and head == "# END SOLUTION" and question in RUBRICS:
            cells.append(rubric_cell(question, RUBRICS[question]))
            done.add(question)
        cells.append(cell)
    missing = set(RUBRICS) - done
    if missing:
        raise SystemExit(f"questions not found in {path}: {sorted(missing)}")
    nb.cells = cells
    text = nbformat.writes(nb, version=4)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    print(f"{path}: {len(done)} rubric(s) written")


if __name__ == "__main__":
    main()
