"""The preference quiz: its questions against the taxonomy, the form as a visitor and as a reader, the starter
list through the viewer's visibility, proposed avoid rules written only on confirmation, the API, the export
and deletion."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from shuraba.accounts.models import ReaderRules, User
from shuraba.accounts.policies import AGE_GATED_RATINGS, PUBLIC, SESSION_RULES
from shuraba.accounts.rules import PRESETS, rules_parse
from shuraba.accounts.tokens import api_token_create
from shuraba.catalog.models import Title, TitleAxisValue
from shuraba.library.models import LibraryEntry
from shuraba.preferences.models import PreferenceProfile
from shuraba.preferences.questions import QUESTIONS, answers_empty, proposed_presets
from shuraba.preferences.selectors import SESSION_PREFERENCES
from shuraba.preferences.starter import STARTER_SIZE, starter_list
from shuraba.search.query import DIMENSIONS, RANGE_AXES
from shuraba.search.vocab import vocabulary
from shuraba.taxonomy.models import AxisValue

NO_COERCION = {"endings": ["reconciliation", "revenge"], "consent": "no-coercion", "centrality": "core"}


def _starter_slugs(body: str) -> list[str]:
    ordered = body.split('<ol class="starter">', 1)
    return re.findall(r'href="/titles/([^/"]+)/"', ordered[1].split("</ol>", 1)[0]) if len(ordered) == 2 else []


def _titles_with(axis: str, keys: set[str]) -> set[str]:
    return set(TitleAxisValue.objects.filter(axis__key=axis, value__key__in=keys).values_list("title__slug", flat=True))


# --- the questions as data ------------------------------------------------------------------------------


def test_every_answer_names_a_real_dimension_and_value(db: None) -> None:
    vocab = vocabulary()
    for question in QUESTIONS:
        for answer in question.answers:
            effect = answer.effect
            if effect is None:
                continue
            assert effect.dimension in DIMENSIONS or effect.dimension in RANGE_AXES, (question.key, answer.key)
            for key in effect.include | effect.exclude:
                assert key in vocab.values[effect.dimension], (question.key, answer.key, key)
            if answer.proposes:
                assert answer.proposes in PRESETS
        if question.dimension:  # an axis question's answers are that axis's values, in the taxonomy
            assert set(question.keys) <= set(vocab.values[question.dimension])
    assert AxisValue.objects.filter(axis__key="centrality", key__in=["none", "incidental", "major"]).count() == 3


def test_answers_propose_the_presets_they_name() -> None:
    answers = answers_empty()
    assert proposed_presets(answers) == ()
    answers.update(endings=["revenge"], consent=["no-coercion"], centrality=["none"])
    assert proposed_presets(answers) == ("no-tragedy", "no-coercion", "ntr-free")
    answers["endings"] = ["revenge", "tragedy"]
    assert "no-tragedy" not in proposed_presets(answers)


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"consent": ["any"], "centrality": ["core"]},
        {"motives": ["catharsis"], "endings": ["tragedy"]},  # a leaning no limit leaves room for: set aside
        {"endings": ["open", "acceptance"], "perspectives": ["rival", "multiple"], "lengths": ["long"]},
    ],
)
def test_every_starter_title_has_a_reason_and_fits_the_limits(db: None, answers: dict[str, list[str]]) -> None:
    found = starter_list(visibility=PUBLIC, answers={**answers_empty(), **answers})
    assert found.items
    endings = set(answers.get("endings", []))
    allowed = _titles_with("ending", endings) if endings else None
    for item in found.items:
        assert item.reasons, item.card.slug
        assert allowed is None or item.card.slug in allowed, item.card.slug
    if answers.get("motives") == ["catharsis"]:
        assert found.dropped == ("Why do you read these stories?",)
        assert "revenge ending" not in " ".join(r for i in found.items for r in i.reasons)


# --- the quiz page ---------------------------------------------------------------------------------------


def test_the_quiz_is_fieldsets_with_legends_and_labelled_answers(unverified: Client) -> None:
    body = unverified.get("/quiz/").content.decode()
    assert body.count("<fieldset") == len(QUESTIONS) >= 6
    assert body.count("<legend>") == len(QUESTIONS)
    for question in QUESTIONS:
        for answer in question.answers:
            field_id = f"{question.key}-{answer.key}"
            assert f'for="{field_id}"' in body
            assert f'id="{field_id}"' in body
    assert "<script>" not in body
    assert "style=" not in body


def test_a_visitor_takes_the_quiz_and_gets_a_starter_list_kept_in_the_session(unverified: Client) -> None:
    response = unverified.post("/quiz/", {"endings": ["revenge", "reconciliation"], "consent": "no-coercion"})
    assert (response.status_code, response["Location"]) == (302, "/quiz/starter/")
    assert unverified.session[SESSION_PREFERENCES]["endings"] == ["revenge", "reconciliation"]
    body = unverified.get("/quiz/starter/").content.decode()
    slugs = _starter_slugs(body)
    assert 0 < len(slugs) <= STARTER_SIZE
    allowed = _titles_with("ending", {"revenge", "reconciliation"})
    assert set(slugs) <= allowed  # a limit: every title has an accepted ending
    assert not set(slugs) & _titles_with("consent", {"coercion", "non-consent"})
    gated = set(Title.objects.filter(content_rating__in=AGE_GATED_RATINGS).values_list("slug", flat=True))
    assert not set(slugs) & gated
    assert (
        unverified.get("/quiz/").content.decode().count(" checked>") == 4
    )  # two endings, the consent limit, the centrality default


def test_a_reader_who_hides_spoilers_gets_reasons_that_never_name_the_ending(unverified: Client) -> None:
    unverified.post("/quiz/", {"endings": ["revenge", "reconciliation"], "perspectives": ["betrayed", "partner"]})
    body = unverified.get("/quiz/starter/").content.decode()
    reasons = " ".join(re.findall(r'<ul class="reasons">(.*?)</ul>', body, flags=re.S))
    assert "its ending is one you accept (not shown: you hide spoilers)" in reasons
    assert "revenge ending" not in reasons
    assert "reconciliation ending" not in reasons
    assert "the point of view you chose" in reasons  # a spoiler-free axis is named


def test_a_leaning_on_the_ending_gives_no_reason_to_a_reader_who_hides_spoilers(unverified: Client) -> None:
    """Catharsis leans on revenge and reconciliation endings. The list gives a leaning up when it runs short, so
    the leaning's words would sit only on the titles whose (hidden) ending fits it: they are never said."""
    unverified.post("/quiz/", {"motives": ["catharsis", "depth"]})
    body = unverified.get("/quiz/starter/").content.decode()
    reasons = " ".join(re.findall(r'<ul class="reasons">(.*?)</ul>', body, flags=re.S))
    assert reasons
    assert "catharsis" not in reasons.casefold()
    assert "ending" not in reasons.casefold()
    assert "you read for depth" in reasons  # a leaning on an axis that is no spoiler still says itself


