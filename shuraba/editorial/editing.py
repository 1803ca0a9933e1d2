"""The guide's editing pages, for editors (anyone else: a 404): a new page, an edit with a preview through
the editor's own visibility, the page's history, one revision with its changes."""

from __future__ import annotations

import difflib

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from shuraba.accounts.models import User
from shuraba.accounts.policies import REVEAL_ALL, Reveal
from shuraba.accounts.viewers import visibility_from_request
from shuraba.core.errors import BadQuery, Refused
from shuraba.editorial import services
from shuraba.editorial.embeds import Reading, guide_render
from shuraba.editorial.forms import GuideForm
from shuraba.editorial.models import GuidePage, GuideRevision, PageKind
from shuraba.search.query import DIGITS


def _editor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_staff:
        raise Http404("No such page")
    return user


def _editor_reading(request: HttpRequest) -> Reading:
    """The editor sees their embeds as their visibility lists them, spoiler axes unfolded: they chose them."""
    return Reading(visibility_from_request(request), reveal=Reveal(frozenset({REVEAL_ALL})), request=request)


def page_url(page: GuidePage) -> str:
    """Where readers find a page: its own address (a guide page) or its word in the glossary."""
    if page.kind == PageKind.GLOSSARY:
        return reverse("taxonomy") + f"#word-{page.slug}"
    return reverse("guide-page", args=[page.slug])


def _latest(page: GuidePage) -> int:
    return page.revisions.order_by("-number").values_list("number", flat=True).first() or 0


def _editing(request: HttpRequest, form: GuideForm, *, page: GuidePage | None, status: int = 200) -> HttpResponse:
    preview = None
    if request.method == "POST" and request.POST.get("action") == "preview" and form.is_valid():
        preview = guide_render(form.cleaned_data["body"], reading=_editor_reading(request))
    context = {"form": form, "page": page, "preview": preview, "url": page_url(page) if page else ""}
    return render(request, "editorial/guide_edit.html", context, status=status)


def _checked(form: GuideForm, *, kind: str) -> Refused | None:
    """A preview is checked as a save is (an embed the search cannot read is named), and saves nothing."""
    try:
        if "slug" in form.cleaned_data:
            services.slug_check(form.cleaned_data["slug"])
        services.page_values(form.page_fields(), kind=kind)
    except Refused as exc:
        return exc
    return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def guide_new(request: HttpRequest) -> HttpResponse:
    editor = _editor(request)
    form = GuideForm(request.POST or None, new=True)
    if request.method != "POST":
        return _editing(request, form, page=None)
    if not form.is_valid():
        return _editing(request, form, page=None, status=400)
    if request.POST.get("action") == "preview":
        refused = _checked(form, kind=form.cleaned_data["kind"])
        if refused:
            form.add_error(None, refused.message)
        return _editing(request, form, page=None, status=refused.status if refused else 200)
    try:
        page = services.guide_create(
            editor=editor, slug=form.cleaned_data["slug"], kind=form.cleaned_data["kind"],
            fields=form.page_fields(), note=form.cleaned_data["note"],
        )  # fmt: skip
    except Refused as exc:
        form.add_error(None, exc.message)
        return _editing(request, form, page=None, status=exc.status)
    return redirect(reverse("guide-history", args=[page.slug]))


def _initial(page: GuidePage, request: HttpRequest) -> dict[str, object]:
    source: GuidePage | GuideRevision = page
    raw = request.GET.get("from")
    if raw is not None:
        if not DIGITS.fullmatch(raw):
            raise BadQuery("from", "from takes a revision's number, as the history lists them")
        source = get_object_or_404(GuideRevision, page=page, number=int(raw))
    fields = ("title", "summary", "body", "order", "published")
    return {**{f: getattr(source, f) for f in fields}, "base": _latest(page)}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def guide_edit(request: HttpRequest, slug: str) -> HttpResponse:
    editor = _editor(request)
    page = get_object_or_404(GuidePage, slug=slug)
    if request.method != "POST":
        if set(request.GET) - {"from"}:
            raise BadQuery(sorted(set(request.GET) - {"from"})[0][:40], "this page takes only ?from=<revision>")
        return _editing(request, GuideForm(initial=_initial(page, request)), page=page)
    form = GuideForm(request.POST)
    if not form.is_valid():
        return _editing(request, form, page=page, status=400)
    if request.POST.get("action") == "preview":
        refused = _checked(form, kind=page.kind)
        if refused:
            form.add_error(None, refused.message)
        return _editing(request, form, page=page, status=refused.status if refused else 200)
    try:
        services.guide_update(
            editor=editor, page=page, fields=form.page_fields(), base=form.cleaned_data["base"] or 0,
            note=form.cleaned_data["note"],
        )  # fmt: skip
    except Refused as exc:
        form.add_error(None, exc.message)
        return _editing(request, form, page=page, status=exc.status)
    return redirect(reverse("guide-history", args=[slug]) + "#saved")


@login_required
@require_safe
def guide_history(request: HttpRequest, slug: str) -> HttpResponse:
    _editor(request)
    if request.GET:
        raise BadQuery(sorted(request.GET)[0][:40], "this page takes no query parameters")
    page = get_object_or_404(GuidePage, slug=slug)
    revisions = page.revisions.select_related("editor").order_by("-number")
    return render(
        request, "editorial/guide_history.html", {"page": page, "revisions": revisions, "url": page_url(page)}
    )


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) of a unified diff: '+' added, '-' removed, '@' a hunk, ' ' context."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", n=2, lineterm="")
    return [(line[:1], line) for line in list(lines)[2:]]


@login_required
@require_safe
def guide_revision(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _editor(request)
    if request.GET:
        raise BadQuery(sorted(request.GET)[0][:40], "this page takes no query parameters")
    page = get_object_or_404(GuidePage, slug=slug)
    revision = get_object_or_404(GuideRevision.objects.select_related("editor"), page=page, number=number)
    before = GuideRevision.objects.filter(page=page, number__lt=number).order_by("-number").first()
    context = {
        "page": page, "revision": revision, "before": before,
        "diff": _diff(before.body if before else "", revision.body),
        "rendered": guide_render(revision.body, reading=_editor_reading(request)),
        "latest": _latest(page),
    }  # fmt: skip
    return render(request, "editorial/guide_revision.html", context)
