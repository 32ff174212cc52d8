"""Support module of the fake lab (a release helper the notebook imports)."""
NUMBERS = list(range(1, 101))
WORDS = ["souris", "chat", "chien"]
