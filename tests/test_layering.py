"""The packages' layering and the import graph, read from the source (no module is imported).

    space     -> hub_tools             the Space uses the toolkit's leaf modules (shipped beside it)
    training  -> hub_tools             training uses the toolkit (aya's tokens, data builders, evaluation)
    hub_tools -> neither               the toolkit never imports the Space or training
    training  -> never space

Every ``import`` and ``from ... import`` counts, at module level or inside a function (a lazy import is still a
dependency). ``hub_tools/cli.py`` names its subcommands' modules as strings and imports them on demand: it is the
one composition root, and not an import statement. An import-graph scan of all four packages finds no circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("hub_tools", "training", "space", "dataset_cards")
#: package -> the other packages it may import
ALLOWED = {"hub_tools": set(), "dataset_cards": set(), "training": {"hub_tools"}, "space": {"hub_tools"}}


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module that importing ``name`` runs (``a.b.c`` -> ``a.b`` when ``c`` is a name in it)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    """The project modules ``module`` imports anywhere in its source, its own parent packages left out."""
    path = MODULES[module]
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(_resolve(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            found.update(_resolve(f"{base}.{alias.name}") for alias in node.names)
    return {name for name in found if name and name != module and not module.startswith(name + ".")}


GRAPH = {module: imports_of(module) for module in MODULES}


def _crossings() -> list[tuple[str, str]]:
    return sorted(
        (module, target)
        for module, targets in GRAPH.items()
        for target in targets
        if target.split(".")[0] != module.split(".")[0]
        and target.split(".")[0] not in ALLOWED[module.split(".")[0]]
    )


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def test_the_scan_sees_the_packages_and_their_lazy_imports():
    assert {"hub_tools.aya", "training.train", "space.chat", "hub_tools.release.push"} <= set(MODULES)
    assert "hub_tools.aya" in GRAPH["training.configs"]  # module level
    assert "hub_tools.aya" in GRAPH["training.train"]  # inside check_answer_only_loss
    assert "training.train" in GRAPH["training.tiny"]  # inside pretrain


def test_packages_import_only_the_layers_below_them():
    unexpected = _crossings()
    assert not unexpected, f"imports against the layering (space, training -> hub_tools only): {unexpected}"


def test_the_circle_finder_finds_circles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e2"}, "e2": {"e"}, "f": set()}
    assert sorted(_cycles(graph)) == [["a", "b", "c"], ["e", "e2"]]


def test_the_import_graph_has_no_circle():
    assert _cycles(GRAPH) == []


def test_aya_and_the_space_texts_are_leaves():
    """What training, export, evaluation and the Space share imports nothing of the project."""
    import sys

    for module in ("hub_tools.aya", "hub_tools.space_text", "hub_tools.data.layout"):
        assert GRAPH[module] == set(), module
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        names = {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
        assert {name.split(".")[0] for name in names} <= set(sys.stdlib_module_names) | {"__future__"}, module
