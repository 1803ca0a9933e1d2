"""Templates keep to the Content-Security-Policy: no inline script, no on* handler, no style attribute.
(The browser test, tests/e2e/test_csp.py, catches what a template scan cannot: scripts that inject.)"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "shuraba").glob("**/templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)


def _offences(pattern: re.Pattern[str]) -> list[str]:
    return [f"{p.relative_to(ROOT)}: {m.group(0)[:60]}" for p in TEMPLATES for m in pattern.finditer(p.read_text())]


def test_the_scan_finds_templates() -> None:
    assert len(TEMPLATES) > 10
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer>')
    assert HANDLER.search('<button onclick="go()">')
    assert STYLE_ATTRIBUTE.search('<form style="display:inline">')


def test_no_template_has_an_inline_script_a_handler_or_a_style_attribute() -> None:
    assert not _offences(INLINE_SCRIPT) + _offences(HANDLER) + _offences(STYLE_ATTRIBUTE)