def test_a_reader_who_shows_spoilers_sees_which_accepted_ending_each_title_has(unverified: Client) -> None:
    unverified.post("/settings/", {"spoilers": "all"})
    unverified.post("/quiz/", {"endings": ["revenge", "reconciliation"]})
    body = unverified.get("/quiz/starter/").content.decode()
    items = re.findall(r'href="/titles/([^/"]+)/".*?<ul class="reasons">(.*?)</ul>', body, flags=re.S)
    assert items
    revenge = _titles_with("ending", {"revenge"})
    for slug, reasons in items:
        assert ("revenge ending — you accept revenge endings" in reasons) == (slug in revenge), slug


def test_a_signed_in_reader_s_profile_is_saved_and_their_library_left_out(reader: User, reader_client: Client) -> None:
    first = reader_client.post("/quiz/", {"centrality": "core"}) and _starter_slugs(
        reader_client.get("/quiz/starter/").content.decode()
    )
    assert PreferenceProfile.objects.get(user=reader).centrality == ["core"]
    now = timezone.now()
    title = Title.objects.get(slug=first[0])
    LibraryEntry.objects.create(user=reader, title=title, status="completed", created_at=now, updated_at=now)
    again = _starter_slugs(reader_client.get("/quiz/starter/").content.decode())
    assert again
    assert first[0] not in again


