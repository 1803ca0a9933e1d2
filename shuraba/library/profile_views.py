"""A reader's public profile, `/u/<name>/`, and one shared entry, `/u/<name>/e/<token>/`."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from shuraba.accounts.models import User
from shuraba.accounts.policies import rules_waived
from shuraba.accounts.viewers import visibility_from_request
from shuraba.core.errors import BadQuery
from shuraba.library import profile as selectors
from shuraba.library.charts import bars_svg, columns_svg
from shuraba.library.models import Privacy


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _charts(p: selectors.Profile) -> tuple[SafeString, list[tuple[selectors.Mix, SafeString | None]]]:
    scores = columns_svg(
        chart_id="chart-scores",
        title=f"Scores {p.name} gave, 1 to 10",
        bars=p.scores,
        unit=("entry", "entries"),
        prefix="Score ",
    )
    mixes = [
        (
            mix,
            None
            if mix.hidden
            else bars_svg(
                chart_id=f"chart-{mix.key}",
                title=f"{mix.label} mix of the titles {p.name} lists",
                bars=mix.tallies,
                unit=("title", "titles"),
            ),
        )
        for mix in p.mixes
    ]
    return scores, mixes


@require_safe
def profile(request: HttpRequest, name: str) -> HttpResponse:
    page = selectors.profile_params_read(request.GET)
    owner = selectors.profile_owner(name=name)
    if owner is None:
        raise Http404("No such reader")
    p = selectors.profile_of(user=owner, visibility=visibility_from_request(request), page=page)
    scores, mixes = _charts(p)
    signed_in = _signed_in(request)
    context = {"p": p, "scores_svg": scores, "mixes": mixes, "own": signed_in is not None and signed_in.pk == owner.pk}
    return render(request, "library/profile.html", context)


@require_safe
def entry_shared(request: HttpRequest, name: str, token: str) -> HttpResponse:
    unknown = set(request.GET) - {"show"}
    if unknown:
        raise BadQuery(sorted(unknown)[0][:40], "unknown parameter; an entry page takes only ?show=once")
    visibility = visibility_from_request(request)
    if "show" in request.GET:
        if request.GET["show"] != "once":
            raise BadQuery("show", "show takes only once: ?show=once shows an entry your avoid rules hide, this time")
        visibility = rules_waived(visibility)
    shared = selectors.entry_shared(name=name, token=token, visibility=visibility, signed_in=_signed_in(request))
    if shared is None:
        raise Http404("No such entry")
    noindex = shared.privacy != Privacy.PUBLIC or shared.hidden is not None
    response = render(request, "library/entry_shared.html", {"s": shared, "noindex": noindex})
    if noindex:
        response["X-Robots-Tag"] = "noindex"
    return response
