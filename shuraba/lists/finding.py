"""Which title a reader means when they type one into a list's form: its address name (slug), or a name the
search finds (typos forgiven); several close matches are offered back, never guessed. Only titles the
reader's age gate shows are found; their own avoid rules do not stop them choosing a title they name, but a
title the rules hide is never offered by name."""

from __future__ import annotations

from shuraba.accounts import policies
from shuraba.accounts.policies import Visibility, rules_waived
from shuraba.catalog.models import Title
from shuraba.lists.services import ListRefused
from shuraba.search.query import SearchQuery
from shuraba.search.selectors import title_search


def title_find(*, visibility: Visibility, text: str) -> Title:
    wanted = text.replace("\x00", "").strip()  # PostgreSQL compares no NUL
    if not wanted:
        raise ListRefused(400, "title: type a title's name")
    seeing = rules_waived(visibility)
    by_slug = Title.objects.filter(slug=wanted[:200]).first()
    if by_slug is not None and seeing.rating_shown(by_slug.content_rating):
        return by_slug
    found = title_search(visibility=seeing, query=SearchQuery(q=wanted[:200], per_page=5), facets=False)
    exact = [card for card in found.items if card.title.casefold() == wanted.casefold()]
    if len(exact) == 1 or (found.total == 1 and found.items):
        return Title.objects.get(pk=(exact or list(found.items))[0].id)
    if not found.items:
        raise ListRefused(400, f"title: nothing is called {wanted[:80]!r}; try another spelling or the title's address")
    # Offered back: only the candidates the reader's rules show (they did not type the others' names).
    offered = [
        c for c in found.items if not policies.title_hidden(visibility, title_id=c.id, content_rating=c.content_rating)
    ]
    names = "; ".join(f"{c.title} ({c.slug})" for c in offered)
    more = len(found.items) - len(offered)
    if more:
        names += f"{'; and ' if offered else ''}{more} your avoid rules hide"
    raise ListRefused(400, f"title: {wanted[:80]!r} could be several titles; type one of: {names}")
