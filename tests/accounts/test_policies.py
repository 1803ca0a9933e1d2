from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuraba.accounts import policies
from shuraba.accounts.policies import Reveal, Viewer, Visibility, reveal_parse, visibility_of
from shuraba.catalog.models import ContentRating, Title
from shuraba.core.errors import BadQuery

viewers = st.builds(Viewer, is_adult=st.booleans(), spoilers=st.sampled_from(policies.SPOILER_SETTINGS))
visibilities = viewers.map(visibility_of)
reveals = st.frozensets(st.sampled_from(policies.REVEAL_TOKENS)).map(Reveal)
levels = st.sampled_from(["none", "minor", "major"])


@pytest.mark.parametrize("rating", ContentRating.values)
@pytest.mark.parametrize("is_adult", [False, True])
def test_queryset_and_single_title_decisions_agree(db: None, rating: str, is_adult: bool) -> None:
    visibility = visibility_of(Viewer(is_adult=is_adult))
    title = Title.objects.filter(content_rating=rating).first()
    if rating == ContentRating.NOT_ADULT:  # only an AniList import gives it; the fictional sample has none
        title = Title.objects.create(slug="not-adult-per-anilist", title="Not Adult", content_rating=rating)
    assert title is not None, f"the sample catalog must have a {rating} title"
    in_queryset = policies.titles_visible(visibility, Title.objects.filter(pk=title.pk)).exists()
    assert in_queryset == (policies.title_hidden(visibility, title_id=title.pk, content_rating=rating) is None)
    assert in_queryset == (is_adult or rating not in {"explicit", "unknown"})


SETTING_SHOWS = {"none": {"none"}, "minor": {"none", "minor"}, "all": {"none", "minor", "major"}}


@given(viewer=viewers, reveal=reveals, level=levels, token=st.sampled_from(policies.REVEAL_TOKENS))
def test_spoilers_show_only_when_revealed(viewer: Viewer, reveal: Reveal, level: str, token: str) -> None:
    shown = policies.spoiler_shown(visibility_of(viewer), reveal, level=level, token=token)
    by_setting = level in SETTING_SHOWS[viewer.spoilers]
    expected = level == "none" or by_setting or "all" in reveal.tokens or token in reveal.tokens
    assert shown == expected


@given(viewer=viewers, reveal=reveals)
def test_ending_is_revealed_by_the_resolution_stage_only(viewer: Viewer, reveal: Reveal) -> None:
    shown = policies.axis_shown(visibility_of(viewer), reveal, axis_key="ending", spoiler=True)
    assert shown == (viewer.spoilers == "all" or bool({"all", "resolution"} & reveal.tokens))


@given(first=visibilities, second=visibilities, level=levels, rating=st.sampled_from([*ContentRating.values, "r18g"]))
def test_visibilities_with_one_key_decide_alike(first: Visibility, second: Visibility, level: str, rating: str) -> None:
    """Every cache is keyed by Visibility.key: two visibilities that share it must decide everything alike."""
    if first.key == second.key:
        assert first.assignment_shown(level) == second.assignment_shown(level)
        assert first.rating_shown(rating) == second.rating_shown(rating)
        assert first.axis_counted(spoiler=True) == second.axis_counted(spoiler=True)
    else:
        assert (first.hidden_ratings, first.spoilers) != (second.hidden_ratings, second.spoilers)


def test_reveal_parameter_names_a_bad_token() -> None:
    assert reveal_parse("revelation, resolution").tokens == {"revelation", "resolution"}
    assert reveal_parse(None) == Reveal()
    with pytest.raises(BadQuery, match="'ending'"):
        reveal_parse("revelation,ending")


def test_a_hidden_title_answers_with_the_reason_and_a_missing_one_without(gated_title: Title) -> None:
    from shuraba.catalog import selectors  # noqa: PLC0415 (the selector under test, beside the policy's tests)

    with pytest.raises(selectors.TitleNotFound) as hidden:
        selectors.title_detail(visibility=policies.PUBLIC, reveal=Reveal(), slug=gated_title.slug)
    assert hidden.value.hidden is not None
    assert hidden.value.hidden.reason == "age-gate"
    with pytest.raises(selectors.TitleNotFound) as missing:
        selectors.title_detail(visibility=policies.PUBLIC, reveal=Reveal(), slug="no-such-title")
    assert missing.value.hidden is None
    shown = selectors.title_detail(visibility=policies.EVERYTHING, reveal=Reveal(), slug=gated_title.slug)
    assert shown.card.slug == gated_title.slug
