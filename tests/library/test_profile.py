"""The public profile (`/u/<name>/`) and the shared-entry page (`/u/<name>/e/<token>/`), issue 12 part 4:
only public entries on the profile, notes never, every entry passed through the *viewer's* policy."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.accounts.rules import rules_parse
from shuraba.catalog.models import Title, TitleAxisValue
from shuraba.library import profile as profile_selectors
from shuraba.library.models import LibraryEntry
from shuraba.taxonomy.models import AxisValue

SVG = "{http://www.w3.org/2000/svg}"
NOTE = "note-only-the-owner-may-read-{}"
VIEWERS = ("owner", "other", "anonymous", "editor")


def _entry(user: User, title: Title, privacy: str = "public", **fields: object) -> LibraryEntry:
    now = timezone.now()
    return LibraryEntry.objects.create(
        user=user, title=title, privacy=privacy, created_at=now, updated_at=now, **fields
    )


def _visible(n: int, *, offset: int = 0) -> list[Title]:
    return list(Title.objects.filter(content_rating__in=["all-ages", "teen"]).order_by("slug")[offset : offset + n])


@pytest.fixture
def owner(db: None) -> User:
    return User.objects.create_user("mika", email="mika@example.test", password="a-long-owner-password")


@pytest.fixture
def owner_client(owner: User) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def shelf(owner: User) -> dict[str, LibraryEntry]:
    """One entry per privacy on visible titles, each with notes."""
    public, unlisted, private = _visible(3)
    return {
        "public": _entry(owner, public, "public", notes=NOTE.format("public"), score=8, status="completed"),
        "unlisted": _entry(owner, unlisted, "unlisted", notes=NOTE.format("unlisted"), score=6),
        "private": _entry(owner, private, "private", notes=NOTE.format("private"), score=2, status="dropped"),
    }


def _client(request: pytest.FixtureRequest, who: str) -> Client:
    name = {"owner": "owner_client", "other": "reader_client", "anonymous": "unverified", "editor": "editor_client"}
    client: Client = request.getfixturevalue(name[who])
    return client


def _html(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def _svgs(html: str) -> dict[str, ET.Element]:
    """Every inline SVG of a page, parsed as XML (so well-formed), by id."""
    found = {}
    for markup in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL):
        svg = ET.fromstring(markup)  # noqa: S314 (our own page, parsed to prove it is well-formed)
        found[svg.get("id", "")] = svg
    return found


def _bars(svg: ET.Element) -> dict[str, int]:
    """Each bar's label and count as its text says them; its tooltip and the chart's description say the same."""
    bars = {}
    desc = svg.find(f"{SVG}desc")
    assert desc is not None
    for group in svg.iter(f"{SVG}g"):
        texts = {t.get("class"): t.text or "" for t in group.iter(f"{SVG}text")}
        label, count = texts["label"], texts["count"]
        tip = group.find(f"{SVG}title")
        said = rf"(Score )?{re.escape(label)}: {count} " + ("(entry|title)" if count == "1" else "(entries|titles)")
        assert tip is not None
        assert re.fullmatch(said, tip.text or ""), (tip.text, label, count)
        assert re.search(said, desc.text or ""), (desc.text, label, count)
        bars[label] = int(count)
    return bars


# --- privacy --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", VIEWERS)
def test_the_profile_lists_public_entries_only_and_never_notes(
    request: pytest.FixtureRequest, who: str, shelf: dict[str, LibraryEntry]
) -> None:
    html = _html(_client(request, who), "/u/mika/")
    assert shelf["public"].title.title in html
    assert f"/titles/{shelf['public'].title.slug}/" in html
    for privacy in ("unlisted", "private"):
        assert shelf[privacy].title.title not in html, (who, privacy)
        assert f"/titles/{shelf[privacy].title.slug}/" not in html, (who, privacy)
    assert "note-only-the-owner" not in html
    assert shelf["unlisted"].share_token not in html
    assert shelf["private"].share_token not in html
    assert "1 public entry" in html


# (viewer, privacy) -> status of the shared-entry page: private entries are the owner's alone.
SHARED = {(who, privacy): 200 for who in VIEWERS for privacy in ("public", "unlisted")} | {
    (who, "private"): 200 if who == "owner" else 404 for who in VIEWERS
}


@pytest.mark.parametrize(("who", "privacy"), sorted(SHARED))
def test_the_shared_entry_page_shows_public_and_unlisted_entries_and_private_ones_to_the_owner(
    request: pytest.FixtureRequest, who: str, privacy: str, shelf: dict[str, LibraryEntry]
) -> None:
    entry = shelf[privacy]
    html = _html(_client(request, who), f"/u/mika/e/{entry.share_token}/", SHARED[who, privacy])
    assert "note-only-the-owner" not in html
    if SHARED[who, privacy] == 404:
        assert entry.title.title not in html
        return
    assert entry.title.title in html
    assert ("only you can see this entry" in html) == (privacy == "private")
    assert ('<meta name="robots" content="noindex">' in html) == (privacy != "public")
    assert ('">Your library</a>' in html) == (who == "owner")


def test_an_unlisted_entry_page_says_noindex_in_its_header_too(
    unverified: Client, shelf: dict[str, LibraryEntry]
) -> None:
    unlisted = unverified.get(f"/u/mika/e/{shelf['unlisted'].share_token}/")
    public = unverified.get(f"/u/mika/e/{shelf['public'].share_token}/")
    assert unlisted["X-Robots-Tag"] == "noindex"
    assert "X-Robots-Tag" not in public


def test_a_wrong_token_or_another_readers_token_is_404(
    unverified: Client, reader: User, shelf: dict[str, LibraryEntry]
) -> None:
    theirs = _entry(reader, _visible(1, offset=5)[0])
    _html(unverified, "/u/mika/e/not-a-token/", 404)
    _html(unverified, f"/u/mika/e/{theirs.share_token}/", 404)
    _html(unverified, f"/u/reader/e/{shelf['public'].share_token}/", 404)
    _html(unverified, f"/u/reader/e/{theirs.share_token}/")


def test_an_unknown_or_inactive_reader_is_404(unverified: Client, owner: User, shelf: dict[str, LibraryEntry]) -> None:
    _html(unverified, "/u/nobody-of-that-name/", 404)
    _html(unverified, "/u/MIKA/", 404)
    owner.is_active = False
    owner.save()
    _html(unverified, "/u/mika/", 404)
    _html(unverified, f"/u/mika/e/{shelf['public'].share_token}/", 404)


def test_the_owner_sees_their_profile_as_others_do_plus_a_link_to_their_library(
    owner_client: Client, reader_client: Client, shelf: dict[str, LibraryEntry]
) -> None:
    def main(html: str) -> str:
        content = html.split('<main id="content">', 1)[1].split("</main>", 1)[0]
        return re.sub(r'<p class="notice" role="note">This is your profile.*?</p>', "", content, flags=re.DOTALL)

    own, theirs = _html(owner_client, "/u/mika/"), _html(reader_client, "/u/mika/")
    assert '">Your library</a>' in own
    assert "/library/" not in main(theirs)
    assert main(own) == main(theirs)


# --- the viewer's policy --------------------------------------------------------------------------


def test_an_age_gated_title_is_absent_for_an_unverified_viewer_and_left_uncounted(
    unverified: Client, adult: Client, owner: User, shelf: dict[str, LibraryEntry], gated_title: Title
) -> None:
    gated = _entry(owner, gated_title, "public", score=10, status="reading")
    html = _html(unverified, "/u/mika/")
    assert gated_title.title not in html
    assert gated_title.slug not in html
    assert "hidden by your" not in html  # uncounted: how many gated titles a reader lists is not told
    assert "Titles behind the 18+ gate are left out of this page and of its counts, uncounted." in html
    assert "1 public entry<" in html  # the count of what is shown leaves it out
    assert _bars(_svgs(html)["chart-scores"])["10"] == 0
    _html(unverified, f"/u/mika/e/{gated.share_token}/", 404)

    seen = _html(adult, "/u/mika/")
    assert gated_title.title in seen
    assert "hidden by your" not in seen
    assert "Titles behind the 18+ gate" not in seen
    assert _bars(_svgs(seen)["chart-scores"])["10"] == 1
    assert gated_title.title in _html(adult, f"/u/mika/e/{gated.share_token}/")


def test_a_title_the_viewers_avoid_rules_hide_is_not_shown_counted_or_charted(
    reader_client: Client, owner: User
) -> None:
    rule = rules_parse(["ending:tragedy"]).rules[0]
    hidden_ids = set(Title.objects.filter(rule.condition()).values_list("pk", flat=True))
    visible = _visible(40)
    hidden = next(t for t in visible if t.pk in hidden_ids)
    kept = next(t for t in visible if t.pk not in hidden_ids)
    hidden_entry = _entry(owner, hidden, "public", score=3, status="on-hold")
    _entry(owner, kept, "public", score=7, status="completed")
    assert reader_client.post("/settings/avoid/", {"rules": "ending:tragedy"}).status_code == 302

    html = _html(reader_client, "/u/mika/")
    assert hidden.title not in html
    assert f"/titles/{hidden.slug}/" not in html
    assert kept.title in html
    assert "1 public entry is hidden by your avoid rules" in html
    assert "<strong>0</strong> On hold" in html
    assert _bars(_svgs(html)["chart-scores"])["3"] == 0

    page = _html(reader_client, f"/u/mika/e/{hidden_entry.share_token}/")
    assert "Hidden by your avoid rule “ending:tragedy”" in page
    assert hidden.title not in page
    assert hidden.title in _html(reader_client, f"/u/mika/e/{hidden_entry.share_token}/?show=once")
    assert hidden.title in _html(Client(), "/u/mika/")  # someone without the rule sees it


def test_ending_mix_is_absent_until_the_viewer_shows_every_spoiler(
    reader_client: Client, reader: User, owner: User
) -> None:
    titles = list(Title.objects.filter(content_rating="teen", axis_values__axis__key="ending").order_by("slug")[:6])
    for title in titles:
        _entry(owner, title, "public")
    ending_labels = set(AxisValue.objects.filter(axis__key="ending").values_list("label", flat=True))
    other_labels = set(AxisValue.objects.exclude(axis__key="ending").values_list("label", flat=True))
    only_ending = ending_labels - other_labels
    assert only_ending

    html = _html(reader_client, "/u/mika/")
    assert "chart-ending" not in html
    for label in only_ending:
        assert f">{label}<" not in html
        assert f"{label}:" not in html
    assert "your spoiler setting (spoilers hidden) hides them" in html
    assert 'href="/settings/#spoilers"' in html

    reader.spoilers = "minor"  # minor spoilers still leave endings hidden: they are major
    reader.save()
    assert "chart-ending" not in _html(reader_client, "/u/mika/")

    reader.spoilers = "all"
    reader.save()
    shown = _html(reader_client, "/u/mika/")
    endings = Counter(
        TitleAxisValue.objects.filter(title__in=titles, axis__key="ending").values_list("value__label", flat=True)
    )
    bars = _bars(_svgs(shown)["chart-ending"])
    assert bars == {label: endings.get(label, 0) for label in ending_labels}
    assert "hides them" not in shown


# --- charts ---------------------------------------------------------------------------------------


def test_charts_are_well_formed_svg_whose_bars_say_the_counts(adult: Client, owner: User) -> None:
    titles = list(Title.objects.order_by("slug")[:12])
    scores = [7, 7, 9, None, 3, 10, 7, None, 1, 9, 9, 9]
    for title, score in zip(titles, scores, strict=True):
        _entry(owner, title, "public", score=score)
    _entry(owner, Title.objects.order_by("slug")[12], "private", score=5)  # not counted anywhere
    html = _html(adult, "/u/mika/")
    svgs = _svgs(html)
    assert set(svgs) == {"chart-scores", "chart-subgenre", "chart-intensity"}
    counted = Counter(s for s in scores if s is not None)
    assert _bars(svgs["chart-scores"]) == {str(s): counted.get(s, 0) for s in range(1, 11)}
    assert "2 entries not scored" in html
    for axis in ("subgenre", "intensity"):
        rows = TitleAxisValue.objects.filter(title__in=titles, axis__key=axis)
        expected = Counter(rows.values_list("value__label", flat=True))
        labels = AxisValue.objects.filter(axis__key=axis).values_list("label", flat=True)
        assert _bars(svgs[f"chart-{axis}"]) == {label: expected.get(label, 0) for label in labels}, axis
    for svg in svgs.values():
        assert svg.get("role") == "img"
        assert svg.find(f"{SVG}title") is not None
        assert svg.find(f"{SVG}desc") is not None
    assert '<table class="chart-table">' in html  # the same numbers, as text


def test_the_pages_carry_no_inline_style_or_script(adult: Client, shelf: dict[str, LibraryEntry]) -> None:
    for url in ("/u/mika/", f"/u/mika/e/{shelf['public'].share_token}/"):
        html = _html(adult, url)
        assert " style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # the htmx script is a file


def test_counts_per_status_and_progress_are_shown(unverified: Client, owner: User) -> None:
    one, two, three = _visible(3)
    _entry(owner, one, "public", status="reading", chapters_read=12, volumes_read=2)
    _entry(owner, two, "public", status="reading")
    _entry(owner, three, "public", status="completed")
    html = _html(unverified, "/u/mika/")
    assert "<strong>2</strong> Reading" in html
    assert "<strong>1</strong> Completed" in html
    assert "<strong>0</strong> Dropped" in html
    of = f" of {one.chapters}" if one.chapters else ""
    assert f"ch. 12{of}" in html


def test_a_reader_with_no_public_entries_has_a_plain_profile(unverified: Client, owner: User) -> None:
    _entry(owner, _visible(1)[0], "private")
    html = _html(unverified, "/u/mika/")
    assert "No public entries." in html
    assert "<svg" not in html


def test_the_profile_pages_its_entries(unverified: Client, owner: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profile_selectors, "PER_PAGE", 2)
    titles = _visible(3)
    for title in titles:
        _entry(owner, title, "public")
    first, second = _html(unverified, "/u/mika/"), _html(unverified, "/u/mika/?page=2")
    assert "Page 1 of 2" in first
    assert 'href="?page=2#entries"' in first
    assert sum(t.title in second.split('id="entries"')[1] for t in titles) == 1
    assert "3 public entries" in second  # the counts are over every page


@pytest.mark.parametrize(
    ("query", "param"), [("page=abc", "page"), ("page=0", "page"), ("page=3", "page"), ("q=x", "q")]
)
def test_bad_profile_parameters_are_400_naming_the_parameter(
    unverified: Client, shelf: dict[str, LibraryEntry], query: str, param: str
) -> None:
    response = unverified.get(f"/u/mika/?{query}")
    assert response.status_code == 400
    assert f"<strong>{param}</strong>" in response.content.decode()


def test_bad_entry_page_parameters_are_400(unverified: Client, shelf: dict[str, LibraryEntry]) -> None:
    url = f"/u/mika/e/{shelf['public'].share_token}/"
    assert unverified.get(f"{url}?show=always").status_code == 400
    assert unverified.get(f"{url}?page=2").status_code == 400
    assert unverified.post(url).status_code == 405
