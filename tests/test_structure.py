"""The code's shape, checked: no import cycle between the portal's modules, and views that
stay views (no SQLAlchemy, no session, no other area's views). See ARCHITECTURE.md."""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PORTAL.rglob("*.py"):
        parts = path.relative_to(PORTAL.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _top_level_imports(path: Path, module: str) -> set[str]:
    """Portal modules imported when ``module`` is imported (not those imported inside functions,
    which run later and are how a real cycle is broken, with a comment saying so)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()

    def visit(nodes) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                    + ([node.module] if node.module else []))
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.add(sub if sub in MODULES else base)
            elif isinstance(node, ast.If | ast.Try):  # not functions or classes' methods
                visit(node.body)
                visit(getattr(node, "orelse", []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return {target for target in targets if target in MODULES and target != module}


def _graph() -> dict[str, set[str]]:
    return {name: _top_level_imports(path, name) for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def test_no_import_cycle_between_portal_modules():
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_cycle():
    """The check itself can fail: two modules that import each other are one group."""
    graph = {"portal.a": {"portal.b"}, "portal.b": {"portal.a"}, "portal.c": {"portal.a"}}
    assert _cycles(graph) == [["portal.a", "portal.b"]]


def _view_modules() -> dict[str, Path]:
    return {name: path for name, path in MODULES.items()
            if path.name == "views.py" or path.name.endswith("_views.py")}


def test_views_hold_no_sql_and_no_session():
    for name, path in _view_modules().items():
        text = path.read_text(encoding="utf-8")
        imports = _top_level_imports(path, name) | {
            alias.name for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Import)
            for alias in node.names}
        modules = {node.module for node in ast.walk(ast.parse(text))
                   if isinstance(node, ast.ImportFrom) and node.module}
        assert not any(m == "sqlalchemy" or m.startswith("sqlalchemy.")
                       for m in imports | modules), f"{name} imports SQLAlchemy"
        assert "db.session" not in text, f"{name} uses the database session"


def test_views_never_import_another_areas_views():
    views = _view_modules()
    for name, path in views.items():
        area = name.split(".")[1]
        for target in _top_level_imports(path, name):
            if target in views:
                assert target.split(".")[1] == area, f"{name} imports {target}"



def test_every_route_says_who_may_use_it_and_what_it_does(app):
    """A one-line docstring on every view: read beside its access rule, it is the page's
    contract (ARCHITECTURE.md)."""
    missing = sorted(endpoint for endpoint, view in app.view_functions.items()
                     if endpoint != "static" and not (view.__doc__ or "").strip())
    assert missing == []
