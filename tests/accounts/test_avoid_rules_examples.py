"""Every example the avoid-rules page gives of how to write a rule reads as a rule (`format:manhwa`, a value
that does not exist, once stood there)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from shuraba.accounts.rules import rules_parse

pytestmark = pytest.mark.django_db


def test_every_example_on_the_avoid_rules_page_reads(client: Client) -> None:
    html = client.get("/settings/avoid/").content.decode()
    how = html.split("How to write a rule", 1)[1].split("</details>", 1)[0]
    examples = [unescape(code) for code in re.findall(r"<code>(.*?)</code>", how)]
    assert len(examples) > 10
    for example in examples:
        if example in {"-", "!", "creator:slug"}:  # signs, and a placeholder the page says to fill in
            continue
        # Beside a tag, as an exception or `unclassified:allow` needs something to avoid; the example's own
        # words are read all the same.
        assert rules_parse([f"drama {example}"]).rules, example
