"""Avoid rules on random catalogs and random rule sets (with exceptions, strict and relaxed): the engine and
the SQL reference agree on every result, count, facet and hidden count, and no title any rule matches
appears anywhere in a result (hypothesis)."""

from __future__ import annotations

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuraba.accounts import policies
from shuraba.accounts.policies import AGE_GATED_RATINGS, SPOILER_SETTINGS, Visibility
from shuraba.accounts.rules import PRESETS, rules_parse
from shuraba.catalog.models import Creator, Credit, Title, TitleAxisValue, TitleTag
from shuraba.core.changelog import changes_announce
from shuraba.importers.models import ClassificationSuggestion
from shuraba.search.engine import engine_search
from shuraba.search.live import search_index
from shuraba.search.query import SearchQuery
from shuraba.search.reference import reference_search
from tests.search.test_engine_matches_reference import _catalog_replace, query_strategy, titles_strategy

# Words a rule may start with (something to avoid) and words that may follow (more, or exceptions).
POSITIVE = (
    "drama",
    "revenge>=40",
    "infidelity",
    "subgenre:netorare",
    "subgenre:*",
    "subgenre:netorare>=0.5",
    "ending:tragedy,open",
    "consent:coercion",
    "perspective:betrayed",
    "format:webtoon",
    "centrality:>=incidental",
    "centrality:core",
    "intensity:>=3",
    "warning:infidelity",
    "warning:*>=moderate",
    "creator:c1",
    "year:..2002",
)
FOLLOWING = (*POSITIVE, "-romance", "-revenge", "consent:!mutual", "subgenre:!revenge", "unclassified:allow")

rule_lines = st.lists(
    st.tuples(st.sampled_from(POSITIVE), st.lists(st.sampled_from(FOLLOWING), max_size=2)).map(
        lambda parts: " ".join([parts[0], *parts[1]])
    ),
    max_size=3,
)
preset_lists = st.lists(st.sampled_from(tuple(PRESETS)), max_size=2, unique=True)
extras = st.lists(
    st.fixed_dictionaries(
        {
            "weight": st.sampled_from((0.3, 0.5, 1.0)),
            "severity": st.sampled_from(("", "minor", "moderate", "graphic")),
            "creator": st.sampled_from(("", "c1", "c2")),
            "suggested": st.none()
            | st.sampled_from((("centrality", "major"), ("ending", "tragedy"), ("subgenre", "netorare"))),
        }
    ),
    min_size=14,
    max_size=14,
)


def _extras_apply(specs: list[dict[str, object]], more: list[dict[str, object]]) -> None:
    """What the shared catalog strategy does not make: subgenre weights, warning severities, creators and
    pending classification suggestions (the relaxed form's evidence)."""
    creators = {
        slug: Creator.objects.get_or_create(slug=slug, defaults={"name": slug.upper()})[0] for slug in ("c1", "c2")
    }
    titles = {t.slug: t for t in Title.objects.all()}
    for index, extra in enumerate(more[: len(specs)]):
        title = titles[f"t{index}"]
        TitleAxisValue.objects.filter(title=title, axis__key="subgenre").update(weight=extra["weight"])
        TitleTag.objects.filter(title=title, tag__slug="infidelity").update(severity=extra["severity"])
        if extra["creator"]:
            Credit.objects.create(title=title, creator=creators[str(extra["creator"])], role="story")
        if extra["suggested"]:
            axis, value = extra["suggested"]  # type: ignore[misc]
            ClassificationSuggestion.objects.create(
                title=title, axis=axis, values={value: 0.8}, confidence=0.8, reasons="test", source="model"
            )
    changes_announce(title_ids=[t.pk for t in titles.values()])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    specs=titles_strategy,
    more=extras,
    lines=rule_lines,
    presets=preset_lists,
    queries=st.lists(query_strategy, min_size=1, max_size=3),
    hidden_ratings=st.sampled_from((frozenset(), AGE_GATED_RATINGS)),
    spoilers=st.sampled_from(SPOILER_SETTINGS),
)
def test_rules_hide_the_same_titles_in_the_engine_and_the_sql_reference(  # noqa: PLR0917 (hypothesis passes them)
    db: None,
    specs: list[dict[str, object]],
    more: list[dict[str, object]],
    lines: list[str],
    presets: list[str],
    queries: list[SearchQuery],
    hidden_ratings: frozenset[str],
    spoilers: str,
) -> None:
    with transaction.atomic():
        _catalog_replace(specs)
        _extras_apply(specs, more)
        ruleset = rules_parse(lines, presets)
        visibility = Visibility(hidden_ratings=hidden_ratings, spoilers=spoilers, rules=ruleset.rules)  # type: ignore[arg-type]
        index = search_index()
        matched = {
            pk for rule in ruleset.rules for pk in Title.objects.filter(rule.condition()).values_list("pk", flat=True)
        }
        for query in (*queries, SearchQuery(per_page=100)):
            fast, slow = engine_search(index, query, visibility), reference_search(query, visibility)
            assert (fast.total, fast.pks, fast.facets) == (slow.total, slow.pks, slow.facets), query
            assert fast.rules_hidden == slow.rules_hidden, query
            assert not matched & set(fast.pks), "a title a rule matches is in a result"
        everything = engine_search(index, SearchQuery(per_page=100), visibility)
        shown = set(everything.pks)
        for title in Title.objects.all():
            hidden = policies.title_hidden(visibility, title_id=title.pk, content_rating=title.content_rating)
            assert (hidden is None) == (title.pk in shown), title.slug
            if hidden is not None and hidden.reason == "rules":  # named from the index's bitmaps: as SQL names them
                one = Title.objects.filter(pk=title.pk)
                by_sql = [rule.name for rule in ruleset.rules if one.filter(rule.condition()).exists()]
                assert [count.name for count in hidden.rules] == by_sql, title.slug
        if ruleset.rules and everything.rules_hidden is not None:
            gated = Title.objects.filter(pk__in=policies.visible_title_ids(Visibility(hidden_ratings=hidden_ratings)))
            assert everything.rules_hidden[0] == len(matched & set(gated.values_list("pk", flat=True)))
