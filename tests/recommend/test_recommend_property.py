"""Recommendations on random catalogs, avoid rules, quiz answers, libraries and exclusions (hypothesis): no
recommended title is hidden by the viewer's rules or age gate, in their library, marked not interested or
by a creator they never want; every item has a reason naming a value the title has, or a co-read title of
the viewer's own library that the viewer may see; a spoiler axis the viewer hides is never named."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shuraba.accounts import policies
from shuraba.accounts.models import User
from shuraba.accounts.policies import AGE_GATED_RATINGS, SPOILER_SETTINGS, Visibility
from shuraba.accounts.rules import PRESETS, rules_parse
from shuraba.catalog.length import length_class
from shuraba.catalog.models import Credit, Title, TitleAxisValue
from shuraba.library.services import entry_save
from shuraba.preferences.questions import QUESTIONS, answers_empty
from shuraba.recommend.engine import Exclusions, recommendations_for
from shuraba.recommend.selectors import library_of
from shuraba.recommend.training import model_current, recommend_train
from shuraba.search.query import SPOILER_DIMENSIONS
from tests.accounts.test_avoid_rules_property import _extras_apply, extras, rule_lines
from tests.search.test_engine_matches_reference import CREATORS, _catalog_replace, title_strategy

STATUSES = ("reading", "completed", "dropped", "plan-to-read", "on-hold")
entry = st.tuples(
    st.integers(0, 13), st.sampled_from(STATUSES), st.none() | st.integers(1, 10)
)  # title number, status, score
liked = st.tuples(st.integers(0, 13), st.sampled_from(("completed", "reading")), st.none() | st.integers(7, 10))
# Mostly well-kept libraries of liked titles (a model with something to say), with some noise.
libraries = st.lists(st.lists(liked | entry, min_size=3, max_size=10), min_size=2, max_size=6)


def _answers(data: st.DataObject) -> dict[str, list[str]] | None:
    if data.draw(st.booleans(), label="no quiz"):
        return None
    answers = answers_empty()
    for question in QUESTIONS:
        keys = question.keys
        if question.multiple:
            answers[question.key] = data.draw(
                st.lists(st.sampled_from(keys), unique=True, max_size=3), label=question.key
            )
        else:
            answers[question.key] = [data.draw(st.sampled_from(keys), label=question.key)]
    return answers


def _library(user: User, rows: list[tuple[int, str, int | None]], titles: dict[str, Title]) -> None:
    for number, status, score in rows:
        if (title := titles.get(f"t{number}")) is not None:
            entry_save(user=user, title=title, changes={"status": status, "score": score})


def _title_has(title: Title, dimension: str, value: str) -> bool:
    if dimension == "length":  # derived from the chapters, as the catalog does
        return length_class(chapters=title.chapters, format=title.format) == value
    rows = TitleAxisValue.objects.filter(title=title, axis__key=dimension)
    if dimension in ("intensity", "centrality"):
        return rows.filter(value__rank=int(value)).exists()
    return rows.filter(value__key=value).exists()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    specs=st.lists(title_strategy, min_size=8, max_size=14),
    more=extras,
    lines=st.just([]) | rule_lines,  # a third of the viewers with no rules: something left to recommend
    presets=st.just([]) | st.lists(st.sampled_from(tuple(PRESETS)), max_size=2, unique=True),
    others=libraries,
    own=st.lists(liked | entry, max_size=8),
    hidden_ratings=st.sampled_from((frozenset(), AGE_GATED_RATINGS)),
    spoilers=st.sampled_from(SPOILER_SETTINGS),
    data=st.data(),
)
def test_no_recommendation_breaks_a_hard_constraint_and_each_gives_a_real_reason(  # noqa: PLR0917 (hypothesis passes them)
    db: None,
    model_dir: Path,
    specs: list[dict[str, object]],
    more: list[dict[str, object]],
    lines: list[str],
    presets: list[str],
    others: list[list[tuple[int, str, int | None]]],
    own: list[tuple[int, str, int | None]],
    hidden_ratings: frozenset[str],
    spoilers: str,
    data: st.DataObject,
) -> None:
    with transaction.atomic():
        _catalog_replace(specs)
        _extras_apply(specs, more)
        titles = {t.slug: t for t in Title.objects.all()}
        viewer = User.objects.create_user("viewer", password="a-long-viewer-password")
        _library(viewer, own, titles)
        for number, rows in enumerate(others):
            _library(User.objects.create_user(f"other{number}", password="a-long-other-password"), rows, titles)
        recommend_train(path=model_dir / "model.npz")
        library = library_of(user=viewer)
        not_interested = frozenset(data.draw(st.sets(st.sampled_from(sorted(t.pk for t in titles.values()) or [0]))))
        never = frozenset(data.draw(st.sets(st.sampled_from((*sorted(CREATORS), "c1", "c2")), max_size=2)))
        ruleset = rules_parse(lines, presets)
        visibility = Visibility(hidden_ratings=hidden_ratings, spoilers=spoilers, rules=ruleset.rules)  # type: ignore[arg-type]
        found = recommendations_for(
            visibility=visibility,
            answers=_answers(data),
            library=library,
            exclusions=Exclusions(not_interested, never),
            model=model_current(path=model_dir / "model.npz"),
        )
        by_id = {t.pk: t for t in titles.values()}
        event(f"items: {'none' if not found.items else 'some'}")
        event(f"co-reader reasons: {any(r.kind == 'co-reader' for i in found.items for r in i.reasons)}")
        for item in found.items:
            title = by_id[item.card.id]
            assert policies.title_hidden(visibility, title_id=title.pk, content_rating=title.content_rating) is None
            assert title.pk not in library
            assert title.pk not in not_interested
            assert not Credit.objects.filter(title=title, creator__slug__in=never).exists()
            assert item.reasons
            for reason in item.reasons:
                if reason.kind == "co-reader":
                    named = titles[reason.title]
                    assert named.pk in library
                    assert (
                        policies.title_hidden(visibility, title_id=named.pk, content_rating=named.content_rating)
                        is None
                    )
                    assert named.title in reason.text
                    continue
                assert reason.kind == "axis"
                if reason.dimension in SPOILER_DIMENSIONS and not visibility.axis_counted(spoiler=True):
                    assert reason.value == ""
                    assert "not shown" in reason.text
                else:
                    assert _title_has(title, reason.dimension, reason.value), (reason, title.slug)
        transaction.set_rollback(True)
