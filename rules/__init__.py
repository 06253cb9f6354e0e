"""Domain rules with no database and no web framework: field validation, lifetimes, the FR/EN
text rule. Everything else (models, inventory, admin, charte, api) may import them."""
