"""The settings page: three spoiler levels, remembered per-title reveals, the sign-in merge, export, delete."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shuraba.accounts.models import SpoilerChoice, TitleReveal, User
from shuraba.accounts.policies import PUBLIC, SESSION_TITLE_REVEALS, SPOILER_SETTINGS, SPOILER_STATUS
from shuraba.accounts.selectors import export_sections
from shuraba.accounts.services import SESSION_REVEALS_MAX
from shuraba.catalog.models import FormulaStage, Title

PASSWORD = "a-long-reader-password"


def _status(client: Client) -> str:
    html = client.get("/").content.decode()
    return html.split('class="spoiler-status">')[1].split("<")[0]


def _stage_with(level: str) -> FormulaStage:
    stage = (
        FormulaStage.objects.filter(spoiler=level, title__content_rating="teen").exclude(note="").order_by("pk").first()
    )
    assert stage is not None, f"the sample catalog should have a {level} spoiler stage"
    return stage


def _sign_in(client: Client, login: str = "reader") -> None:
    assert client.post("/accounts/login/", {"login": login, "password": PASSWORD}).status_code == 302


def test_the_model_choices_are_the_policy_settings() -> None:
    assert tuple(SpoilerChoice.values) == SPOILER_SETTINGS


def test_minor_shows_minor_spoilers_and_keeps_major_ones_hidden(unverified: Client) -> None:
    minor, major = _stage_with("minor"), _stage_with("major")
    assert unverified.post("/settings/", {"spoilers": "minor"}).status_code == 302
    assert minor.note in unverified.get(f"/titles/{minor.title.slug}/").content.decode()
    assert major.note not in unverified.get(f"/titles/{major.title.slug}/").content.decode()


@pytest.mark.parametrize("level", SPOILER_SETTINGS)
def test_the_status_bar_says_the_level_in_force_and_links_to_it(unverified: Client, level: str) -> None:
    unverified.post("/settings/", {"spoilers": level})
    assert _status(unverified) == SPOILER_STATUS[level]
    assert 'href="/settings/#spoilers"' in unverified.get("/").content.decode()
    page = unverified.get("/settings/").content.decode()
    assert f'name="spoilers" value="{level}" checked' in page


def test_a_signed_in_choice_is_kept_on_the_account_with_its_date(reader_client: Client, reader: User) -> None:
    reader_client.post("/settings/", {"spoilers": "minor"})
    reader.refresh_from_db()
    assert reader.spoilers == "minor"
    assert reader.spoilers_set_at is not None
    fresh = Client()
    fresh.force_login(reader)
    assert _status(fresh) == SPOILER_STATUS["minor"]


def test_a_visitor_remembers_a_reveal_for_one_title_and_forgets_it(unverified: Client, open_title: Title) -> None:
    note = open_title.stages.get(stage="resolution").note
    url = f"/titles/{open_title.slug}/"
    assert "Remember for this title" not in unverified.get(url).content.decode()
    assert "Remember for this title" in unverified.get(url + "?reveal=resolution").content.decode()
    response = unverified.post(
        "/settings/reveals/", {"title": open_title.slug, "reveal": "resolution", "action": "remember", "next": url}
    )
    assert (response.status_code, response["Location"]) == (302, url)
    page = unverified.get(url).content.decode()
    assert note in page
    assert "Remembered for this title: the resolution stage" in page
    assert open_title.title in unverified.get("/settings/").content.decode()
    unverified.post("/settings/reveals/", {"title": open_title.slug, "action": "forget"})
    assert note not in unverified.get(url).content.decode()


def test_a_reader_remembers_a_reveal_on_the_account(reader_client: Client, reader: User, open_title: Title) -> None:
    reader_client.post("/settings/reveals/", {"title": open_title.slug, "reveal": "all", "action": "remember"})
    assert TitleReveal.objects.get(user=reader, title=open_title).tokens == "all"
    fresh = Client()
    fresh.force_login(reader)
    assert open_title.stages.get(stage="resolution").note in fresh.get(f"/titles/{open_title.slug}/").content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"title": "{slug}", "reveal": "everything", "action": "remember"},
        {"title": "{slug}", "reveal": "", "action": "remember"},
        {"title": "no-such-title", "reveal": "all", "action": "remember"},
        {"title": "{gated}", "reveal": "all", "action": "remember"},
        {"title": "{slug}", "reveal": "all", "action": "keep"},
        {},
    ],
)
def test_bad_reveal_posts_are_400_with_a_message(
    unverified: Client, open_title: Title, gated_title: Title, data: dict[str, str]
) -> None:
    posted = {k: v.format(slug=open_title.slug, gated=gated_title.slug) for k, v in data.items()}
    response = unverified.post("/settings/reveals/", posted)
    assert response.status_code == 400
    assert gated_title.title not in response.content.decode()
    assert not TitleReveal.objects.exists()


def test_sign_in_merges_the_sessions_choices_into_the_account(
    unverified: Client, reader: User, open_title: Title, gated_title: Title
) -> None:
    unverified.post("/age-gate/", {"confirm": "yes"})
    unverified.post("/settings/", {"spoilers": "minor"})
    unverified.post("/settings/reveals/", {"title": open_title.slug, "reveal": "resolution", "action": "remember"})
    _sign_in(unverified)
    reader.refresh_from_db()
    assert reader.age_confirmed_at is not None
    assert reader.spoilers == "minor"
    assert TitleReveal.objects.get(user=reader, title=open_title).tokens == "resolution"
    elsewhere = Client()
    _sign_in(elsewhere)
    assert elsewhere.get(f"/titles/{gated_title.slug}/").status_code == 200


def test_an_older_session_choice_loses_to_a_newer_account_choice(unverified: Client, reader: User) -> None:
    unverified.post("/settings/", {"spoilers": "all"})
    reader.spoilers, reader.spoilers_set_at = "none", timezone.now() + timedelta(minutes=1)
    reader.save()
    _sign_in(unverified)
    reader.refresh_from_db()
    assert reader.spoilers == "none"
    assert _status(unverified) == SPOILER_STATUS["none"]


def test_leaving_18_plus_in_the_session_clears_an_older_account_confirmation(unverified: Client, reader: User) -> None:
    reader.age_confirmed_at = timezone.now() - timedelta(days=3)
    reader.save()
    unverified.post("/age-gate/", {"confirm": "leave"})
    _sign_in(unverified)
    reader.refresh_from_db()
    assert reader.age_confirmed_at is None


def test_a_session_that_chose_nothing_changes_nothing(reader: User) -> None:
    confirmed = timezone.now() - timedelta(days=3)
    reader.age_confirmed_at, reader.spoilers = confirmed, "all"
    reader.save()
    _sign_in(Client())
    reader.refresh_from_db()
    assert (reader.age_confirmed_at, reader.spoilers) == (confirmed, "all")


def test_sign_up_keeps_what_the_visitor_chose(unverified: Client) -> None:
    unverified.post("/age-gate/", {"confirm": "yes"})
    unverified.post("/settings/", {"spoilers": "all"})
    unverified.post(
        "/accounts/signup/",
        {"username": "newreader", "email": "new@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    user = User.objects.get(username="newreader")
    assert user.age_confirmed_at is not None
    assert user.spoilers == "all"


def test_export_holds_the_account_its_choices_and_reveals(
    reader_client: Client, reader: User, open_title: Title
) -> None:
    reader_client.post("/age-gate/", {"confirm": "yes"})
    reader_client.post("/settings/", {"spoilers": "minor"})
    reader_client.post("/settings/reveals/", {"title": open_title.slug, "reveal": "resolution", "action": "remember"})
    response = reader_client.get("/settings/export.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["format"] == "shuraba-account-export/1"
    assert data["account"]["username"] == "reader"
    assert data["age_confirmation"]["confirmed"] is True
    assert data["age_confirmation"]["confirmed_at"]
    assert data["spoilers"]["level"] == "minor"
    assert data["title_reveals"] == [
        {
            "title": open_title.slug,
            "name": open_title.title,
            "reveal": "resolution",
            "at": data["title_reveals"][0]["at"],
        }
    ]
    assert "password" not in response.content.decode()
    assert set(export_sections(user=reader, visibility=PUBLIC)) == {
        "account",
        "age_confirmation",
        "spoilers",
        "title_reveals",
        "avoid_rules",
        "library",
        "reviews",
        "reading_lists",
        "pairs",
        "preferences",
        "not_interested",
        "never_creators",
        "api_tokens",
    }


def test_export_and_delete_need_a_signed_in_reader(unverified: Client) -> None:
    assert unverified.get("/settings/export.json")["Location"].startswith("/accounts/login/")
    assert unverified.post("/settings/delete/", {"password": "x"})["Location"].startswith("/accounts/login/")


def test_delete_needs_the_password(reader_client: Client, reader: User) -> None:
    response = reader_client.post("/settings/delete/", {"password": "not-it"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert User.objects.filter(pk=reader.pk).exists()
    assert reader_client.get("/settings/delete/").status_code == 405


def test_delete_removes_the_account_and_its_data_and_signs_out(
    reader_client: Client, reader: User, open_title: Title
) -> None:
    reader_client.post("/settings/reveals/", {"title": open_title.slug, "reveal": "all", "action": "remember"})
    response = reader_client.post("/settings/delete/", {"password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert not User.objects.filter(pk=reader.pk).exists()
    assert not TitleReveal.objects.exists()
    assert not reader_client.get("/").context["user"].is_authenticated
    assert Client().post("/accounts/login/", {"login": "reader", "password": PASSWORD}).status_code == 200


def test_a_visitors_session_keeps_a_bounded_number_of_reveals(unverified: Client, open_title: Title) -> None:
    session = unverified.session
    session[SESSION_TITLE_REVEALS] = {f"title-{i}": "all" for i in range(SESSION_REVEALS_MAX)}
    session.save()
    unverified.post("/settings/reveals/", {"title": open_title.slug, "reveal": "resolution", "action": "remember"})
    kept = unverified.session[SESSION_TITLE_REVEALS]
    assert len(kept) == SESSION_REVEALS_MAX
    assert list(kept)[-1] == open_title.slug
    assert "title-0" not in kept


def test_the_email_page_answers_a_bad_address_with_a_message(reader_client: Client) -> None:
    response = reader_client.post("/accounts/email/", {"action_add": "", "email": "not-an-email"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_settings_page_lists_no_remembered_title_the_viewer_may_not_see(
    reader_client: Client, reader: User, gated_title: Title
) -> None:
    reader_client.post("/age-gate/", {"confirm": "yes"})
    reader_client.post("/settings/reveals/", {"title": gated_title.slug, "reveal": "all", "action": "remember"})
    assert gated_title.title in reader_client.get("/settings/").content.decode()
    reader_client.post("/age-gate/", {"confirm": "leave"})
    assert gated_title.title not in reader_client.get("/settings/").content.decode()
    assert TitleReveal.objects.filter(user=reader, title=gated_title).exists()  # kept for when 18+ is back
