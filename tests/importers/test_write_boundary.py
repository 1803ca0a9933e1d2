"""Importers write catalog tables only through the catalog's bulk API (STYLE habit 14).

The scan reads every module under shuraba/importers/ and fails, naming file:line, on a write to a
catalog model or table: `rows_insert(Model, ...)`, `Model.objects....create/update/delete/bulk_*`,
or SQL text that inserts, copies, updates or deletes catalog rows. Reading catalog tables is fine.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import shuraba.importers
from shuraba.catalog import models as catalog_models
from shuraba.core import models as core_models

CATALOG_MODELS = frozenset(
    {
        "Title",
        "AltTitle",
        "Creator",
        "Credit",
        "ExternalId",
        "TitleTag",
        "TitleAxisValue",
        "FormulaStage",
        "ChangeRecord",
        "Change",  # the change log (core.models), written for the catalog by catalog_changes_announce
    }
)
CATALOG_TABLES = frozenset(
    getattr(catalog_models if name != "Change" else core_models, name)._meta.db_table for name in CATALOG_MODELS
)
WRITES = frozenset(
    {"create", "bulk_create", "bulk_update", "update", "delete", "get_or_create", "update_or_create", "raw"}
)
BULK_INSERTS = frozenset({"rows_insert"})
SQL_WRITE = re.compile(r"\b(INSERT\s+INTO|COPY|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\b", re.IGNORECASE)
IMPORTERS = Path(shuraba.importers.__file__).resolve().parent


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> catalog model, for `from shuraba.catalog.models import Title as T`."""
    names = {name: name for name in CATALOG_MODELS}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("shuraba.catalog", "shuraba.core")):
            names.update({a.asname or a.name: a.name for a in node.names if a.name in CATALOG_MODELS})
    return names


def _chain(node: ast.AST) -> list[str]:
    """The names along `a.b(...).c[...]`: every Name and attribute, innermost first."""
    found: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            found.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            found.append(node.id)
            return found[::-1]
        else:
            return found[::-1]


def _model_in(names: list[str], aliases: dict[str, str]) -> str | None:
    return next((aliases[n] for n in names if n in aliases), None)


def _call_write(node: ast.Call, aliases: dict[str, str]) -> str | None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name in BULK_INSERTS and node.args:
        model = _model_in(_chain(node.args[0]), aliases)
        return f"{name}({model}, ...)" if model else None
    if name in WRITES and isinstance(func, ast.Attribute):
        chain = _chain(func.value)
        model = _model_in(chain, aliases)
        if model and "objects" in chain:
            return f"{model}.objects...{name}()"
    return None


def _sql_write(node: ast.AST, source: str, aliases: dict[str, str]) -> str | None:
    text = ast.get_source_segment(source, node) or ""
    if not SQL_WRITE.search(text):
        return None
    hit = next((t for t in CATALOG_TABLES if t in text), None)
    hit = hit or next((m for m in aliases if re.search(rf"\b{m}\b", text)), None)
    return f"SQL writing {hit}" if hit else None


def catalog_writes(source: str, where: str) -> list[str]:
    """Every write to a catalog model or table in one module's source, as 'where:line: what'."""
    tree = ast.parse(source)
    aliases = _aliases(tree)
    found = []
    for node in ast.walk(tree):
        what = None
        if isinstance(node, ast.Call):
            what = _call_write(node, aliases)
        elif isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            what = _sql_write(node, source, aliases)
        if what:
            found.append(f"{where}:{node.lineno}: {what}")
    return sorted(set(found))


def test_no_importer_module_writes_a_catalog_table_itself() -> None:
    modules = sorted(IMPORTERS.rglob("*.py"))
    assert len(modules) > 10, "the scan found too few importer modules to mean anything"
    found = [
        hit
        for path in modules
        if "migrations" not in path.parts
        for hit in catalog_writes(path.read_text(encoding="utf-8"), str(path.relative_to(IMPORTERS.parent.parent)))
    ]
    assert not found, "importers write catalog tables past the catalog's bulk API:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        "from shuraba.catalog.models import TitleTag\nTitleTag.objects.filter(pk__in=gone).delete()",
        "from shuraba.catalog.models import Title\nTitle.objects.bulk_create(titles)",
        "from shuraba.catalog.models import Title as T\nT.objects.bulk_update(changed, ['status'])",
        "from shuraba.catalog import models as m\nm.ExternalId.objects.create(title=t, source='mal')",
        "from shuraba.catalog.models import ChangeRecord\nrows_insert(ChangeRecord, ('title_id',), rows)",
        "cursor.execute('INSERT INTO catalog_titletag (title_id) VALUES (%s)', [1])",
        "from shuraba.core.models import Change as Log\nsql = f'COPY {Log._meta.db_table} FROM STDIN'",
        "from shuraba.core.models import Change\nChange.objects.bulk_create(rows)",
    ],
)
def test_the_scan_catches_each_kind_of_catalog_write(snippet: str) -> None:
    assert catalog_writes(snippet, "example.py"), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "from shuraba.catalog.models import Title\nTitle.objects.filter(pk__in=pks).values_list('slug')",
        "from shuraba.importers.models import SourceSnapshot\nrows_insert(SourceSnapshot, ('title_id',), rows)",
        "from shuraba.importers.models import MatchReview\nMatchReview.objects.filter(pk=1).update(score=2)",
        "catalog_plan_apply(plan=plan.catalog)",
        "sql = 'SELECT id FROM catalog_title'",
    ],
)
def test_the_scan_lets_reads_and_the_importers_own_tables_pass(snippet: str) -> None:
    assert catalog_writes(snippet, "example.py") == []
