"""Live lists in a guide page: a line of its own such as

    {{ list "subgenre:revenge ending:!tragedy" sort:score limit:5 }}

is the search's text syntax (search/syntax.py) with `sort:` and `limit:` (1 to 20, 5 by default) after it,
answered for the reader who opens the page: through their age gate and avoid rules like any search, with the
same honest note ("2 of 12 hidden by your rules") and a link to the whole result on the browse page. A list
chosen by a spoiler axis (`ending:`, `revelation:`) is folded for a reader whose spoiler setting hides it,
with a link that reveals it on this page. An embed
the search cannot read is refused when the page is saved, and said in place (never a 500) if the vocabulary
changed since."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from shuraba.accounts.policies import NOTHING_REVEALED, SPOILER_AXIS_STAGE, Reveal, Visibility, axis_shown
from shuraba.core.errors import BadQuery, Refused
from shuraba.core.markup import markdown_render, text_clean
from shuraba.search.query import DIGITS, SPOILER_DIMENSIONS, SearchQuery
from shuraba.search.selectors import title_search
from shuraba.search.syntax import query_parse
from shuraba.search.vocab import vocabulary

EMBED = re.compile(
    r'^[ \t]*\{\{[ \t]*list[ \t]+"((?:[^"\\\n]|\\.)*)"((?:[ \t]+[a-z_]+:[^\s}]+)*)[ \t]*\}\}[ \t]*$', re.M
)
LIMIT_DEFAULT, LIMIT_MAX = 5, 20
SPOILER_WORDS = {"ending": "how stories end", "revelation": "how the truth comes out"}
EMBEDS_MAX = 12


@dataclass(frozen=True)
class Embed:
    text: str  # the search's text syntax, `sort:` included
    limit: int


def _embed(match: re.Match[str]) -> Embed:
    options, limit = [], LIMIT_DEFAULT
    for option in match.group(2).split():
        key, _, value = option.partition(":")
        if key == "limit":
            if not DIGITS.fullmatch(value) or not 0 < int(value) <= LIMIT_MAX:
                raise BadQuery("limit", f"limit is a whole number from 1 to {LIMIT_MAX}, not {value[:10]!r}")
            limit = int(value)
        elif key == "sort":
            options.append(option)
        else:
            raise BadQuery(key[:20], "after the quoted search an embed takes sort: and limit:")
    return Embed(text=" ".join([match.group(1).replace('\\"', '"'), *options]).strip(), limit=limit)


def embeds_check(body: str) -> None:
    """Refuse (400) a body whose embeds the search cannot read, naming which embed and why."""
    found = list(EMBED.finditer(body))
    if len(found) > EMBEDS_MAX:
        raise Refused(400, f"body: at most {EMBEDS_MAX} embedded lists on a page (this has {len(found)})")
    vocab = vocabulary()
    for number, match in enumerate(found, 1):
        try:
            query_parse(_embed(match).text, vocab)
        except BadQuery as exc:
            raise Refused(400, f"body: embedded list {number} ({match.group(0).strip()[:80]}): {exc}") from exc


def _spoiler_fold(query: SearchQuery, visibility: Visibility, reveal: Reveal) -> tuple[str, str] | None:
    """An embed that picks titles by a spoiler axis (how stories end, their revelation) gives it away for
    every title it lists: folded, as the title page folds the axis, unless the viewer's spoiler setting or
    this page's `?reveal=` shows it. (axis label, the reveal token that opens it) or None."""
    for axis in SPOILER_DIMENSIONS:
        if query.value(axis) and not axis_shown(visibility, reveal, axis_key=axis, spoiler=True):
            return {"ending": "how stories end", "revelation": "how the truth comes out"}[axis], SPOILER_AXIS_STAGE[
                axis
            ]
    return None


def _embed_html(embed: Embed, number: int, reading: Reading) -> str:
    try:
        query = query_parse(embed.text, vocabulary())
    except BadQuery as exc:
        return render_to_string("editorial/_embed_broken.html", {"text": embed.text, "error": str(exc)})
    folded = _spoiler_fold(query, reading.visibility, reading.reveal)
    if folded is not None:
        opened = reading.reveal.plus(folded[1]).as_param()
        context = {"what": folded[0], "reveal": f"?reveal={opened}#embed-{number}", "number": number}
        return render_to_string("editorial/_embed_folded.html", context)
    page = title_search(visibility=reading.visibility, query=replace(query, per_page=embed.limit), facets=False)
    rules = next((h for h in page.hidden if h.reason == "rules"), None)
    hidden = (rules.count or 0) if rules else 0
    context = {
        "page": page, "text": embed.text, "hidden": hidden, "rules": rules, "of": page.total + hidden,
        "more": page.total - len(page.items), "browse": "/browse/?" + urlencode({"query": embed.text}),
        "number": number,
    }  # fmt: skip
    return render_to_string("editorial/_embed.html", context, request=reading.request)


@dataclass(frozen=True)
class Reading:
    """Who reads the page: their visibility, what this request reveals, the request (for the cards' forms)."""

    visibility: Visibility
    reveal: Reveal = NOTHING_REVEALED
    request: HttpRequest | None = None


def guide_render(body: str, *, reading: Reading) -> SafeString:
    """The page's Markdown (sanitized), each embed replaced by its live list for this reader."""
    marker = f"shurabaembed{secrets.token_hex(8)}n"
    embeds: list[Embed] = []

    def hold(match: re.Match[str]) -> str:
        try:
            embeds.append(_embed(match))
        except BadQuery:
            return match.group(0)  # an option the page was saved without: shown as written
        return f"\n\n{marker}{len(embeds) - 1}\n\n"

    html = str(markdown_render(EMBED.sub(hold, text_clean(body))))  # a form's CR LF would hide every embed
    for number, embed in enumerate(embeds):
        html = html.replace(f"<p>{marker}{number}</p>", _embed_html(embed, number + 1, reading), 1)
    return mark_safe(html)  # noqa: S308 (nh3-sanitized Markdown; the embeds are our templates, autoescaped)
