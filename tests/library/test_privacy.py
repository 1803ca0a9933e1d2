"""Who reads what of a library, over every surface (the library page, an entry's page, the profile, an
entry's shared link, the API, both exports and the account export) for the owner, another reader, an
anonymous visitor and an editor: private entries and notes are readable by the owner only, and notes
appear nowhere but the owner's own pages and exports."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.library.models import LibraryEntry

PRIVACIES = ("public", "unlisted", "private")


@dataclass(frozen=True)
class Shelf:
    owner: User
    titles: dict[str, Title]  # privacy -> title
    entries: dict[str, LibraryEntry]

    @staticmethod
    def note(privacy: str) -> str:
        return f"NOTE-{privacy.upper()}-only-the-owner-reads-this"


@pytest.fixture
def shelf(db: None) -> Shelf:
    owner = User.objects.create_user("shelf-owner", email="owner@example.test", password="a-long-owner-password")
    titles = dict(zip(PRIVACIES, Title.objects.filter(content_rating="teen").order_by("pk")[:3], strict=True))
    now = timezone.now()
    entries = {
        privacy: LibraryEntry.objects.create(
            user=owner,
            title=title,
            status="reading",
            privacy=privacy,
            notes=Shelf.note(privacy),
            created_at=now,
            updated_at=now,
        )
        for privacy, title in titles.items()
    }
    return Shelf(owner, titles, entries)


def _client(who: str, shelf: Shelf) -> Client:
    client = Client()
    if who == "owner":
        client.force_login(shelf.owner)
    elif who == "other":
        client.force_login(User.objects.create_user("other-reader", password="another-long-password"))
    elif who == "editor":
        client.force_login(User.objects.create_user("an-editor", password="a-long-editor-pw", is_staff=True))
    return client


def _own_surfaces(shelf: Shelf) -> dict[str, tuple[set[str], set[str]]]:
    """Surfaces that show the *viewer's own* library -> (the privacies whose entry names, and whose notes,
    the owner finds there). Anyone else finds none of them there (an entry's page is about its title, so
    its name is on it for everyone; the notes are not)."""
    every = set(PRIVACIES)
    return {
        "/library/": (every, set()),  # the table marks notes, it does not print them
        "/library/?privacy=private": ({"private"}, set()),
        **{f"/library/titles/{t.slug}/": (set(), {p}) for p, t in shelf.titles.items()},
        "/api/v1/me/library": (every, every),
        "/api/v1/me/library/export.xml": (every, every),
        "/api/v1/me/library/export.json": (every, every),
        "/settings/export.json": (every, every),
    }


@pytest.mark.parametrize("who", ["owner", "other", "anonymous", "editor"])
def test_the_viewer_s_own_surfaces_show_the_owner_s_entries_and_notes_to_the_owner_only(shelf: Shelf, who: str) -> None:
    client = _client(who, shelf)
    for url, (names, notes) in _own_surfaces(shelf).items():
        response = client.get(url)
        body = response.content.decode()
        if who == "anonymous":
            assert response.status_code in {302, 401}, url
        else:
            assert response.status_code == 200, url
        for privacy, title in shelf.titles.items():
            if "/library/titles/" not in url:
                assert (title.title in body) is (who == "owner" and privacy in names), (url, privacy)
            assert (Shelf.note(privacy) in body) is (who == "owner" and privacy in notes), (url, privacy)


@pytest.mark.parametrize("who", ["owner", "other", "anonymous", "editor"])
def test_the_profile_shows_public_entries_to_everyone_and_never_a_note(shelf: Shelf, who: str) -> None:
    client = _client(who, shelf)
    response = client.get(f"/u/{shelf.owner.username}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert shelf.titles["public"].title in body
    assert shelf.titles["unlisted"].title not in body
    assert shelf.titles["private"].title not in body
    assert not any(Shelf.note(p) in body for p in PRIVACIES)


@pytest.mark.parametrize("who", ["owner", "other", "anonymous", "editor"])
@pytest.mark.parametrize("privacy", PRIVACIES)
def test_a_shared_link_shows_a_public_or_unlisted_entry_and_a_private_one_to_its_owner_only(
    shelf: Shelf, who: str, privacy: str
) -> None:
    client = _client(who, shelf)
    entry = shelf.entries[privacy]
    response = client.get(f"/u/{shelf.owner.username}/e/{entry.share_token}/")
    readable = privacy != "private" or who == "owner"
    assert response.status_code == (200 if readable else 404)
    body = response.content.decode()
    assert (shelf.titles[privacy].title in body) is readable
    assert Shelf.note(privacy) not in body
    wrong = client.get(f"/u/{shelf.owner.username}/e/not-the-token/")
    assert wrong.status_code == 404
