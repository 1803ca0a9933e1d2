"""Reading lists as pages: an editor's starter list, a reader's rule hiding some of it with an honest count,
privacy, the age gate, ordering without a script, and suggestions."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.lists.models import ListItem, ListSuggestion, ReadingList
from tests.lists.conftest import client_of, tragic_and_not


def _rule(client: Client, line: str) -> None:
    response = client.post("/settings/avoid/", {"rules": line, "next": "/"})
    assert response.status_code in (200, 302), response.content[:300]


def test_an_editor_publishes_a_starter_list_through_the_form(
    editor: User, editor_client: Client, unverified: Client
) -> None:
    response = editor_client.post(
        "/lists/new/",
        {
            "name": "Starter list: revenge NTR",
            "intro": "Read in this *order*.",
            "privacy": "public",
            "kind": "editorial",
            "starter": "on",
            "focus": "revenge",
        },
    )
    assert response.status_code == 302, response.content[:500]
    made = ReadingList.objects.get(name="Starter list: revenge NTR")
    assert (made.kind, made.owner, made.starter, made.focus) == ("editorial", None, True, "revenge")
    title = Title.objects.filter(content_rating="teen").order_by("slug").first()
    assert title is not None
    added = editor_client.post(f"/lists/{made.slug}/items/", {"title": title.title, "note": "Start here."})
    assert added.status_code == 302
    page = unverified.get(f"/lists/{made.slug}/").content.decode()
    assert "<em>order</em>" in page
    assert title.title in page
    assert "Start here." in page
    assert "starter" in unverified.get("/lists/").content.decode()
    home = unverified.get("/").content.decode()
    assert f"/lists/{made.slug}/" in home, "the home page shows the starter lists"


def test_a_readers_rule_hides_items_and_says_how_many_of_how_many(
    editor: User, reader: User, reader_client: Client, make_list: Callable[..., ReadingList]
) -> None:
    tragic, other = tragic_and_not(2)
    made = make_list(editor, [tragic[0], other[0], tragic[1], other[1]], kind="editorial", starter=True)
    _rule(reader_client, "ending:tragedy")
    page = reader_client.get(f"/lists/{made.slug}/").content.decode()
    assert "2 of 4 hidden by your rules" in page
    for title in tragic:
        assert title.title not in page
        assert f"Note on {title.title}." not in page
    for title in other:
        assert title.title in page
    assert re.search(r"“ending:tragedy”: 2", page)
    index = reader_client.get("/lists/").content.decode()
    assert "2 of 4 hidden by your rules" in index


def test_a_private_list_is_a_404_to_everyone_but_its_owner(
    reader: User, reader_client: Client, unverified: Client, make_list: Callable[..., ReadingList]
) -> None:
    other_reader = User.objects.create_user("other", password="a-long-reader-password")
    _, titles = tragic_and_not(1)
    private = make_list(reader, titles, privacy="private", name="My secret list")
    assert reader_client.get(f"/lists/{private.slug}/").status_code == 200
    assert unverified.get(f"/lists/{private.slug}/").status_code == 404
    assert client_of(other_reader).get(f"/lists/{private.slug}/").status_code == 404
    assert client_of(other_reader).get(f"/lists/{private.slug}/edit/").status_code == 404
    assert "My secret list" not in unverified.get("/lists/").content.decode()
    assert "My secret list" not in unverified.get(f"/titles/{titles[0].slug}/").content.decode()
    assert "My secret list" not in unverified.get("/lists/?q=secret").content.decode()


def test_an_unlisted_list_opens_by_its_link_only(
    reader: User, unverified: Client, make_list: Callable[..., ReadingList]
) -> None:
    _, titles = tragic_and_not(1)
    unlisted = make_list(reader, titles, privacy="unlisted", name="Link only")
    response = unverified.get(f"/lists/{unlisted.slug}/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "Link only" not in unverified.get("/lists/").content.decode()
    assert "Link only" not in unverified.get(f"/titles/{titles[0].slug}/").content.decode()


def test_titles_behind_the_age_gate_are_neither_shown_nor_counted(
    editor: User, unverified: Client, adult: Client, gated_title: Title, make_list: Callable[..., ReadingList]
) -> None:
    _, titles = tragic_and_not(1)
    made = make_list(editor, [gated_title, titles[0]], kind="editorial")
    page = unverified.get(f"/lists/{made.slug}/").content.decode()
    assert gated_title.title not in page
    assert f"Note on {gated_title.title}" not in page
    assert "1 of 1 title shown" in page
    assert "2 of 2 titles shown" in adult.get(f"/lists/{made.slug}/").content.decode()


def test_the_title_page_names_the_public_lists_it_is_in_and_adds_it_to_mine(
    reader: User, reader_client: Client, unverified: Client, make_list: Callable[..., ReadingList]
) -> None:
    _, titles = tragic_and_not(2)
    make_list(reader, [titles[0]], name="Quiet dramas")
    page = unverified.get(f"/titles/{titles[0].slug}/").content.decode()
    assert "In 1 public list" in page
    assert "Quiet dramas" in page
    mine = make_list(reader, [], name="Second list")
    response = reader_client.post("/lists/add/", {"list": mine.slug, "title": titles[1].slug, "note": "From the page."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/titles/{titles[1].slug}/#lists")
    assert ListItem.objects.filter(reading_list=mine, title=titles[1], note="From the page.").exists()
    again = reader_client.post("/lists/add/", {"list": mine.slug, "title": titles[1].slug})
    assert again.status_code == 409
    assert "in the list already" in again.content.decode()


def _order(made: ReadingList) -> list[int]:
    return list(ListItem.objects.filter(reading_list=made).order_by("position").values_list("title_id", flat=True))


def test_items_move_with_buttons_a_position_or_a_whole_order(
    reader: User, reader_client: Client, make_list: Callable[..., ReadingList]
) -> None:
    tragic, other = tragic_and_not(2)
    titles = [tragic[0], other[0], tragic[1], other[1]]
    made = make_list(reader, titles)
    items = {i.title_id: i.pk for i in ListItem.objects.filter(reading_list=made)}
    a, b, c, d = (t.pk for t in titles)
    url = f"/lists/{made.slug}/items/"
    assert reader_client.post(f"{url}{items[c]}/", {"action": "up"}).status_code == 302
    assert _order(made) == [a, c, b, d]
    reader_client.post(f"{url}{items[a]}/", {"action": "move", "position": "4"})
    assert _order(made) == [c, b, d, a]
    reader_client.post(f"{url}{items[a]}/", {"action": "down"})
    assert _order(made) == [c, b, d, a], "the last stays last"
    order = ",".join(str(items[t]) for t in (d, c, b, a))
    answer = reader_client.post(f"/lists/{made.slug}/order/", {"order": order}, headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert _order(made) == [d, c, b, a]
    for bad in (order + f",{items[a]}", ",".join(order.split(",")[:3]), "1,x", order.replace(str(items[a]), "999999")):
        refused = reader_client.post(
            f"/lists/{made.slug}/order/", {"order": bad}, headers={"Accept": "application/json"}
        )
        assert refused.status_code == 400, bad
        assert "order" in refused.json()["detail"], bad
        assert _order(made) == [d, c, b, a], "a refused order changes nothing"
    assert reader_client.post(f"{url}{items[a]}/", {"action": "move", "position": "x"}).status_code == 400
    assert reader_client.post(f"{url}{items[a]}/", {"action": "fly"}).status_code == 400


def test_someone_elses_list_cannot_be_changed(
    reader: User, make_list: Callable[..., ReadingList], editor: User
) -> None:
    _, titles = tragic_and_not(1)
    made = make_list(reader, titles)
    item = ListItem.objects.get(reading_list=made)
    other = client_of(User.objects.create_user("other", password="a-long-reader-password"))
    assert other.get(f"/lists/{made.slug}/edit/").status_code == 404
    assert other.post(f"/lists/{made.slug}/items/{item.pk}/", {"action": "remove"}).status_code == 403
    assert other.post(f"/lists/{made.slug}/delete/").status_code == 403
    assert ListItem.objects.filter(pk=item.pk).exists()
    assert client_of(editor).post(f"/lists/{made.slug}/delete/").status_code == 403, "a reader's list is theirs"


def test_a_note_past_500_characters_or_an_empty_name_is_refused_and_nothing_saved(
    reader: User, reader_client: Client, make_list: Callable[..., ReadingList]
) -> None:
    _, titles = tragic_and_not(1)
    made = make_list(reader, [])
    long_note = reader_client.post(f"/lists/{made.slug}/items/", {"title": titles[0].slug, "note": "x" * 501})
    assert long_note.status_code == 400
    assert "500" in long_note.content.decode()
    assert not ListItem.objects.filter(reading_list=made).exists()
    nameless = reader_client.post(f"/lists/{made.slug}/edit/", {"name": " ", "privacy": "public"})
    assert nameless.status_code == 400
    assert ReadingList.objects.get(pk=made.pk).name == "A list"
    unknown = reader_client.post(f"/lists/{made.slug}/items/", {"title": "no title is called this, surely"})
    assert unknown.status_code == 400
    assert "nothing is called" in unknown.content.decode()
    assert reader_client.post(
        "/lists/new/", {"name": "Mine", "privacy": "public", "kind": "editorial"}
    ).status_code in (
        201,
        302,
    ), "a reader's form has no kind: the field is ignored and the list is theirs"
    assert ReadingList.objects.get(name="Mine").kind == "reader"


def test_a_suggestion_waits_for_the_owner_who_approves_or_declines_it(
    reader: User, reader_client: Client, make_list: Callable[..., ReadingList]
) -> None:
    tragic, other = tragic_and_not(2)
    made = make_list(reader, [other[0]])
    fan = client_of(User.objects.create_user("fan", password="a-long-reader-password"))
    assert fan.post(f"/lists/{made.slug}/suggest/", {"title": other[1].slug, "note": "It fits."}).status_code == 302
    assert fan.post(f"/lists/{made.slug}/suggest/", {"title": other[1].slug}).status_code == 409
    assert fan.post(f"/lists/{made.slug}/suggest/", {"title": other[0].slug}).status_code == 409, "already listed"
    assert reader_client.post(f"/lists/{made.slug}/suggest/", {"title": tragic[0].slug}).status_code == 400
    fan.post(f"/lists/{made.slug}/suggest/", {"title": tragic[0].slug})
    edit = reader_client.get(f"/lists/{made.slug}/edit/").content.decode()
    assert "It fits." in edit
    assert "suggested by fan" in edit
    first, second = ListSuggestion.objects.filter(reading_list=made).order_by("pk")
    reader_client.post(f"/lists/{made.slug}/suggestions/{first.pk}/", {"decision": "approve"})
    reader_client.post(f"/lists/{made.slug}/suggestions/{second.pk}/", {"decision": "decline"})
    assert ListItem.objects.filter(reading_list=made, title=other[1], note="It fits.").exists()
    assert not ListItem.objects.filter(reading_list=made, title=tragic[0]).exists()
    again = reader_client.post(f"/lists/{made.slug}/suggestions/{first.pk}/", {"decision": "approve"})
    assert again.status_code == 409
    assert fan.post(f"/lists/{made.slug}/suggestions/{second.pk}/", {"decision": "approve"}).status_code == 403


def test_the_index_searches_names_and_pages_say_what_a_bad_parameter_is(
    reader: User, unverified: Client, make_list: Callable[..., ReadingList]
) -> None:
    make_list(reader, [], name="Slow-burn betrayals")
    make_list(reader, [], name="Office dramas")
    found = unverified.get("/lists/?q=slow-burn").content.decode()
    assert "Slow-burn betrayals" in found
    assert "Office dramas" not in found
    for bad in ("?page=0", "?kind=friends", "?starter=yes", "?sort=name"):
        response = unverified.get(f"/lists/{bad}")
        assert response.status_code == 400, bad
    assert unverified.get("/lists/nope-123/").status_code == 404
