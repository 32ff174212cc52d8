"""Helpers every layer shares: atomic files (`files`), ids from names (`ids`), French numbers (`french`).

They import nothing of tdgrade, so any layer may use them."""
