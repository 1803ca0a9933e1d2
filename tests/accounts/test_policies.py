from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuraba.accounts import policies
from shuraba.accounts.policies import Reveal, Viewer, reveal_parse
from shuraba.catalog.models import ContentRating, Title
from shuraba.core.errors import BadQuery

viewers = st.builds(Viewer, is_adult=st.booleans(), reveal_spoilers=st.booleans())
reveals = st.frozensets(st.sampled_from(policies.REVEAL_TOKENS)).map(Reveal)
levels = st.sampled_from(["none", "minor", "major"])


@pytest.mark.parametrize("rating", ContentRating.values)
@pytest.mark.parametrize("is_adult", [False, True])
def test_queryset_and_single_title_decisions_agree(db: None, rating: str, is_adult: bool) -> None:
    viewer = Viewer(is_adult=is_adult)
    title = Title.objects.filter(content_rating=rating).first()
    assert title is not None, f"the sample catalog must have a {rating} title"
    in_queryset = policies.titles_visible(viewer, Title.objects.filter(pk=title.pk)).exists()
    assert in_queryset == policies.title_is_visible(viewer, content_rating=rating)
    assert in_queryset == (is_adult or rating not in {"explicit", "unknown"})


@given(viewer=viewers, reveal=reveals, level=levels, token=st.sampled_from(policies.REVEAL_TOKENS))
def test_spoilers_show_only_when_revealed(viewer: Viewer, reveal: Reveal, level: str, token: str) -> None:
    shown = policies.spoiler_shown(viewer, reveal, level=level, token=token)
    expected = level == "none" or viewer.reveal_spoilers or "all" in reveal.tokens or token in reveal.tokens
    assert shown == expected


@given(viewer=viewers, reveal=reveals)
def test_ending_is_revealed_by_the_resolution_stage_only(viewer: Viewer, reveal: Reveal) -> None:
    shown = policies.axis_shown(viewer, reveal, axis_key="ending", spoiler=True)
    assert shown == (viewer.reveal_spoilers or bool({"all", "resolution"} & reveal.tokens))


def test_reveal_parameter_names_a_bad_token() -> None:
    assert reveal_parse("revelation, resolution").tokens == {"revelation", "resolution"}
    assert reveal_parse(None) == Reveal()
    with pytest.raises(BadQuery, match="'ending'"):
        reveal_parse("revelation,ending")
