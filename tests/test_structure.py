"""The shape of the code that the visibility guarantee rests on (issue 8): one module decides, one function
keys the caches, and no module imports its way back to itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "shuraba"
POLICY = PACKAGE / "accounts" / "policies.py"
VIEWERS = PACKAGE / "accounts" / "viewers.py"  # the policy's other half: reads who is looking from the request
# The account owns the stored choices (the setting's form, its writes and the admin); only policies.py
# turns them into decisions.
CHOICE_OWNERS = {PACKAGE / "accounts" / name for name in ("models.py", "services.py", "views.py", "admin.py")}
FORBIDDEN = {
    "a viewer's field": re.compile(
        r"\bviewer\.(is_adult|spoilers|reveal_spoilers|rules|presets)\b|\.reveal_spoilers\b"
    ),
    "a rating set": re.compile(r"\b(AGE_GATED_RATINGS|SAFE_RATINGS)\b"),
    "a spoiler-level test": re.compile(r"""spoiler\s*(==|!=|=)\s*["'](none|minor|major)["']"""),
}


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*") if p.suffix in {".py", ".html"} and "migrations" not in p.parts)


def _offences(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        if path in (POLICY, VIEWERS) or (path in CHOICE_OWNERS and path.suffix == ".py"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for what, pattern in FORBIDDEN.items():
                if what == "a spoiler-level test" and path.suffix != ".py":
                    continue  # a template may print a level it was handed; deciding happens in Python
                if pattern.search(line):
                    found.append(f"{path.name}:{number}: reads {what}: {line.strip()}")
    return found


def test_no_module_but_the_policy_reads_ratings_or_spoiler_settings() -> None:
    assert len(_sources()) > 50, "the scan found too few files to mean anything"
    assert _offences(_sources()) == []


def test_the_policy_scan_catches_what_it_is_for(tmp_path: Path) -> None:
    planted = tmp_path / "leak.py"
    planted.write_text(
        "if viewer.reveal_spoilers:\n    pass\nrows.filter(spoiler='none')\nshown = SAFE_RATINGS\n", encoding="utf-8"
    )
    assert len(_offences([planted])) == 3


def _cached_calls(path: Path) -> list[tuple[int, str]]:
    """Every `<x>.cached(first, ...)` and `Cache.get(first, ...)` call with the source of its first argument."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "cached":
            calls.append((node.lineno, ast.unparse(node.args[0]) if node.args else ""))
    return calls


def test_every_search_cache_key_comes_from_the_one_helper() -> None:
    calls = [
        (path, line, key) for path in sorted((PACKAGE / "search").glob("*.py")) for line, key in _cached_calls(path)
    ]
    assert len(calls) >= 8, "the scan found too few cached values to mean anything"
    assert [f"{p.name}:{n}: {k}" for p, n, k in calls if not k.startswith("cache_key(")] == []
    depends = [k for _, _, k in calls if "visibility" in k]
    assert all("visibility=visibility" in k for k in depends)
    assert len(depends) >= 5  # visible set, hidden tags, relevance, tag codes, matches, facets


def _imports(path: Path, module: str) -> set[str]:
    """The shuraba modules a module imports when it runs (type-checking-only imports do not count)."""
    tree = ast.parse(path.read_text())
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name.startswith("shuraba.") and name != module}


def _graph() -> dict[str, set[str]]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return {name: _imports(path, name) & set(modules) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, or [] (a depth-first search that remembers the path)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_module_imports_its_way_back_to_itself() -> None:
    graph = _graph()
    assert len(graph) > 60
    assert _cycle(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
