"""Guides in the site: editors write and revise pages and glossary words with a preview and a history; an
embedded live list is answered for each reader through their age gate and avoid rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from shuraba.accounts.models import User
from shuraba.accounts.policies import AGE_GATED_RATINGS
from shuraba.catalog.models import Title
from shuraba.editorial.models import GuidePage, GuideRevision
from shuraba.editorial.services import GUIDES_PATH
from tests.lists.conftest import client_of

EMBED = '{{ list "subgenre:netorare,revenge" sort:title limit:20 }}'
BODY = f"Read these first.\n\n{EMBED}\n\nThen the rest."


def _page(editor_client: Client, **fields: object) -> GuidePage:
    data = {"kind": "guide", "slug": "tragic-or-mended", "title": "Tragic or mended", "summary": "Two endings.",
            "body": BODY, "order": 20, "published": "on", "note": "first draft", "action": "save",
            **fields}  # fmt: skip
    sent = editor_client.post("/guide/new/", data)
    assert sent.status_code == 302, sent.content.decode()[:2000]
    return GuidePage.objects.get(slug=data["slug"])


def _embedded(html: str) -> str:
    return html[html.index('<section class="embed"') : html.index("</section>")]


def _slugs(**axis_values: str) -> set[str]:
    titles = Title.objects.exclude(content_rating__in=AGE_GATED_RATINGS)
    for axis, values in axis_values.items():
        titles = titles.filter(
            pk__in=Title.objects.filter(axis_values__axis__key=axis, axis_values__value__key__in=values.split(","))
        )
    return set(titles.values_list("slug", flat=True))


def test_an_editor_publishes_a_page_whose_live_list_each_reader_sees_through_their_rules(
    editor_client: Client, reader: User, unverified: Client
) -> None:
    page = _page(editor_client)
    revision = GuideRevision.objects.get(page=page)
    assert (revision.number, revision.editor.username, revision.note) == (1, "ed", "first draft")
    listed, tragic = _slugs(subgenre="netorare,revenge"), _slugs(subgenre="netorare,revenge", ending="tragedy")
    assert tragic, "the sample needs open netorare or revenge titles with a tragic ending"

    anonymous = _embedded(unverified.get("/guide/tragic-or-mended/").content.decode())
    shown = set(re.findall(r'href="/titles/([^/]+)/"', anonymous))
    # titles past the gate only (the first 20 by name), nothing behind it, and no count of it
    assert shown <= listed
    assert len(shown) == min(20, len(listed))
    assert "hidden by your rules" not in anonymous
    if len(listed) > 20:
        assert f"{len(listed) - 20} more:" in anonymous

    reader_client = client_of(reader)
    assert (
        reader_client.put(
            "/api/v1/me/avoid-rules",
            data='{"rules": ["ending:tragedy"], "presets": []}',
            content_type="application/json",
        ).status_code
        == 200
    )
    seen = _embedded(reader_client.get("/guide/tragic-or-mended/").content.decode())
    kept = set(re.findall(r'href="/titles/([^/]+)/"', seen))
    assert kept <= listed - tragic
    assert len(kept) == min(20, len(listed - tragic))
    hidden = len(tragic)
    assert f"{hidden} of {len(listed)} hidden by your rules (“ending:tragedy”: {hidden})" in seen


def test_a_list_chosen_by_ending_is_folded_until_the_reader_reveals_it(
    editor_client: Client, unverified: Client, adult: Client
) -> None:
    _page(editor_client, slug="sad-ones", body='Sad ones.\n\n{{ list "ending:tragedy" sort:title limit:20 }}')
    tragic = _slugs(ending="tragedy")
    folded = unverified.get("/guide/sad-ones/").content.decode()
    assert "This list picks stories by how stories end" in folded
    assert not set(re.findall(r'href="/titles/([^/]+)/"', folded[folded.index("Sad ones.") :])) & tragic
    opened = unverified.get("/guide/sad-ones/?reveal=resolution").content.decode()
    assert set(re.findall(r'href="/titles/([^/]+)/"', _embedded(opened))) <= tragic
    assert re.search(r'href="/titles/[^/]+/"', _embedded(opened))
    adult.post("/settings/", {"reveal_spoilers": "on"})
    assert "spoiler hidden" not in _embedded(adult.get("/guide/sad-ones/").content.decode())
    assert unverified.get("/guide/sad-ones/?reveal=everything-please").status_code == 400


def test_preview_renders_without_saving_and_a_bad_embed_is_named_and_saves_nothing(editor_client: Client) -> None:
    data = {"kind": "guide", "slug": "draft", "title": "Draft", "summary": "A draft.", "body": BODY, "order": 1}
    preview = editor_client.post("/guide/new/", {**data, "body": BODY.replace("\n", "\r\n"), "action": "preview"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'id="preview"' in html
    assert '<section class="embed"' in html
    assert not GuidePage.objects.filter(slug="draft").exists()
    for body, words in (
        ('{{ list "ending:sad" }}', "embedded list 1"),
        ('{{ list "subgenre:revenge" limit:500 }}', "limit is a whole number from 1 to 20"),
    ):
        for action in ("preview", "save"):
            refused = editor_client.post("/guide/new/", {**data, "body": body, "action": action})
            assert refused.status_code == 400, action
            assert words in refused.content.decode()
            assert body.split('"')[1] in refused.content.decode()  # the editor's text is kept
    assert not GuidePage.objects.filter(slug="draft").exists()


def test_an_edit_is_a_new_revision_with_its_changes_and_an_old_one_can_be_edited_from(editor_client: Client) -> None:
    page = _page(editor_client)
    form = {"title": page.title, "summary": page.summary, "body": BODY.replace("first", "before anything"),
            "order": 20, "published": "on", "note": "clearer", "base": 1, "action": "save"}  # fmt: skip
    assert editor_client.post(f"/guide/{page.slug}/edit/", form).status_code == 302
    assert list(page.revisions.values_list("number", flat=True)) == [2, 1]
    again = editor_client.post(f"/guide/{page.slug}/edit/", {**form, "base": 2})
    assert again.status_code == 302
    assert page.revisions.count() == 2  # nothing changed: no empty revision
    diff = editor_client.get(f"/guide/{page.slug}/history/2/").content.decode()
    assert '<span class="diff-del">-Read these first.</span>' in diff
    assert '<span class="diff-add">+Read these before anything.</span>' in diff
    history = editor_client.get(f"/guide/{page.slug}/history/").content.decode()
    assert "clearer" in history
    assert "first draft" in history
    old = editor_client.get(f"/guide/{page.slug}/edit/?from=1").content.decode()
    assert "Read these first." in old
    assert 'name="base" value="2"' in old  # saving it is a new revision on top of the latest


def test_a_save_over_a_newer_revision_is_refused_and_keeps_the_editors_text(
    editor_client: Client, editor: User
) -> None:
    page = _page(editor_client)
    other = client_of(User.objects.create_user("ed2", password="a-long-editor-password", is_staff=True))
    form = {"title": page.title, "summary": page.summary, "order": 20, "published": "on", "action": "save"}
    assert other.post(f"/guide/{page.slug}/edit/", {**form, "body": "Theirs.", "base": 1}).status_code == 302
    mine = editor_client.post(f"/guide/{page.slug}/edit/", {**form, "body": "Mine, typed meanwhile.", "base": 1})
    assert mine.status_code == 409
    assert "revision 2 was saved while you edited revision 1" in mine.content.decode()
    assert "Mine, typed meanwhile." in mine.content.decode()
    assert GuidePage.objects.get(pk=page.pk).body == "Theirs."


def test_only_editors_reach_the_editing_pages(reader: User, unverified: Client) -> None:
    reader_client = client_of(reader)
    for url in (
        "/guide/new/",
        "/guide/the-formula/edit/",
        "/guide/the-formula/history/",
        "/guide/the-formula/history/1/",
    ):
        assert reader_client.get(url).status_code == 404, url
        assert unverified.get(url)["Location"].startswith("/accounts/login/"), url
    refused = reader_client.post("/guide/the-formula/edit/", {"title": "Mine", "body": "x", "base": 1})
    assert refused.status_code == 404
    assert GuidePage.objects.get(slug="the-formula").title == "The formula"


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"slug": "Not A Slug"}, 400, "consisting of letters, numbers"),
        ({"slug": "new"}, 400, "at most 80 (not"),
        ({"slug": "the-formula"}, 409, "a page is called"),
        ({"summary": ""}, 400, "summary: write something"),
        ({"body": "Has a NUL \x00 in it"}, 400, "Null characters are not allowed"),
        ({"kind": "poem"}, 400, "Select a valid choice"),
        ({"order": "-1"}, 400, "greater than or equal to 0"),
        ({"body": '{{ list "subgenre:revenge" limit:\u00b2 }}'}, 400, "limit is a whole number from 1 to 20"),
        ({"body": f'{{{{ list "subgenre:revenge" limit:{"9" * 5000} }}}}'}, 400, "limit is a whole number"),
    ],
)
def test_a_bad_page_is_refused_naming_the_field(
    editor_client: Client, fields: dict[str, str], status: int, words: str
) -> None:
    data = {"kind": "guide", "slug": "fine", "title": "Fine", "summary": "Fine.", "body": "Fine.", "order": 1,
            "action": "save", **fields}  # fmt: skip
    for action in ("preview", "save"):
        sent = editor_client.post("/guide/new/", {**data, "action": action})
        assert sent.status_code == status, action
        assert words in sent.content.decode(), action
    assert not GuidePage.objects.filter(slug="fine").exists()


def test_a_bad_revision_number_is_a_400_or_a_404(editor_client: Client) -> None:
    assert editor_client.get("/guide/the-formula/edit/?from=\u00b2").status_code == 400
    assert editor_client.get("/guide/the-formula/edit/?from=" + "9" * 5000).status_code == 400
    assert editor_client.get("/guide/the-formula/edit/?from=999").status_code == 404
    assert editor_client.get("/guide/the-formula/history/99999999999/").status_code == 404


def test_the_same_save_twice_is_no_conflict(editor_client: Client) -> None:
    page = _page(editor_client)
    form = {"title": page.title, "summary": page.summary, "body": "Changed once.", "order": 20, "published": "on",
            "base": 1, "action": "save"}  # fmt: skip
    assert editor_client.post(f"/guide/{page.slug}/edit/", form).status_code == 302
    assert editor_client.post(f"/guide/{page.slug}/edit/", form).status_code == 302  # a double click
    assert page.revisions.count() == 2


def test_glossary_words_show_in_the_glossary_and_not_in_the_guide(unverified: Client) -> None:
    words = GuidePage.objects.filter(kind="glossary", published=True)
    assert words.count() >= 5
    glossary = unverified.get("/taxonomy/").content.decode()
    guide = unverified.get("/guide/").content.decode()
    for word in words:
        assert f'id="word-{word.slug}"' in glossary
        assert f"/guide/{word.slug}/" not in guide
        assert unverified.get(f"/guide/{word.slug}/")["Location"] == f"/taxonomy/#word-{word.slug}"


def test_a_glossary_word_may_embed_a_live_list_too(editor_client: Client, unverified: Client) -> None:
    _page(
        editor_client,
        kind="glossary",
        slug="revenge-word",
        summary="",
        body='Payback.\n\n{{ list "subgenre:revenge" }}',
    )
    glossary = unverified.get("/taxonomy/").content.decode()
    assert '<section class="embed"' in glossary
    assert "{{ list" not in glossary


def test_the_shipped_guide_is_loaded_once_and_then_the_sites(editor_client: Client, tmp_path: Path) -> None:
    page = GuidePage.objects.get(slug="the-formula")
    form = {"title": "The formula, edited", "summary": page.summary, "body": page.body, "order": page.order,
            "published": "on", "base": page.revisions.count(), "action": "save"}  # fmt: skip
    assert editor_client.post("/guide/the-formula/edit/", form).status_code == 302
    call_command("guides_load", verbosity=0)
    assert GuidePage.objects.get(slug="the-formula").title == "The formula, edited"
    call_command("guides_load", verbosity=0, overwrite=True)
    page.refresh_from_db()
    assert page.title == "The formula"
    assert page.revisions.first().note.startswith("replaced by the shipped guide")
    broken, shipped = tmp_path / "guides.toml", GUIDES_PATH.read_text()
    broken.write_text(shipped.replace('kind = "glossary"\nslug = "netori"', 'kind = "poem"\nslug = "netori"'))
    with pytest.raises(CommandError, match="kind is guide or glossary"):
        call_command("guides_load", path=broken, overwrite=True)
    broken.write_text(shipped.replace('{{ list "centrality:incidental', '{{ list "centrality:sideways', 1))
    with pytest.raises(CommandError, match="embedded list 1"):
        call_command("guides_load", path=broken, overwrite=True)
    assert "centrality:incidental" in GuidePage.objects.get(slug="getting-started").body  # nothing half-loaded
