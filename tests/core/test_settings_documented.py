from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_read_is_documented() -> None:
    sources = [ROOT / "config" / "settings.py", *ROOT.glob("shuraba/**/*.py"), *ROOT.glob("tests/**/*.py")]
    read = set()
    for path in sources:
        read |= set(re.findall(r"environ(?:\.get)?\(\s*\"([A-Z_]+)\"", path.read_text()))
        read |= set(re.findall(r"environ\[\"([A-Z_]+)\"\]", path.read_text()))
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "docs" / "operations.md").read_text(), re.M))
    assert read, "the scan found no settings at all"
    assert read - {"DJANGO_SETTINGS_MODULE"} <= documented
