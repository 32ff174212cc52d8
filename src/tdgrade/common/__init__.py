"""Helpers every layer shares: atomic files (`files`), ids from names (`ids`), French numbers (`french`),
the machine's cores (`machine`), the grader's time budgets (`budgets`).

They import nothing of tdgrade, so any layer may use them."""
