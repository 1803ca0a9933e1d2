"""'If you liked this, try…' pages: a title's pairs (/titles/<slug>/pairs/), and the writes behind the title
page's forms: propose a pair, vote, take a reason back. Each POST returns to the title page it came from."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from shuraba.accounts.models import User
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.models import Title
from shuraba.catalog.selectors import TitleNotFound
from shuraba.catalog.views import title_not_shown
from shuraba.core.errors import BadQuery, Refused
from shuraba.lists.finding import title_find
from shuraba.pairs import selectors, services
from shuraba.pairs.forms import PairForm
from shuraba.pairs.models import Pair
from shuraba.pairs.selectors import PairNotFound
from shuraba.reviews.readers import signed_in
from shuraba.reviews.selectors import review_title

VOTES = {"for": True, "against": False, "none": None}


def _title(request: HttpRequest, slug: str) -> Title:
    return review_title(visibility=visibility_from_request(request), slug=slug)


def _hidden_or_404(request: HttpRequest, exc: TitleNotFound, slug: str) -> HttpResponse:
    return title_not_shown(request, exc, slug=slug, show_url=reverse("title-detail", args=[slug]) + "?show=once")


def _page(request: HttpRequest, title: Title, *, form: PairForm | None = None, status: int = 200) -> HttpResponse:
    user = signed_in(request)
    shown = selectors.title_pairs(visibility=visibility_from_request(request), title_id=title.pk, user=user, limit=None)
    context = {"title": title, "shown": shown, "form": form or (PairForm() if user else None)}
    return render(request, "pairs/title_pairs.html", context, status=status)


@require_safe
def title_pairs(request: HttpRequest, slug: str) -> HttpResponse:
    if request.GET:
        raise BadQuery(sorted(request.GET)[0][:40], "unknown parameter; this page takes none")
    try:
        title = _title(request, slug)
    except TitleNotFound as exc:
        return _hidden_or_404(request, exc, slug)
    return _page(request, title)


def _reader(request: HttpRequest) -> User:
    user = signed_in(request)
    if user is None:
        raise Http404("No such page")
    return user


@login_required
@require_POST
def pair_propose(request: HttpRequest, slug: str) -> HttpResponse:
    user = _reader(request)
    try:
        title = _title(request, slug)
    except TitleNotFound as exc:
        raise Http404("No such title") from exc
    form = PairForm(request.POST)
    if not form.is_valid():
        return _page(request, title, form=form, status=400)
    visibility = visibility_from_request(request)
    try:
        other = title_find(visibility=visibility, text=form.cleaned_data["other"])
        pair = services.pair_propose(
            user=user, visibility=visibility, title=title, other=other, reason=form.cleaned_data["reason"]
        )
    except Refused as exc:
        form.add_error(None, exc.message)
        return _page(request, title, form=form, status=exc.status)
    return redirect(reverse("title-detail", args=[slug]) + f"#pair-{pair.pk}")


def _pair(request: HttpRequest, pk: int) -> Pair:
    try:
        return selectors.pair_get(visibility=visibility_from_request(request), pk=pk)
    except PairNotFound as exc:
        raise Http404("No such pair") from exc


def _back(request: HttpRequest, pair: Pair, *, anchor: str = "") -> HttpResponse:
    """To the title page the form was on: one of the pair's two titles, never another address."""
    back = request.POST.get("back", "")
    slug = back if back in {pair.low.slug, pair.high.slug} else pair.low.slug
    return redirect(reverse("title-detail", args=[slug]) + f"#{anchor or f'pair-{pair.pk}'}")


def _refused(request: HttpRequest, exc: Refused, pair: Pair) -> HttpResponse:
    back = reverse("title-detail", args=[pair.low.slug])
    return render(request, "lists/refused.html", {"message": exc.message, "back": back}, status=exc.status)


@login_required
@require_POST
def pair_vote(request: HttpRequest, pk: int) -> HttpResponse:
    user, pair = _reader(request), _pair(request, pk)
    vote = request.POST.get("vote", "")
    if vote not in VOTES:
        return _refused(request, Refused(400, "vote: for, against or none"), pair)
    try:
        services.pair_vote(user=user, pair=pair, up=VOTES[vote])
    except Refused as exc:
        return _refused(request, exc, pair)
    return _back(request, pair)


@login_required
@require_POST
def pair_reason_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user, pair = _reader(request), _pair(request, pk)
    name = request.POST.get("writer", "")
    if name and not user.is_staff:  # before the name is looked up: no one learns which names exist
        return _refused(request, Refused(403, "only editors take back another reader's reason"), pair)
    writer = User.objects.filter(username=name.replace("\x00", "")[:150]).first() if name else None
    if name and writer is None:
        return _refused(request, Refused(404, f"writer: no reader is called {name[:40]!r}"), pair)
    try:
        gone = services.pair_reason_delete(user=user, pair=pair, writer=writer)
    except Refused as exc:
        return _refused(request, exc, pair)
    return _back(request, pair, anchor="pairs" if gone else "")
