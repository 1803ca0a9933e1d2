from __future__ import annotations

from django.http import HttpRequest

from shuraba.accounts.policies import Viewer, Visibility, visibility_of
from shuraba.accounts.viewers import rules_written, viewer_from_request


def viewer(request: HttpRequest) -> dict[str, Viewer | Visibility | bool | int]:
    """Templates get who is looking and what they may see; they ask the second. The status bar also
    gets whether the NTR-free preset is on and how many rules are in force."""
    who = viewer_from_request(request)
    visibility = visibility_of(who)
    _, presets = rules_written(request)
    return {
        "viewer": who,
        "visibility": visibility,
        "ntr_free": "ntr-free" in presets,
        "avoid_rule_count": len(visibility.rules),
    }