def test_a_reader_with_ntr_free_sees_no_ntr_title_in_the_starter_list(unverified: Client) -> None:
    unverified.post("/settings/avoid/", {"rules": "", "presets": ["ntr-free"]})
    unverified.post("/quiz/", {"motives": ["exploring"]})
    slugs = _starter_slugs(unverified.get("/quiz/starter/").content.decode())
    assert slugs
    ntr = set(Title.objects.filter(rules_parse([], ["ntr-free"]).rules[0].condition()).values_list("slug", flat=True))
    assert ntr
    assert not set(slugs) & ntr


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"endings": "happily-ever-after"}, "endings"),
        ({"consent": ["any", "no-coercion"]}, "consent"),
        ({"centrality": "total"}, "centrality"),
        ({"lengths": "x" * 5000}, "lengths"),
    ],
)
def test_a_bad_form_value_is_a_400_that_names_the_question_and_saves_nothing(
    unverified: Client, data: dict[str, object], field: str
) -> None:
    response = unverified.post("/quiz/", data)
    assert response.status_code == 400
    assert f"Nothing was saved: {field}:" in response.content.decode()
    assert SESSION_PREFERENCES not in unverified.session


def test_a_bad_query_string_on_the_starter_list_is_a_400(unverified: Client) -> None:
    assert unverified.get("/quiz/starter/?endings=nope").status_code == 400
    assert unverified.get("/quiz/starter/?colour=blue").status_code == 400
    assert unverified.get("/quiz/?colour=blue").status_code == 400


# --- proposed avoid rules ----------------------------------------------------------------------------


def test_a_proposed_rule_is_written_only_when_the_reader_confirms_it(unverified: Client) -> None:
    unverified.post("/quiz/", {"endings": ["revenge"], "consent": "no-coercion"})
    body = unverified.get("/quiz/starter/").content.decode()
    assert 'value="no-tragedy"' in body
    assert 'value="no-coercion"' in body
    assert SESSION_RULES not in unverified.session  # proposing wrote nothing
    response = unverified.post("/quiz/rules/", {"presets": ["no-coercion"]})
    assert response.status_code == 302
    assert unverified.session[SESSION_RULES]["presets"] == ["no-coercion"]
    body = unverified.get("/quiz/starter/").content.decode()
    assert 'value="no-coercion"' not in body
    assert 'value="no-tragedy"' in body


def test_confirming_a_rule_the_answers_do_not_propose_is_a_400_that_writes_nothing(
    reader: User, reader_client: Client
) -> None:
    reader_client.post("/quiz/", {"consent": "no-coercion"})
    for presets in (["no-graphic"], ["ntr-free"], []):
        response = reader_client.post("/quiz/rules/", {"presets": presets})
        assert response.status_code == 400, presets
        assert "presets" in response.content.decode()
    assert not ReaderRules.objects.filter(user=reader).exists()
    assert Client().post("/quiz/rules/", {"presets": ["no-coercion"]}).status_code == 400  # no quiz taken


def test_a_confirmed_rule_hides_its_titles_from_the_starter_list(reader: User, reader_client: Client) -> None:
    reader_client.post("/settings/", {"spoilers": "all"})
    reader_client.post("/quiz/", {"centrality": "none"})
    before = _starter_slugs(reader_client.get("/quiz/starter/").content.decode())
    reader_client.post("/quiz/", {"centrality": "core"})
    wide = _starter_slugs(reader_client.get("/quiz/starter/").content.decode())
    ntr = set(Title.objects.filter(rules_parse([], ["ntr-free"]).rules[0].condition()).values_list("slug", flat=True))
    assert set(wide) & ntr, "the open quiz must list an NTR title for this test to mean anything"
    reader_client.post("/quiz/", {"centrality": "none"})
    assert reader_client.post("/quiz/rules/", {"presets": ["ntr-free"]}).status_code == 302
    assert ReaderRules.objects.get(user=reader).presets == ["ntr-free"]
    reader_client.post("/quiz/", {"centrality": "core"})
    after = _starter_slugs(reader_client.get("/quiz/starter/").content.decode())
    assert after
    assert not set(after) & ntr
    assert set(before) & ntr == set()


# --- the settings page, sign-in, export and deletion --------------------------------------------------


def test_the_settings_page_shows_the_answers_and_deletes_them(reader: User, reader_client: Client) -> None:
    assert "Take the preference quiz" in reader_client.get("/settings/").content.decode()
    reader_client.post("/quiz/", {"endings": ["open"], "lengths": ["short"]})
    body = reader_client.get("/settings/").content.decode()
    assert "Which endings do you accept?</dt><dd>Open</dd>" in body
    assert 'href="/quiz/"' in body
    assert 'action="/quiz/forget/"' in body
    assert reader_client.post("/quiz/forget/").status_code == 302
    assert not PreferenceProfile.objects.filter(user=reader).exists()


