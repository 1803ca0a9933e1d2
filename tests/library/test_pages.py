"""The library's pages as a reader uses them: quick actions (htmx and plain POST), the library page's
filters and counts, one entry's edit page, and the import page with its unmatched entries."""

from __future__ import annotations

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.catalog.services import title_alt_title_add
from shuraba.library import services
from shuraba.library.models import LibraryEntry, LibraryImport, UnmatchedEntry, UnmatchedState

HTMX = {"HTTP_HX_REQUEST": "true"}


def _teen(n: int = 0) -> Title:
    return list(Title.objects.filter(content_rating="teen").order_by("pk"))[n]


def _entry(user: User, title: Title, **fields: object) -> LibraryEntry:
    now = timezone.now()
    return LibraryEntry.objects.create(user=user, title=title, created_at=now, updated_at=now, **fields)


def _mal(*blocks: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" ?><myanimelist><myinfo><user_export_type>2</user_export_type>'
        "</myinfo>" + "".join(blocks) + "</myanimelist>"
    ).encode()


def _block(name: str, status: str = "Reading", chapters: int = 0, score: int = 0) -> str:
    return (
        f"<manga><manga_mangadb_id>0</manga_mangadb_id><manga_title><![CDATA[{name}]]></manga_title>"
        f"<my_read_chapters>{chapters}</my_read_chapters><my_score>{score}</my_score>"
        f"<my_status>{status}</my_status></manga>"
    )


def test_the_library_asks_an_anonymous_visitor_to_sign_in(unverified: Client) -> None:
    response = unverified.get("/library/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/library/")


