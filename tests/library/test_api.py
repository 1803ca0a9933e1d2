"""The library's API, `/api/v1/me/library`: entries, add, change, remove, import and exports, for the signed-in
reader only; every write needs the CSRF token; nothing of one reader reaches another; the age gate holds."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from defusedxml import ElementTree as SafeTree
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from shuraba.accounts.apikit import CSRF_FAILED
from shuraba.accounts.models import User
from shuraba.accounts.rules import rules_parse
from shuraba.catalog.models import Title
from shuraba.library import services
from shuraba.library.api import NO_SUCH_TITLE, SIGN_IN, UploadCapped
from shuraba.library.models import LibraryEntry, LibraryImport, Privacy, Status, UnmatchedEntry
from shuraba.lists.api import SIGN_IN as LISTS_SIGN_IN
from shuraba.pairs.api import SIGN_IN as PAIRS_SIGN_IN
from shuraba.recommend.api import SIGN_IN as RECOMMEND_SIGN_IN
from shuraba.reviews.api import SIGN_IN as REVIEWS_SIGN_IN
from tests.urlmap import SIGNED_IN_API

API = "/api/v1/me/library"
PASSWORD = "a-long-reader-password"


# --- helpers ----------------------------------------------------------------------------------------


def _add(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post(API, json.dumps(body), content_type="application/json", headers=headers)


def _patch(client: Client, slug: str, body: dict[str, Any], **headers: str) -> Any:
    return client.patch(f"{API}/{slug}", json.dumps(body), content_type="application/json", headers=headers)


def _upload(client: Client, data: bytes, name: str = "mangalist.xml", **headers: str) -> Any:
    return client.post(f"{API}/import", {"file": SimpleUploadedFile(name, data)}, headers=headers)


def _signed_in(username: str, *, adult: bool = False, enforce_csrf: bool = False) -> tuple[User, Client]:
    user = User.objects.create_user(username, email=f"{username}@example.test", password=PASSWORD)
    if adult:
        user.age_confirmed_at = timezone.now()
        user.save(update_fields=["age_confirmed_at"])
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return user, client


def _safe_titles(count: int) -> list[Title]:
    titles = list(Title.objects.filter(content_rating__in=["all-ages", "teen", "mature"]).order_by("slug")[:count])
    assert len(titles) == count
    return titles


def _mal_xml(*mangas: dict[str, str], user: str = "synthetic-reader") -> bytes:
    """A MyAnimeList manga list export as MAL writes it (fictional titles of the sample catalog)."""
    blocks = []
    for manga in mangas:
        fields = {
            "manga_mangadb_id": "0",
            "my_read_volumes": "0",
            "my_read_chapters": "0",
            "my_start_date": "0000-00-00",
            "my_finish_date": "0000-00-00",
            "my_score": "0",
            "my_times_read": "0",
            "my_rereading": "NO",
            **manga,
        }
        inner = "".join(
            f"\t\t<{key}><![CDATA[{value}]]></{key}>\n"
            if key in ("manga_title", "my_comments")
            else f"\t\t<{key}>{value}</{key}>\n"
            for key, value in fields.items()
        )
        blocks.append(f"\t<manga>\n{inner}\t</manga>\n")
    head = (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<myanimelist>\n\t<myinfo>\n\t\t<user_id>1</user_id>\n'
        f"\t\t<user_name>{user}</user_name>\n\t\t<user_export_type>2</user_export_type>\n\t</myinfo>\n"
    )
    return (head + "".join(blocks) + "</myanimelist>\n").encode()


def _anilist_json(*entries: dict[str, Any]) -> bytes:
    lists = [{"name": "Reading", "isCustomList": False, "status": "CURRENT", "entries": list(entries)}]
    return json.dumps({"data": {"MediaListCollection": {"lists": lists}}}).encode()


def _library_state(user: User) -> list[tuple[Any, ...]]:
    fields = ("title_id", "status", "chapters_read", "score", "notes", "privacy", "updated_at")
    return list(LibraryEntry.objects.filter(user=user).order_by("title_id").values_list(*fields))


def _rule_hidden_title(rule: str) -> Title:
    condition = rules_parse([rule]).rules[0].condition()
    title = Title.objects.filter(condition, content_rating__in=["all-ages", "teen", "mature"]).order_by("slug").first()
    assert title is not None, f"the sample catalog must hold a visible title that {rule} hides"
    return title


# --- who may ask ------------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", sorted(SIGNED_IN_API))
def test_a_visitor_who_is_not_signed_in_is_answered_401_on_every_endpoint(
    unverified: Client, open_title: Title, pattern: str
) -> None:
    method, url = SIGNED_IN_API[pattern]
    url = url.replace("no-such-title", open_title.slug)
    body = json.dumps({"title": open_title.slug, "status": "reading"})
    sent = {} if method == "get" else {"data": body, "content_type": "application/json"}
    response = getattr(unverified, method)(url, **sent)
    assert response.status_code == 401
    lists = {"list_create", "list_update", "list_delete", "item_add", "item_update", "item_remove", "items_order"}
    lists |= {"suggestions", "suggestion_make", "suggestion_decide"}
    if pattern.removeprefix("api-1:") in lists:
        expected = LISTS_SIGN_IN
    elif pattern.removeprefix("api-1:").startswith("pair_"):
        expected = PAIRS_SIGN_IN
    elif pattern.removeprefix("api-1:").startswith("not_interested"):
        expected = RECOMMEND_SIGN_IN
    else:
        expected = REVIEWS_SIGN_IN if "review" in pattern or "vote" in pattern else SIGN_IN
    assert response.json() == {"detail": expected}
    assert SIGN_IN == "sign in to use your library: /accounts/login/"
    assert not LibraryEntry.objects.exists()


def test_every_write_without_the_csrf_token_is_403_in_the_words_of_the_avoid_rules_api(open_title: Title) -> None:
    reader, client = _signed_in("csrf-reader", enforce_csrf=True)
    services.entry_save(user=reader, title=open_title, changes={"status": "reading"})
    before = _library_state(reader)
    refused = [
        _add(client, {"title": open_title.slug, "status": "dropped"}),
        _patch(client, open_title.slug, {"status": "dropped"}),
        client.delete(f"{API}/{open_title.slug}"),
        _upload(client, _mal_xml({"manga_title": open_title.title, "my_status": "Dropped"})),
    ]
    rules = client.put("/api/v1/me/avoid-rules", json.dumps({"rules": []}), content_type="application/json")
    assert rules.json()["detail"] == CSRF_FAILED
    for response in refused:
        assert (response.status_code, response.json()) == (403, {"detail": CSRF_FAILED}), response.request
    assert _library_state(reader) == before
    assert not LibraryImport.objects.exists()
    client.get("/settings/avoid/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    assert _patch(client, open_title.slug, {"status": "dropped"}, **{"X-CSRFToken": token}).status_code == 200
    imported = _upload(
        client, _mal_xml({"manga_title": open_title.title, "my_status": "Reading"}), **{"X-CSRFToken": token}
    )
    assert (imported.status_code, imported.json()["updated"]) == (200, 1)
    assert client.delete(f"{API}/{open_title.slug}", headers={"X-CSRFToken": token}).status_code == 204


# --- add, change, remove ------------------------------------------------------------------------------


def test_adding_a_title_is_201_with_every_field_and_adding_it_again_is_200_and_changes_only_what_is_given(
    reader: User, reader_client: Client, open_title: Title
) -> None:
    services.library_settings_save(user=reader, default_privacy=Privacy.UNLISTED)
    body = {"title": open_title.slug, "status": "reading", "chapters_read": 12, "score": 8, "started_on": "2024-03"}
    created = _add(reader_client, {**body, "notes": "synthetic note: pick up at the festival arc"})
    assert created.status_code == 201, created.content
    entry = created.json()
    assert entry["title"] == open_title.slug
    assert entry["name"] == open_title.title
    assert entry["chapters"] == open_title.chapters
    assert {k: entry[k] for k in body if k != "title"} == {k: v for k, v in body.items() if k != "title"}
    assert entry["privacy"] == "unlisted"  # the reader's default
    assert entry["notes"] == "synthetic note: pick up at the festival arc"
    assert entry["hidden_by"] == []
    assert (entry["finished_on"], entry["volumes_read"], entry["reread_count"]) == ("", 0, 0)
    assert not {"id", "pk", "title_id"} & set(entry)
    again = _add(reader_client, {"title": open_title.slug, "chapters_read": 20})
    assert again.status_code == 200
    assert again.json() == {**entry, "chapters_read": 20, "updated_at": again.json()["updated_at"]}
    assert LibraryEntry.objects.filter(user=reader).count() == 1


def test_patch_changes_the_given_fields_only(reader: User, reader_client: Client, open_title: Title) -> None:
    _add(reader_client, {"title": open_title.slug, "status": "reading", "score": 6, "notes": "synthetic"})
    changed = _patch(reader_client, open_title.slug, {"score": None, "finished_on": "2025", "status": "completed"})
    assert changed.status_code == 200, changed.content
    entry = changed.json()
    assert (entry["score"], entry["finished_on"], entry["status"], entry["notes"]) == (
        None,
        "2025",
        "completed",
        "synthetic",
    )
    assert entry["chapters_read"] == (open_title.chapters or 0)  # completed without a count takes the title's
    stored = LibraryEntry.objects.get(user=reader, title=open_title)
    assert (stored.score, stored.finished_on, stored.status) == (None, "2025", "completed")


def test_delete_is_204_and_then_404_because_the_title_is_not_in_the_library(
    reader: User, reader_client: Client, open_title: Title
) -> None:
    _add(reader_client, {"title": open_title.slug})
    removed = reader_client.delete(f"{API}/{open_title.slug}")
    assert (removed.status_code, removed.content) == (204, b"")
    assert not LibraryEntry.objects.filter(user=reader).exists()
    again = reader_client.delete(f"{API}/{open_title.slug}")
    assert (again.status_code, again.json()) == (404, {"detail": "this title is not in your library"})
    patched = _patch(reader_client, open_title.slug, {"status": "dropped"})
    assert (patched.status_code, patched.json()) == (404, {"detail": "this title is not in your library"})


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ({"colour": "red"}, "colour", "not a library field; the fields are status, chapters_read"),
        ({"status": "skimming"}, "status", "status is 'skimming'; one of reading, completed"),
        ({"score": 11}, "score", "scores go from 1 to 10"),
        ({"score": "great"}, "score", "not a score"),
        ({"started_on": "2024-02-30"}, "started_on", "started_on is not a date (2024-02-30"),
        ({"started_on": "March 2024"}, "started_on", "write YYYY-MM-DD, YYYY-MM or YYYY"),
        ({"started_on": "2024-05", "finished_on": "2024-04-01"}, "finished_on", "is before the start, 2024-05"),
        ({"chapters_read": -1}, "chapters_read", "it must be between 0 and 100,000"),
        ({"privacy": "friends"}, "privacy", "privacy is 'friends'; one of public, unlisted, private"),
        ({"notes": 5}, "notes", "notes must be text"),
        ({"notes": "x" * 5001}, "notes", "notes keep up to 5,000"),
    ],
)
def test_a_field_that_does_not_read_is_a_400_naming_it_and_nothing_is_saved(  # noqa: PLR0917 (fixtures, then parameters)
    reader: User, reader_client: Client, open_title: Title, body: dict[str, Any], param: str, words: str
) -> None:
    added = _add(reader_client, {"title": open_title.slug, **body})
    assert added.status_code == 400
    assert added.json()["param"] == param
    assert words in added.json()["detail"]
    assert not LibraryEntry.objects.filter(user=reader).exists()
    _add(reader_client, {"title": open_title.slug, "status": "reading"})
    before = _library_state(reader)
    patched = _patch(reader_client, open_title.slug, body)
    assert (patched.status_code, patched.json()["param"]) == (400, param)
    assert words in patched.json()["detail"]
    assert _library_state(reader) == before


@pytest.mark.parametrize(
    ("raw", "param"),
    [(b"{not json", "body"), (b'["status", "reading"]', "body"), (b'{"status": "reading"}', "title")],
)
def test_a_body_that_is_not_an_entry_is_a_400(reader_client: Client, raw: bytes, param: str) -> None:
    response = reader_client.post(API, raw, content_type="application/json")
    assert (response.status_code, response.json()["param"]) == (400, param)


def test_an_age_gated_title_is_404_for_an_unverified_reader_exactly_like_a_missing_one(
    reader: User, reader_client: Client, gated_title: Title
) -> None:
    missing = _add(reader_client, {"title": "no-such-title-anywhere", "status": "reading"})
    gated = _add(reader_client, {"title": gated_title.slug, "status": "reading"})
    assert missing.status_code == gated.status_code == 404
    assert missing.json() == gated.json() == {"detail": NO_SUCH_TITLE}
    assert NO_SUCH_TITLE == "no such title: name it by its slug, as /api/v1/titles lists it"
    assert missing.content == gated.content
    services.entry_save(user=reader, title=gated_title, changes={"status": "reading"})  # shelved while 18+
    for response in (
        _patch(reader_client, gated_title.slug, {"status": "dropped"}),
        reader_client.delete(f"{API}/{gated_title.slug}"),
    ):
        assert (response.status_code, response.content) == (404, missing.content)
    assert LibraryEntry.objects.get(user=reader, title=gated_title).status == "reading"
    _, adult = _signed_in("adult-reader", adult=True)
    assert _add(adult, {"title": gated_title.slug}).status_code == 201


def test_a_title_the_readers_rules_hide_may_be_added_and_is_marked_with_the_rule(
    reader_client: Client,
) -> None:
    saved = reader_client.put(
        "/api/v1/me/avoid-rules", json.dumps({"rules": ["ending:tragedy"]}), content_type="application/json"
    )
    assert saved.status_code == 200
    title = _rule_hidden_title("ending:tragedy")
    assert reader_client.get(f"/api/v1/titles/by-slug/{title.slug}").status_code == 403  # hidden elsewhere
    added = _add(reader_client, {"title": title.slug, "status": "dropped"})
    assert added.status_code == 201
    assert added.json()["hidden_by"] == ["ending:tragedy"]
    listed = reader_client.get(API).json()
    assert [(e["title"], e["hidden_by"]) for e in listed["entries"]] == [(title.slug, ["ending:tragedy"])]
    assert listed["rules_hidden"] == 1
    assert reader_client.get(API, {"hidden": "no"}).json()["entries"] == []
    assert [e["title"] for e in reader_client.get(API, {"hidden": "yes"}).json()["entries"]] == [title.slug]


# --- the list -----------------------------------------------------------------------------------------


def test_the_list_has_every_entry_with_counts_totals_and_page_info(reader: User, reader_client: Client) -> None:
    first, second, third = _safe_titles(3)
    services.entry_save(user=reader, title=first, changes={"status": "reading", "score": 9, "notes": "synthetic"})
    services.entry_save(user=reader, title=second, changes={"status": "dropped", "score": 3, "privacy": "private"})
    services.entry_save(user=reader, title=third, changes={"status": "reading"})
    response = reader_client.get(API, {"sort": "title"})
    assert "private" in response["Cache-Control"]  # one reader's library: no shared cache may keep it
    data = response.json()
    assert [e["title"] for e in data["entries"]] == [first.slug, second.slug, third.slug]
    assert (data["total"], data["everything"], data["page"], data["pages"], data["per_page"]) == (3, 3, 1, 1, 50)
    assert data["counts"] == {status: {"reading": 2, "dropped": 1}.get(status, 0) for status in Status.values}
    assert data["left_out"] == {"age_gate": 0}
    assert (data["rules_hidden"], data["unmatched_open"]) == (0, 0)
    assert data["entries"][1]["privacy"] == "private"
    assert data["entries"][0]["notes"] == "synthetic"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=reading", {0, 2}),
        ("status=reading&status=dropped", {0, 1, 2}),
        ("privacy=private", {1}),
        ("score_min=5", {0}),
        ("score_max=5", {1}),
        ("score_min=3&score_max=9", {0, 1}),
        ("notes=true", {0}),
        ("notes=false", {0, 1, 2}),
        ("q={name}", {2}),
        ("sort=score&page=1", {0, 1, 2}),
    ],
)
def test_the_library_pages_filters_are_query_parameters(
    reader: User, reader_client: Client, query: str, expected: set[int]
) -> None:
    titles = _safe_titles(3)
    services.entry_save(user=reader, title=titles[0], changes={"status": "reading", "score": 9, "notes": "synthetic"})
    services.entry_save(user=reader, title=titles[1], changes={"status": "dropped", "score": 3, "privacy": "private"})
    services.entry_save(user=reader, title=titles[2], changes={"status": "reading"})
    response = reader_client.get(f"{API}?{query.format(name=titles[2].title[2:14])}")
    assert response.status_code == 200, response.content
    assert {e["title"] for e in response.json()["entries"]} == {titles[i].slug for i in expected}


def test_sorting_by_score_puts_unscored_entries_last(reader: User, reader_client: Client) -> None:
    titles = _safe_titles(3)
    for title, score in zip(titles, (None, 4, 7), strict=True):
        services.entry_save(user=reader, title=title, changes={"score": score})
    entries = reader_client.get(API, {"sort": "score"}).json()["entries"]
    assert [e["score"] for e in entries] == [7, 4, None]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("status=skimming", "status"),
        ("privacy=friends", "privacy"),
        ("score_min=11", "score_min"),
        ("score_max=0", "score_max"),
        ("hidden=maybe", "hidden"),
        ("notes=sometimes", "notes"),
        ("sort=sideways", "sort"),
        ("page=abc", "page"),
        ("page=2", "page"),
        ("colour=red", "colour"),
    ],
)
def test_a_filter_that_does_not_read_is_a_400_naming_it(reader_client: Client, query: str, param: str) -> None:
    response = reader_client.get(f"{API}?{query}")
    assert response.status_code == 400
    assert response.json()["param"] == param
    assert response.json()["detail"]


def test_an_age_gated_entry_is_left_out_of_the_list_and_exports_and_counted(
    reader: User, reader_client: Client, gated_title: Title, open_title: Title
) -> None:
    services.entry_save(user=reader, title=gated_title, changes={"status": "reading", "notes": "synthetic gated"})
    services.entry_save(user=reader, title=open_title, changes={"status": "reading"})
    data = reader_client.get(API).json()
    assert [e["title"] for e in data["entries"]] == [open_title.slug]
    assert (data["left_out"], data["everything"], data["counts"]["reading"]) == ({"age_gate": 1}, 1, 1)
    exported = reader_client.get(f"{API}/export.json").json()
    assert [e["title"] for e in exported["entries"]] == [open_title.slug]
    assert exported["left_out"] == {"age_gate": 1}
    xml = reader_client.get(f"{API}/export.xml").content.decode()
    assert open_title.title in xml
    assert gated_title.title not in xml
    assert "synthetic gated" not in xml
    assert "1 entries are left out: their titles are behind the age gate" in xml
    for body in (json.dumps(data), json.dumps(exported), xml):
        assert gated_title.slug not in body
    reader.age_confirmed_at = timezone.now()
    reader.save(update_fields=["age_confirmed_at"])
    assert reader_client.get(API).json()["left_out"] == {"age_gate": 0}
    assert gated_title.title in reader_client.get(f"{API}/export.xml").content.decode()


# --- privacy ------------------------------------------------------------------------------------------


def test_another_reader_never_sees_the_first_readers_entries_or_notes(open_title: Title) -> None:
    owner, owner_client = _signed_in("owner")
    other, other_client = _signed_in("other")
    for privacy, title in zip(Privacy.values, _safe_titles(3), strict=True):
        _add(owner_client, {"title": title.slug, "privacy": privacy, "notes": f"synthetic secret {privacy}"})
    bodies = [
        other_client.get(API).content.decode(),
        other_client.get(f"{API}/export.json").content.decode(),
        other_client.get(f"{API}/export.xml").content.decode(),
    ]
    for body in bodies:
        assert "synthetic secret" not in body
        for title in _safe_titles(3):
            assert title.slug not in body
            assert title.title not in body
    assert other_client.get(API).json()["everything"] == 0
    before = _library_state(owner)
    first = _safe_titles(1)[0]
    assert _patch(other_client, first.slug, {"notes": "overwritten"}).status_code == 404
    assert other_client.delete(f"{API}/{first.slug}").status_code == 404
    added = _add(other_client, {"title": first.slug, "status": "dropped"})
    assert (added.status_code, added.json()["notes"]) == (201, "")
    assert _library_state(owner) == before
    assert LibraryEntry.objects.filter(user=other).count() == 1


def test_the_exports_hold_private_entries_and_notes_for_their_owner(reader: User, reader_client: Client) -> None:
    titles = _safe_titles(3)
    for privacy, title in zip(Privacy.values, titles, strict=True):
        services.entry_save(
            user=reader, title=title, changes={"privacy": privacy, "notes": f"synthetic {privacy} note", "score": 7}
        )
    exported = reader_client.get(f"{API}/export.json")
    assert exported["Content-Disposition"] == 'attachment; filename="shuraba-reader-library.json"'
    entries = {e["title"]: e for e in exported.json()["entries"]}
    assert {e["privacy"] for e in entries.values()} == set(Privacy.values)
    assert entries[titles[2].slug]["notes"] == "synthetic private note"
    assert exported.json()["format"] == "shuraba-library/1"
    xml = reader_client.get(f"{API}/export.xml")
    assert xml["Content-Type"] == "application/xml"
    assert xml["Content-Disposition"] == 'attachment; filename="shuraba-reader-manga.xml"'
    root = SafeTree.fromstring(xml.content)
    assert root.tag == "myanimelist"
    assert root.findtext("myinfo/user_name") == "reader"
    mangas = {m.findtext("manga_title"): m for m in root.iter("manga")}
    assert set(mangas) == {t.title for t in titles}
    assert mangas[titles[2].title].findtext("my_comments") == "synthetic private note"
    assert mangas[titles[2].title].findtext("my_score") == "7"


# --- import -------------------------------------------------------------------------------------------


def test_importing_a_mal_export_reports_created_updated_unchanged_unmatched_and_rejected(
    reader: User, reader_client: Client
) -> None:
    first, second, third = _safe_titles(3)
    services.entry_save(user=reader, title=second, changes={"status": "reading", "chapters_read": 3})
    services.entry_save(user=reader, title=third, changes={"status": "dropped"})
    data = _mal_xml(
        {"manga_title": first.title, "my_status": "Completed", "my_score": "8", "my_finish_date": "2024-06-00"},
        {"manga_title": second.title, "my_status": "Reading", "my_read_chapters": "10"},
        {"manga_title": third.title, "my_status": "Dropped"},
        {"manga_title": "A Title No Catalog Has (synthetic)", "my_status": "Plan to Read"},
        {"manga_title": "Scored Eleven (synthetic)", "my_status": "Reading", "my_score": "11"},
    )
    response = _upload(reader_client, data, "mangalist_1700000000_-_1.xml")
    assert response.status_code == 200, response.content
    report = response.json()
    assert {k: report[k] for k in ("format", "created", "updated", "unchanged", "unmatched", "rejected")} == {
        "format": "mal-xml",
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "unmatched": 1,
        "rejected": 1,
    }
    assert report["filename"] == "mangalist_1700000000_-_1.xml"
    assert report["rejections"] == [
        {
            "where": "manga entry 5",
            "name": "Scored Eleven (synthetic)",
            "reason": "my_score is 11; scores go from 1 to 10 (0 means not scored)",
        }
    ]
    entry = LibraryEntry.objects.get(user=reader, title=first)
    assert (entry.status, entry.score, entry.finished_on) == ("completed", 8, "2024-06")
    assert LibraryEntry.objects.get(user=reader, title=second).chapters_read == 10
    assert reader_client.get(API).json()["unmatched_open"] == 1


def test_a_gzipped_mal_export_and_an_anilist_list_are_told_apart_by_their_content(
    reader: User, reader_client: Client
) -> None:
    first, second = _safe_titles(2)
    gz = _upload(reader_client, gzip.compress(_mal_xml({"manga_title": first.title, "my_status": "Reading"})), "x.bin")
    assert (gz.status_code, gz.json()["format"], gz.json()["created"]) == (200, "mal-xml", 1)
    media = {"id": 0, "title": {"romaji": second.title}}
    anilist = _anilist_json({"mediaId": None, "status": "CURRENT", "progress": 4, "media": media, "private": True})
    answered = _upload(reader_client, anilist, "list.xml")  # the name says XML; the content is AniList's JSON
    assert (answered.status_code, answered.json()["format"], answered.json()["created"]) == (200, "anilist-json", 1)
    entry = LibraryEntry.objects.get(user=reader, title=second)
    assert (entry.chapters_read, entry.privacy) == (4, "private")


def test_an_import_without_a_file_is_a_400_naming_the_field(reader_client: Client) -> None:
    for response in (
        reader_client.post(f"{API}/import", {}),
        reader_client.post(f"{API}/import", {"list": SimpleUploadedFile("a.xml", b"<myanimelist/>")}),
        reader_client.post(f"{API}/import", {"file": "<myanimelist/>"}),  # a text field, not a file
        reader_client.post(f"{API}/import", b"<myanimelist/>", content_type="application/xml"),
    ):
        assert response.status_code == 400
        assert response.json()["param"] == "file"
        assert "multipart/form-data file field named `file`" in response.json()["detail"]


def test_a_body_that_is_not_multipart_as_it_claims_is_a_400(reader_client: Client) -> None:
    response = reader_client.post(
        f"{API}/import", b"--nothing\r\ngarbage", content_type="multipart/form-data; boundary="
    )
    assert (response.status_code, response.json()["param"]) == (400, "file")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<myanimelist><manga><manga_title>Cut off", "the XML does not read at line 1"),
        (b"\xff\xfe<\x00m\x00", "the file is not UTF-8 text"),
        (b"", "the file is empty"),
        (b"name,status\nsomething,reading\n", "neither MyAnimeList XML"),
        (gzip.compress(b"<myanimelist><manga>", mtime=0)[:-8], "the gzipped file is truncated"),
        (
            (
                b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
                b"<myanimelist>&lol2;</myanimelist>"
            ),
            "the file declares a DTD",
        ),
    ],
)
def test_a_broken_file_is_a_400_with_its_reason_and_leaves_the_library_unchanged(
    reader: User, reader_client: Client, open_title: Title, data: bytes, words: str
) -> None:
    services.entry_save(user=reader, title=open_title, changes={"status": "reading", "chapters_read": 2})
    before = _library_state(reader)
    response = _upload(reader_client, data)
    assert response.status_code == 400
    assert response.json()["param"] == "file"
    assert words in response.json()["detail"]
    assert _library_state(reader) == before
    assert not LibraryImport.objects.exists()
    assert not UnmatchedEntry.objects.exists()


def test_a_file_over_the_size_limit_is_a_413_saying_the_limit(reader: User, reader_client: Client) -> None:
    title = _safe_titles(1)[0]
    entry = {"manga_title": title.title, "my_status": "Reading", "my_comments": "x" * 4000}
    data = _mal_xml(*[entry] * 6300)  # a well-formed MAL export of about 25 MB
    assert len(data) > 25_000_000
    response = _upload(reader_client, data)
    assert response.status_code == 413
    assert response.json()["detail"].startswith(f"the file is {len(data) / 1_000_000:.1f} MB; the limit is 20.0 MB")
    assert not LibraryEntry.objects.filter(user=reader).exists()
    assert not LibraryImport.objects.exists()


def test_the_upload_handler_holds_no_more_than_the_limit_and_one_byte() -> None:
    handler = UploadCapped(HttpRequest(), limit=1000)
    handler.new_file("file", "list.xml", "application/xml", None)
    for start in range(0, 50_000, 700):
        handler.receive_data_chunk(b"x" * 700, start)
    upload = handler.file_complete(50_400)
    assert upload is not None
    assert len(upload.read()) == 1001
    assert handler.size == 50_400


def test_the_import_report_says_only_what_the_file_said_about_titles_the_reader_cannot_see(
    reader: User, reader_client: Client, gated_title: Title
) -> None:
    response = _upload(reader_client, _mal_xml({"manga_title": gated_title.title, "my_status": "Reading"}))
    assert response.status_code == 200
    assert gated_title.slug not in response.content.decode()
    listed = reader_client.get(API).json()
    assert listed["entries"] == []
    assert listed["left_out"] == {"age_gate": LibraryEntry.objects.filter(user=reader).count()}
