"""User and editor text: Markdown rendered by markdown-it-py, then sanitized by nh3."""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Unicode controls that reorder what is displayed (bidirectional embeddings, overrides and isolates): text
# that reads one way and renders another. Removed from every user text field.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_ALLOWED_TAGS = {
    "p",
    "a",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def markdown_render(text: str) -> SafeString:
    html = nh3.clean(
        _markdown.render(text),
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )
    return mark_safe(html)  # noqa: S308 (sanitized by nh3 on the line above)


def text_clean(text: str) -> str:
    """User text as kept: no bidirectional controls, Windows line ends made plain."""
    return text.translate(_BIDI_CONTROLS).replace("\r\n", "\n").replace("\r", "\n")
