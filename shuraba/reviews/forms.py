"""What a reader sends to write a review, to report one or to moderate one: the page's forms and the API's
JSON bodies are read by the same forms, so both give the same messages."""

from __future__ import annotations

from typing import Any

from django import forms

from shuraba.core.markup import text_clean
from shuraba.reviews.markup import BodyError, body_parse
from shuraba.reviews.models import (
    BODY_MAX,
    LINE_MAX,
    REASON_MAX,
    REVIEW_FIELDS,
    SCORE_MAX,
    SCORE_MIN,
    ReportReason,
    Verdict,
)

WRITABLE = REVIEW_FIELDS


def _score(label: str, *, required: bool) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=SCORE_MIN,
        max_value=SCORE_MAX,
        error_messages={
            "required": f"give an overall score from {SCORE_MIN} to {SCORE_MAX}",
            "invalid": f"a whole number from {SCORE_MIN} to {SCORE_MAX}",
            "min_value": f"a whole number from {SCORE_MIN} to {SCORE_MAX}",
            "max_value": f"a whole number from {SCORE_MIN} to {SCORE_MAX}",
        },
    )


class CleanText(forms.CharField):
    """Text with the display-reordering Unicode controls removed before it is checked or kept."""

    def to_python(self, value: Any) -> str:
        return text_clean(str(super().to_python(value)))


class ReviewForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    score = _score("Overall score", required=True)
    story = _score("Story", required=False)
    art = _score("Art", required=False)
    characters = _score("Characters", required=False)
    emotional_impact = _score("Emotional impact", required=False)
    psychological_depth = _score("Psychological depth", required=False)
    resolution_payoff = _score("Resolution payoff", required=False)
    verdict = forms.ChoiceField(
        choices=[("", "choose a verdict"), *Verdict.choices],
        error_messages={"required": "choose a verdict: " + ", ".join(Verdict.values)},
    )
    for_readers = CleanText(label="For readers who…", max_length=LINE_MAX, required=False)
    skip_if = CleanText(label="Skip if…", max_length=LINE_MAX, required=False)
    body = CleanText(
        label="Review",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "write the review itself (Markdown)"},
    )
    reached_chapter = forms.IntegerField(
        label="Chapter you had reached",
        required=False,
        min_value=0,
        max_value=99_999,
        error_messages={"invalid": "a chapter number (0 or more)", "min_value": "a chapter number (0 or more)"},
    )
    finished = forms.BooleanField(label="I had read it to the end", required=False)

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("write the review itself (Markdown)")
        try:
            body_parse(body)
        except BodyError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return body

    def fields_written(self) -> dict[str, Any]:
        """The cleaned fields, in the services' shape."""
        return {name: self.cleaned_data.get(name) for name in WRITABLE}


class ReportForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    reason = forms.ChoiceField(
        choices=ReportReason.choices,
        error_messages={"required": "choose a reason: " + ", ".join(ReportReason.values)},
    )
    note = CleanText(label="What is wrong (optional)", max_length=REASON_MAX, required=False)


class RejectForm(forms.Form):
    reason = CleanText(
        label="Reason the writer will read",
        max_length=REASON_MAX,
        error_messages={"required": "say why, in words the writer will read"},
    )


def form_errors(form: forms.Form) -> dict[str, str]:
    """Field -> its first message (the API's 400 body and the page's list)."""
    return {field: str(errors[0]) for field, errors in form.errors.items()}
