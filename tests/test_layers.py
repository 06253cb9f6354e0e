"""The code's layers point down and its files import each other without a cycle (README, Code
map). Read from the source with ``ast``, function-level imports included, so an import hidden
inside a function to dodge a cycle fails here too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "rules",
    "models",
    "inventory",
    "scanner",
    "public",
    "charte",
    "api",
    "embed",
    "hardening",
    "account",
    "admin",
)
TOP_MODULES = ("app", "cli", "config", "extensions", "wsgi")

# What each layer may import of ours (besides itself). Everything above a line may use what is below it.
ALLOWED = {
    "rules": set(),
    "config": {"rules"},
    "extensions": set(),
    "models": {"rules"},
    "inventory": {"rules", "models"},
    "scanner": {"rules", "models", "inventory"},
    "public": {"rules", "models", "inventory"},
    "hardening": {"rules", "models", "config"},
    "account": {"rules", "models", "hardening", "config"},
    "charte": {"rules", "models", "inventory", "public", "config"},
    "api": {"rules", "models", "inventory", "public"},
    "embed": {"rules", "models", "inventory", "public", "charte"},
    "admin": {"rules", "models", "inventory", "scanner", "public", "charte", "embed", "hardening", "account", "config"},
}
OURS = set(PACKAGES) | set(TOP_MODULES)


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources():
    files = [ROOT / f"{name}.py" for name in TOP_MODULES]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return {_module_name(path): path for path in files if path.exists()}


SOURCES = _sources()


def _resolve(module, path, node):
    """The modules of ours that an import statement names."""
    names = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in SOURCES else base for alias in node.names]
    found = set()
    for name in names:
        while name and name not in SOURCES:
            name = name.rpartition(".")[0]
        if name and name.split(".")[0] in OURS:
            found.add(name)
    return found


def _graph():
    graph = {}
    for module, path in SOURCES.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        edges = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges |= _resolve(module, path, node)
        graph[module] = edges - {module}
    return graph


GRAPH = _graph()


def _layer(module):
    return module.split(".")[0]


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if _layer(m) in ALLOWED))
def test_each_module_imports_only_the_layers_below_it(module):
    upward = sorted(
        target
        for target in GRAPH[module]
        if _layer(target) != _layer(module) and _layer(target) not in ALLOWED[_layer(module)]
    )
    assert not upward, f"{module} imports {upward}, above its layer"


def test_no_two_files_import_each_other_even_through_others():
    cycles = []
    state = {}

    def visit(module, stack):
        state[module] = "open"
        stack.append(module)
        for target in sorted(GRAPH.get(module, ())):
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(cycle) for cycle in cycles)


def test_models_import_nothing_above_the_rules():
    above = {target for module in GRAPH if _layer(module) == "models" for target in GRAPH[module]}
    assert {_layer(target) for target in above} <= {"models", "rules"}


def test_the_walk_sees_the_imports_it_checks():
    # A walk that found nothing would pass everything: check it sees known arrows.
    assert "rules.validation" in GRAPH["models.inventory"]
    assert "models" in GRAPH["inventory.history"]
