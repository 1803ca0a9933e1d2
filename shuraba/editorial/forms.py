"""The guide editor's form: what the page shows and reads back; the services check every value again."""

from __future__ import annotations

from typing import Any

from django import forms

from shuraba.editorial.models import BODY_MAX, NOTE_MAX, SUMMARY_MAX, TITLE_MAX, PageKind

BODY_HELP = (
    'Markdown. A line of its own such as {{ list "subgenre:revenge intensity:..3" sort:score limit:5 }} '
    "embeds a live list (the browse page's search syntax; limit 1 to 20), shown to each reader through their "
    "age gate and avoid rules (a list chosen by ending is folded for readers who hide endings)."
)


class GuideForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX)
    summary = forms.CharField(
        required=False, max_length=SUMMARY_MAX, help_text="One sentence under the title (a guide page needs one)."
    )
    # The body's length is the service's to check on the text as kept (a browser sends a line end as two).
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 22, "maxlength": BODY_MAX}), help_text=BODY_HELP)
    order = forms.IntegerField(min_value=0, max_value=1000, initial=10, help_text="Pages are listed by it.")
    published = forms.BooleanField(required=False, initial=True, label="Published (readers see it)")
    note = forms.CharField(
        required=False, max_length=NOTE_MAX, label="What changed", help_text="Kept in the page's history."
    )
    base = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the revision this edit started from

    def __init__(self, *args: Any, new: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if new:
            self.fields["kind"] = forms.ChoiceField(
                choices=PageKind.choices, initial=PageKind.GUIDE, label="What it is"
            )
            self.fields["slug"] = forms.SlugField(max_length=80, help_text="Its address: /guide/<slug>/.")
            self.order_fields(["kind", "slug"])

    def page_fields(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("title", "summary", "body", "order", "published")}
