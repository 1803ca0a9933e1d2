"""The list forms: what a page shows and reads back; the services check every value again."""

from __future__ import annotations

from typing import Any

from django import forms

from shuraba.lists.models import INTRO_MAX, NAME_MAX, NOTE_MAX, Kind, Privacy
from shuraba.reviews.forms import form_errors as review_form_errors


class ListForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX)
    # Long texts' lengths are the services' to check, on the text as kept: a browser counts a line end
    # as one character against `maxlength` and sends two (CR LF).
    intro = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": INTRO_MAX}),
        label="Introduction",
        help_text="Markdown: what the list is for, who it suits, in which order to read.",
    )
    privacy = forms.ChoiceField(choices=Privacy.choices, initial=Privacy.PUBLIC)

    def __init__(
        self,
        *args: Any,
        editor: bool = False,
        new: bool = False,
        focus_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if editor and new:  # a list's kind is chosen once, when an editor makes it
            self.fields["kind"] = forms.ChoiceField(choices=Kind.choices, initial=Kind.READER, label="Whose list")
        if editor:
            self.fields["starter"] = forms.BooleanField(
                required=False, label="A starter list (shown to newcomers on the home page and in the guide)"
            )
            self.fields["focus"] = forms.ChoiceField(
                required=False, choices=[("", "no subgenre focus"), *(focus_choices or [])], label="Subgenre focus"
            )

    def changes(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if key != "kind"}


class ItemForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="Its name as the catalog spells it, or its address name.")
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
        help_text=f"At most {NOTE_MAX} characters.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def form_errors(form: forms.Form) -> str:
    """Every field's first message in one line (a refusal's words), from the reviews' reader of the form."""
    return "; ".join(f"{name}: {message}" for name, message in review_form_errors(form).items())
