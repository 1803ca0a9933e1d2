"""The pair form a title page shows; the service checks every value again."""

from __future__ import annotations

from typing import Any

from django import forms

from shuraba.pairs.models import REASON_MAX


class PairForm(forms.Form):
    other = forms.CharField(
        max_length=200,
        label="Readers who liked this may like",
        help_text="The other title's name as the catalog spells it, or its address name.",
    )
    # The length is the service's to check, on the text as kept: a browser counts a line end as one
    # character against `maxlength` and sends two (CR LF).
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
        label="Why",
        help_text=f"What the two share, without giving either ending away; at most {REASON_MAX} characters.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