def test_signing_in_moves_a_visitor_s_answers_to_an_account_without_any(db: None) -> None:
    User.objects.create_user("quizzer", password="a-long-reader-password")
    client = Client()
    client.post("/quiz/", {"lengths": ["long"]})
    assert (
        client.post("/accounts/login/", {"login": "quizzer", "password": "a-long-reader-password"}).status_code == 302
    )
    assert PreferenceProfile.objects.get(user__username="quizzer").lengths == ["long"]
    assert SESSION_PREFERENCES not in client.session


def test_an_account_s_own_answers_win_over_the_session_s_at_sign_in(db: None) -> None:
    user = User.objects.create_user("quizzer", password="a-long-reader-password")
    PreferenceProfile.objects.create(user=user, lengths=["short"])
    client = Client()
    client.post("/quiz/", {"lengths": ["long"]})
    client.post("/accounts/login/", {"login": "quizzer", "password": "a-long-reader-password"})
    assert PreferenceProfile.objects.get(user=user).lengths == ["short"]


def test_the_export_holds_the_profile_and_deleting_the_account_removes_it(reader: User, reader_client: Client) -> None:
    assert json.loads(reader_client.get("/settings/export.json").content)["preferences"] is None
    reader_client.post("/quiz/", {"endings": ["open"], "consent": "no-non-consent"})
    exported = json.loads(reader_client.get("/settings/export.json").content)["preferences"]
    assert exported["endings"] == ["open"]
    assert exported["consent"] == ["no-non-consent"]
    reader_client.post("/settings/delete/", {"password": "a-long-reader-password"})
    assert not PreferenceProfile.objects.exists()


# --- the API --------------------------------------------------------------------------------------------


def _csrf_client() -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.get("/quiz/")
    return client, client.cookies["csrftoken"].value


def test_the_api_reads_and_replaces_the_profile_with_csrf(db: None) -> None:
    client, token = _csrf_client()
    assert client.get("/api/v1/me/preferences").json()["saved"] is False
    body = json.dumps(NO_COERCION)
    assert client.put("/api/v1/me/preferences", body, content_type="application/json").status_code == 403
    saved = client.put("/api/v1/me/preferences", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert saved.status_code == 200
    read = client.get("/api/v1/me/preferences").json()
    assert (read["saved"], read["endings"], read["consent"]) == (True, ["reconciliation", "revenge"], "no-coercion")
    assert read["proposed_presets"] == ["no-tragedy", "no-coercion"]
    assert SESSION_RULES not in client.session  # proposed, not written


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", "body"),
        ("[]", "body"),
        ('{"endings": "revenge"}', "endings"),
        ('{"endings": [1]}', "endings"),
        ('{"endings": ["sunset"]}', "endings"),
        ('{"consent": ["any"]}', "consent"),
        ('{"centrality": "total"}', "centrality"),
        ('{"colour": "blue"}', "colour"),
        ('{"motives": ["\\ud800"]}', "motives"),
    ],
)
def test_every_bad_api_body_is_a_400_naming_the_field(db: None, body: str, field: str) -> None:
    client, token = _csrf_client()
    response = client.put(
        "/api/v1/me/preferences", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400, body
    assert response.json()["param"] == field, response.json()
    assert response.json()["detail"]
    assert client.get("/api/v1/me/preferences").json()["saved"] is False


def test_a_bearer_token_reads_and_writes_the_account_s_profile_without_csrf(reader: User) -> None:
    token = api_token_create(user=reader, name="quiz script")
    headers = {"Authorization": f"Bearer {token}"}
    client = Client(enforce_csrf_checks=True)
    body = json.dumps({"lengths": ["short"], "centrality": "none"})
    saved = client.put("/api/v1/me/preferences", body, content_type="application/json", headers=headers)
    assert saved.status_code == 200
    assert saved.json()["proposed_presets"] == ["ntr-free"]
    assert PreferenceProfile.objects.get(user=reader).centrality == ["none"]
    assert client.get("/api/v1/me/preferences", headers=headers).json()["lengths"] == ["short"]