def test_a_quick_add_without_javascript_adds_the_title_and_returns_to_the_page(
    reader: User, reader_client: Client
) -> None:
    title = _teen()
    response = reader_client.post(
        "/library/entry/", {"title": title.slug, "status": "reading", "next": f"/titles/{title.slug}/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/titles/{title.slug}/"
    entry = LibraryEntry.objects.get(user=reader, title=title)
    assert entry.status == "reading"
    page = reader_client.get(f"/titles/{title.slug}/")
    assert f"Added “{title.title}” to your library." in page.content.decode()
    assert "In your library" in page.content.decode()


def test_a_quick_action_with_htmx_answers_the_form_in_place(reader: User, reader_client: Client) -> None:
    title = _teen()
    added = reader_client.post("/library/entry/", {"title": title.slug, "status": "plan-to-read"}, **HTMX)
    assert added.status_code == 200
    html = added.content.decode()
    assert html.startswith('<form class="library-quick')
    assert "Added" in html
    assert 'value="remove"' in html
    changed = reader_client.post(
        "/library/entry/", {"title": title.slug, "status": "completed", "full": "1", "score": "9"}, **HTMX
    )
    assert changed.status_code == 200
    entry = LibraryEntry.objects.get(user=reader, title=title)
    assert (entry.status, entry.score) == ("completed", 9)
    assert entry.chapters_read == (title.chapters or 0)  # completed takes the title's chapter count
    removed = reader_client.post("/library/entry/", {"title": title.slug, "action": "remove"}, **HTMX)
    assert removed.status_code == 200
    assert not LibraryEntry.objects.filter(user=reader, title=title).exists()
    assert "Add to your library" in removed.content.decode()


def test_a_wrong_value_is_said_in_place_with_htmx_and_on_a_page_without(reader: User, reader_client: Client) -> None:
    title = _teen()
    htmx = reader_client.post("/library/entry/", {"title": title.slug, "status": "reding"}, **HTMX)
    assert htmx.status_code == 422
    assert "Not saved: status is &#x27;reding&#x27;" in htmx.content.decode()
    plain = reader_client.post("/library/entry/", {"title": title.slug, "status": "reading", "score": "11"})
    assert plain.status_code == 400
    html = plain.content.decode()
    assert "Not saved: score: score is 11; scores go from 1 to 10" in html
    assert 'name="notes"' in html  # the whole form is there to correct
    assert not LibraryEntry.objects.filter(user=reader).exists()


def test_a_title_behind_the_age_gate_cannot_be_added_until_18_plus_is_confirmed(
    reader: User, reader_client: Client, gated_title: Title
) -> None:
    missing = reader_client.post("/library/entry/", {"title": "no-such-title", "status": "reading"})
    gated = reader_client.post("/library/entry/", {"title": gated_title.slug, "status": "reading"})
    assert missing.status_code == gated.status_code == 404
    assert not LibraryEntry.objects.filter(user=reader).exists()
    reader.age_confirmed_at = timezone.now()
    reader.save()
    assert reader_client.post("/library/entry/", {"title": gated_title.slug, "status": "reading"}).status_code == 302


def test_an_anonymous_quick_action_is_sent_to_sign_in(unverified: Client) -> None:
    title = _teen()
    response = unverified.post("/library/entry/", {"title": title.slug, "status": "reading", "next": "/browse/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/browse/"  # encoded, slashes kept
    assert unverified.post("/library/entry/", {"title": title.slug}, **HTMX).status_code == 422
    assert not LibraryEntry.objects.exists()


def test_cards_carry_the_quick_form_for_readers_only(reader: User, reader_client: Client, unverified: Client) -> None:
    title = _teen()
    _entry(reader, title, status="dropped")
    signed_in = reader_client.get("/browse/?per_page=100").content.decode()
    assert signed_in.count('class="library-quick') >= 2
    assert '<option value="dropped" selected>' in signed_in
    assert 'class="library-quick' not in unverified.get("/browse/?per_page=100").content.decode()


def test_the_library_page_filters_sorts_and_counts(reader: User, reader_client: Client) -> None:
    first, second, third = _teen(0), _teen(1), _teen(2)
    _entry(reader, first, status="reading", score=4)
    _entry(reader, second, status="completed", score=9, notes="only mine")
    _entry(reader, third, status="completed", privacy="private")
    page = reader_client.get("/library/?status=completed&sort=score")
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 entries match" in html
    assert html.index(second.title) < html.index(third.title)
    assert first.title not in html.split("<tbody>")[1]
    assert '<span class="count">1</span>' in html
    assert '<span class="count">2</span>' in html
    reverse = reader_client.get("/library/?status=completed&sort=score&order=reverse").content.decode()
    assert reverse.index(third.title) < reverse.index(second.title)  # unscored first, then 9
    assert reader_client.get("/library/?order=backwards").status_code == 400
    assert "1 entry matches" in reader_client.get("/library/?score_min=8").content.decode()
    assert "1 entry matches" in reader_client.get("/library/?privacy=private").content.decode()
    assert "1 entry matches" in reader_client.get("/library/?notes=1").content.decode()
    assert "1 entry matches" in reader_client.get(f"/library/?q={first.title[:8]}").content.decode()


def test_a_wrong_filter_is_a_400_that_keeps_the_page(reader: User, reader_client: Client) -> None:
    response = reader_client.get("/library/?sort=best")
    assert response.status_code == 400
    html = response.content.decode()
    assert "sort: one of updated, title, score" in html
    assert 'name="status"' in html
    assert reader_client.get("/library/?score_min=eleven").status_code == 400
    assert reader_client.get("/library/?status=reding").status_code == 400


def test_entries_my_rules_hide_stay_marked_and_gated_ones_are_counted_not_named(
    reader: User, reader_client: Client, gated_title: Title
) -> None:
    saved = reader_client.post("/settings/avoid/", {"rules": "", "presets": ["ntr-free"]})
    assert saved.status_code == 302
    hidden = Title.objects.filter(content_rating="teen", axis_values__axis__key="subgenre").order_by("pk").first()
    assert hidden is not None
    _entry(reader, hidden, status="reading")
    _entry(reader, gated_title, status="completed")
    html = reader_client.get("/library/").content.decode()
    assert hidden.title in html
    assert "hidden by NTR-free" in html
    assert "1 entry is for titles behind the age gate" in html
    assert gated_title.title not in html
    only = reader_client.get("/library/?hidden=yes").content.decode()
    assert "1 entry matches" in only


def test_the_edit_page_saves_every_field_and_keeps_a_wrong_form(reader: User, reader_client: Client) -> None:
    title = _teen()
    url = f"/library/titles/{title.slug}/"
    form = {
        "status": "on-hold",
        "chapters_read": "12",
        "volumes_read": "2",
        "score": "7",
        "started_on": "2024-03",
        "finished_on": "",
        "reread_count": "1",
        "privacy": "unlisted",
        "notes": "Stopped at the festival arc.",
    }
    assert reader_client.post(url, form).status_code == 302
    entry = LibraryEntry.objects.get(user=reader, title=title)
    assert (entry.status, entry.chapters_read, entry.started_on) == ("on-hold", 12, "2024-03")
    assert entry.privacy == "unlisted"
    assert entry.notes == "Stopped at the festival arc."
    wrong = reader_client.post(url, {**form, "finished_on": "2023-13-01", "notes": "changed"})
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert "finished_on has the month 13" in html
    assert "changed" in html  # what the reader typed is still in the form
    entry.refresh_from_db()
    assert entry.notes == "Stopped at the festival arc."
    before = reader_client.post(url, {**form, "started_on": "2024-05-01", "finished_on": "2024-04-30"})
    assert before.status_code == 400
    assert "is before the start" in before.content.decode()
    assert reader_client.post(url, {"action": "remove"}).status_code == 302
    assert not LibraryEntry.objects.filter(user=reader).exists()


def test_an_import_from_the_page_reports_and_offers_unmatched_entries(reader: User, reader_client: Client) -> None:
    known = _teen()
    data = gzip.compress(_mal(_block(known.title, "Completed", 30, 8), _block("A Title Nobody Wrote", "Dropped")))
    response = reader_client.post("/library/import/", {"file": _upload("animelist.xml.gz", data)})
    assert response.status_code == 302
    page = reader_client.get("/library/import/").content.decode()
    assert "Imported: 1 added, 0 updated, 0 unchanged, 1 waiting to be matched, 0 rejected." in page
    assert "A Title Nobody Wrote" in page
    row = UnmatchedEntry.objects.get(user=reader)
    found = reader_client.get(f"/library/import/?find={row.pk}&q={_teen(1).title}").content.decode()
    assert _teen(1).title in found
    assert "This is it" in found
    picked = reader_client.post("/library/import/resolve/", {"unmatched": row.pk, "title": _teen(1).slug})
    assert picked.status_code == 302
    entry = LibraryEntry.objects.get(user=reader, title=_teen(1))
    assert entry.status == "dropped"
    row.refresh_from_db()
    assert row.state == UnmatchedState.RESOLVED


def test_leaving_an_unmatched_entry_and_a_broken_file(reader: User, reader_client: Client) -> None:
    reader_client.post("/library/import/", {"file": _upload("list.xml", _mal(_block("Nobody Wrote This")))})
    row = UnmatchedEntry.objects.get(user=reader)
    assert reader_client.post("/library/import/resolve/", {"unmatched": row.pk, "action": "leave"}).status_code == 302
    row.refresh_from_db()
    assert row.state == UnmatchedState.LEFT
    runs = LibraryImport.objects.count()
    broken = reader_client.post("/library/import/", {"file": _upload("list.xml", _mal(_block("x"))[:-20])})
    assert broken.status_code == 400
    assert "Nothing was imported: the XML does not read at line 1" in broken.content.decode()
    assert LibraryImport.objects.count() == runs
    nofile = reader_client.post("/library/import/", {})
    assert nofile.status_code == 400
    assert "Choose a file to import" in nofile.content.decode()
    other = reader_client.post("/library/import/resolve/", {"unmatched": "999999", "title": _teen().slug})
    assert other.status_code == 400


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture(autouse=True)
def _sample(db: None) -> None:
    assert Title.objects.filter(content_rating="teen").count() >= 3


def test_the_account_export_carries_the_library_with_notes_and_private_entries(
    reader: User, reader_client: Client, gated_title: Title
) -> None:
    _entry(reader, _teen(), status="reading", privacy="private", notes="mine alone")
    _entry(reader, gated_title, status="completed")
    data = reader_client.get("/settings/export.json").json()
    entries = data["library"]["entries"]
    assert [(e["title"], e["privacy"], e["notes"]) for e in entries] == [(_teen().slug, "private", "mine alone")]
    assert data["library"]["left_out"] == {"age_gate": 1}
    assert gated_title.slug not in str(data)


def test_an_import_does_not_tell_who_may_not_see_a_title_that_it_exists(
    reader: User, reader_client: Client, gated_title: Title
) -> None:
    data = _mal(_block(gated_title.title, "Completed", 10, 9))
    assert reader_client.post("/library/import/", {"file": _upload("list.xml", data)}).status_code == 302
    page = reader_client.get("/library/import/").content.decode()
    assert "0 added, 0 updated, 0 unchanged, 1 waiting to be matched" in page
    assert f'value="{gated_title.slug}"' not in page  # not offered while 18+ is not confirmed
    assert not LibraryEntry.objects.filter(user=reader).exists()
    reader.age_confirmed_at = timezone.now()
    reader.save()
    offered = reader_client.get("/library/import/").content.decode()
    assert f'value="{gated_title.slug}"' in offered  # the title the name matched, now offered
    row = UnmatchedEntry.objects.get(user=reader)
    reader_client.post("/library/import/resolve/", {"unmatched": row.pk, "title": gated_title.slug})
    assert LibraryEntry.objects.get(user=reader, title=gated_title).score == 9


def test_a_name_a_gated_title_also_bears_matches_the_title_the_reader_may_see(
    reader: User, reader_client: Client, gated_title: Title
) -> None:
    """The import decides as if the gated twin did not exist: the same answer as without it."""
    safe = _teen(2)
    title_alt_title_add(title=gated_title, kind="synonym", text=safe.title, source="editor")
    data = _mal(_block(safe.title, "Reading", 4))
    reader_client.post("/library/import/", {"file": _upload("list.xml", data)})
    assert LibraryEntry.objects.get(user=reader).title == safe
    assert not UnmatchedEntry.objects.filter(user=reader).exists()
    page = reader_client.get("/library/import/").content.decode()
    assert "1 added, 0 updated, 0 unchanged, 0 waiting to be matched" in page


def test_a_quick_form_error_without_javascript_keeps_the_entry_s_other_fields(
    reader: User, reader_client: Client
) -> None:
    title = _teen()
    _entry(reader, title, status="reading", privacy="private", notes="keep these notes", started_on="2024-01")
    wrong = reader_client.post("/library/entry/", {"title": title.slug, "status": "reading", "score": "11"})
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert "keep these notes" in html
    assert 'value="2024-01"' in html
    assert '<option value="private" selected>' in html


def test_writes_to_a_library_are_transactions() -> None:
    """Each service that writes a library is one transaction (a decorator slipped onto a helper once)."""
    for write in (
        services.entry_save,
        services.entry_remove,
        services.library_import,
        services.library_settings_save,
        services.unmatched_resolve,
        services.unmatched_leave,
    ):
        assert hasattr(write, "__wrapped__"), write.__name__  # transaction.atomic's wrapper


def test_completed_from_the_title_page_takes_the_title_s_chapter_count(reader: User, reader_client: Client) -> None:
    title = Title.objects.filter(content_rating="teen", chapters__gt=0).order_by("pk").first()
    assert title is not None
    form = {"title": title.slug, "status": "completed", "full": "1", "chapters_read": "0", "score": ""}
    reader_client.post("/library/entry/", form)
    assert LibraryEntry.objects.get(user=reader, title=title).chapters_read == title.chapters
