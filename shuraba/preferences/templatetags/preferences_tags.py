"""The settings page's preference section, without the settings view knowing about the quiz."""

from __future__ import annotations

from typing import Any

from django import template

from shuraba.preferences.questions import QUESTIONS
from shuraba.preferences.selectors import preferences_read

register = template.Library()


@register.inclusion_tag("preferences/_settings.html", takes_context=True)
def preferences_settings(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    answers = preferences_read(request=request)
    answered = [(q.legend, [q.answer(k).label for k in answers[q.key]]) for q in QUESTIONS] if answers else []
    return {"answers": answers, "answered": answered, "csrf_token": context.get("csrf_token")}
