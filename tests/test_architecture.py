"""The house's shape, checked: no import cycles, small modules, no SQL or platform in the wrong place.

The layer contracts themselves are import-linter's (`make test` runs `lint-imports`); these are
the rules it cannot express.
"""

from __future__ import annotations

import re
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("termcoach", "adapters", "bot", "storage", "content")
MAX_LINES = 500
# Modules still over the limit, each with the reason; the list may only shrink.
TOO_LONG_FOR_NOW: dict[str, str] = {}


def _strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's algorithm over the module graph; components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.find_modules_directly_imported_by(node):
            if nxt not in graph.modules:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.add(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(component)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_not_even_behind_type_checking() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False)
    # A package imports its own modules through __init__ only when it re-exports them; that is
    # not a cycle of design, so parents and their children are not counted against each other.
    cycles = [
        c
        for c in _strongly_connected(graph)
        if not all(
            any(o.startswith(m + ".") or m.startswith(o + ".") for o in c if o != m) for m in c
        )
    ]
    assert cycles == []


def test_modules_stay_small() -> None:
    long = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                long[rel] = lines
    assert set(long) <= set(TOO_LONG_FOR_NOW), long


def test_adapters_hold_no_sql_and_no_tutoring_internals() -> None:
    sql = re.compile(r"(?<![.\w])(select|insert|update|delete)\(|\bsqlalchemy\b|storage\.models")
    internals = re.compile(r"^\s*(from|import)\s+bot\.(quiz|daily\.(?!pacing))", re.M)
    for path in (ROOT / "adapters").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not sql.search(text), path
        assert not internals.search(text), path


def test_the_engine_never_names_a_platform() -> None:
    platform = re.compile(r"""["'](slack|telegram)["']""")
    for path in (ROOT / "bot").rglob("*.py"):
        assert not platform.search(path.read_text(encoding="utf-8")), path
