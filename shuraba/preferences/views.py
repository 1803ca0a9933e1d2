"""`/quiz/`: the preference quiz, its starter list, the proposed avoid rules' confirmation, forgetting the profile."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shuraba.accounts.rules import PRESETS
from shuraba.accounts.viewers import visibility_from_request
from shuraba.core.errors import BadQuery
from shuraba.preferences import selectors, services
from shuraba.preferences.questions import QUESTIONS, Answers, answers_empty, answers_read
from shuraba.preferences.starter import starter_list
from shuraba.recommend.selectors import excluded_title_ids
from shuraba.reviews.readers import signed_in


def _quiz_page(request: HttpRequest, answers: Answers, *, error: str = "", status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {
        "questions": [(q, set(answers.get(q.key, []))) for q in QUESTIONS],
        "error": error,
        "saved": selectors.preferences_read(request=request) is not None,
    }
    return render(request, "preferences/quiz.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def quiz(request: HttpRequest) -> HttpResponse:
    """GET: the questions, filled in with the saved answers (or the query string's). POST: save and go to the
    starter list; a value that is no answer is a 400 naming the question, nothing saved."""
    if request.method == "POST":
        try:
            answers = answers_read(request.POST.getlist)
        except BadQuery as exc:
            return _quiz_page(request, answers_empty(), error=f"Nothing was saved: {exc}", status=400)
        services.preferences_save(request=request, answers=answers)
        messages.success(request, "Your answers are saved. Here is a starter list for them.")
        return HttpResponseRedirect("/quiz/starter/")
    if request.GET:
        return _quiz_page(request, answers_read(request.GET.getlist, keys=request.GET))
    return _quiz_page(request, selectors.preferences_read(request=request) or answers_empty())


def _answers_for_list(request: HttpRequest) -> tuple[Answers, bool]:
    """The query string's answers (a list to look at, nothing saved) or the saved ones."""
    if request.GET:
        return answers_read(request.GET.getlist, keys=request.GET), False
    saved = selectors.preferences_read(request=request)
    return (saved or answers_empty()), saved is not None


@require_safe
def starter(request: HttpRequest) -> HttpResponse:
    answers, saved = _answers_for_list(request)
    visibility = visibility_from_request(request)
    found = starter_list(
        visibility=visibility, answers=answers, exclude_ids=excluded_title_ids(user=signed_in(request))
    )
    proposed = selectors.rules_proposed(request=request, answers=answers) if saved else ()
    context = {
        "starter": found,
        "saved": saved,
        "proposed": [PRESETS[p] for p in proposed],
        "answered": [(q, [q.answer(k).label for k in answers.get(q.key, [])]) for q in QUESTIONS],
    }
    return render(request, "preferences/starter.html", context)


@require_POST
def rules_confirm(request: HttpRequest) -> HttpResponse:
    """The proposed avoid rules the reader ticked join their rules; nothing else is written."""
    answers = selectors.preferences_read(request=request)
    if answers is None:
        raise BadQuery("presets", "take the quiz first: there are no answers to propose rules from")
    presets = request.POST.getlist("presets")
    services.rules_confirm(request=request, answers=answers, presets=presets)
    names = ", ".join(PRESETS[p].name for p in presets)
    messages.success(request, f"Added to your avoid rules: {names}. Matching titles are hidden everywhere.")
    return HttpResponseRedirect("/quiz/starter/")


@require_POST
def preferences_forget(request: HttpRequest) -> HttpResponse:
    had = services.preferences_delete(request=request)
    messages.success(request, "Your quiz answers were deleted." if had else "There were no quiz answers to delete.")
    return HttpResponseRedirect("/settings/#preferences")
