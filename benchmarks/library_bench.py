"""The library (issue 12): importing a MAL list export into a large catalog, and a 5,000-entry reader's page.

    python benchmarks/library_bench.py --scale synthetic-200k                    # import, page, http
    python benchmarks/library_bench.py --scale synthetic-200k --parts import --profile
    python benchmarks/library_bench.py --scale synthetic-20k --parts page --page-rounds 5

1. import: a seeded synthetic MAL export of `--entries` manga (library_export.py) against the scale's
   catalog; `services.library_import` into an empty account ("first"), the same file again ("again",
   every entry unchanged), then the file with 10 % of its matched entries changed ("changed"), in
   `--rounds` rounds, each on a fresh account. The time is split by wrapping the functions the import
   calls (`list_file_read`, `entries_match` and inside it `titles_named` and the id look-ups,
   `_sorted_out`); what is left is the writes and the commit. Round 1 builds the name map
   (`titles_named`, cold); the others find it built. The baseline, in the same process and round: a
   plain `bulk_create` of the same entries into another empty account, in one transaction (the least
   any import of those rows through the ORM costs), and the file parsed only.
2. page: `selectors.library_page` for a reader with `--entries` entries (imported through the service,
   in three imports, a hundred of them made private through `entry_save`) and a couple of avoid rules
   (bench_rules' light set), for every sort and a few filters, `--page-rounds` shuffled rounds after a
   warm-up. The baseline, interleaved: the plain query of the first 50 rows (`ROW_FIELDS` by
   `-updated_at`), the least a page of them costs.
3. http: the same cases through `GET /library/` on `shuraba serve`, signed in through the login form,
   the rules saved through `PUT /api/v1/me/avoid-rules`; `GET /healthz` before each request is the
   baseline. Skipped, and said so, while the checkout has no `/library/` page.

Synthetic scales only: the benchmark gives every title a MAL id (through the catalog's bulk write, once
per database), and inventing MAL ids for the real works of `real` is not done. Every loop is bounded and
only talks to 127.0.0.1. Benchmarks report; they never fail on a time (STYLE habit 8).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

from common import SEED, VAR, data_dir, django_setup, ms, p50_p95, results_write, status_append, table

MAL_OFFSET = 1_000_000  # title pk + this = the synthetic MAL id the benchmark gives it
ID_SOURCE = "import:benchmark"
ATTACH_CHUNK = 10_000  # titles per catalog plan (its checks read pks in one IN (...))
PASSWORD = "bench-library-password-1"  # noqa: S105 (a throwaway account in a benchmark database)
IMPORTER, BASELINE, READER = "bench-library-import", "bench-library-baseline", "bench-library-reader"
CHANGED_SHARE = 0.10
PRIVATE_ENTRIES = 100
READER_SHARES = {"mal id": 0.9, "name": 0.1}  # the page's reader: every entry matched
HTTP_WARM_S = 600
WARM_PATHS = ("/library/", "/library/?q=warm&sort=title")  # the default page; a text filter and a sort in memory
logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="synthetic-200k", help="synthetic-200k or synthetic-<N>")
    parser.add_argument("--parts", default="import,page,http", help="any of import, page, http (comma list)")
    parser.add_argument("--entries", type=int, default=5000, help="entries in the list file and the library")
    parser.add_argument("--rounds", type=int, default=5, help="import rounds (first, again, changed each)")
    parser.add_argument("--page-rounds", type=int, default=20, help="rounds over the page cases")
    parser.add_argument("--requests", type=int, default=20, help="HTTP rounds over the page cases")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="cProfile one more first import and print it")
    return parser.parse_args()


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- the catalog's MAL ids and the list file ---------------------------------------------------------


def mal_ids_attach() -> dict[str, Any]:
    """Give every title without one a synthetic MAL id, through the catalog's bulk write (its checks, its
    ChangeRecords and change announcements), ATTACH_CHUNK titles per plan. Once per database."""
    from shuraba.catalog.bulk import catalog_plan_apply  # noqa: PLC0415 (after django.setup)
    from shuraba.catalog.models import ExternalId, Title  # noqa: PLC0415 (after django.setup)
    from shuraba.catalog.plan import CatalogPlan, ExternalIdAdd  # noqa: PLC0415 (after django.setup)

    if Title.objects.filter(is_fictional=False).exists():
        raise SystemExit("this catalog holds real works: the benchmark invents MAL ids only for synthetic titles")
    have = set(ExternalId.objects.filter(source="mal").values_list("title_id", flat=True))
    missing = [pk for pk in Title.objects.order_by("pk").values_list("pk", flat=True) if pk not in have]
    started = time.perf_counter()
    for chunk in _chunks(missing, ATTACH_CHUNK):
        ids = [ExternalIdAdd(pk, "mal", str(MAL_OFFSET + pk), ID_SOURCE) for pk in chunk]
        catalog_plan_apply(plan=CatalogPlan(reason="benchmark: synthetic MAL ids", external_ids=ids))
    seconds = time.perf_counter() - started
    if missing:
        print(f"gave {len(missing):,} titles a MAL id in {seconds:.1f} s (catalog_plan_apply)", flush=True)
    return {"attached": len(missing), "seconds": round(seconds, 2), "had": len(have)}


def catalog_titles() -> list[Any]:
    """Every title with its names and MAL id, for the generator."""
    from library_export import CatalogTitle  # noqa: PLC0415 (needs Django set up)

    from shuraba.catalog.models import AltTitle, ExternalId, Title  # noqa: PLC0415 (after django.setup)

    alts: dict[int, list[str]] = {}
    for pk, text in AltTitle.objects.order_by("pk").values_list("title_id", "text").iterator(chunk_size=20_000):
        alts.setdefault(pk, []).append(text)
    mal = dict(ExternalId.objects.filter(source="mal").values_list("title_id", "external_id"))
    rows = Title.objects.order_by("pk").values_list("pk", "title", "chapters", "volumes")
    return [
        CatalogTitle(pk, (name, *alts.get(pk, ())), chapters, volumes, mal[pk])
        for pk, name, chapters, volumes in rows.iterator(chunk_size=20_000)
        if pk in mal
    ]


@dataclass(frozen=True)
class Files:
    first: bytes
    changed: bytes
    kinds: dict[str, int]
    changed_entries: int


def files_build(titles: list[Any], entries: int) -> Files:
    from library_export import SHARES, export_rows, export_xml, rows_changed  # noqa: PLC0415 (Django is set up for the scale first)

    rows = export_rows(titles, entries, seed=SEED, shares=SHARES)
    changed, count = rows_changed(rows, CHANGED_SHARE, seed=SEED)
    kinds = {kind: sum(row.kind == kind for row in rows) for kind in SHARES}
    return Files(export_xml(rows), export_xml(changed), kinds, count)


# --- 1. import ----------------------------------------------------------------------------------------


class Phases:
    """Time spent in named module functions while inside the block: each is wrapped, and put back after."""

    def __init__(self, targets: Iterable[tuple[ModuleType, str, str]]) -> None:
        self.targets = list(targets)
        self.seconds = {label: 0.0 for _, _, label in self.targets}
        self._saved: list[tuple[ModuleType, str, Callable[..., Any]]] = []

    def _wrapped(self, function: Callable[..., Any], label: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        return timed

    def __enter__(self) -> Phases:
        for module, name, label in self.targets:
            function = getattr(module, name)
            self._saved.append((module, name, function))
            setattr(module, name, self._wrapped(function, label))
        return self

    def __exit__(self, *exc: object) -> None:
        for module, name, function in reversed(self._saved):
            setattr(module, name, function)
        self._saved.clear()


def _phase_targets() -> list[tuple[ModuleType, str, str]]:
    from shuraba.library import matching, services  # noqa: PLC0415 (after django.setup)

    return [
        (services, "list_file_read", "read"),
        (services, "entries_match", "match"),
        (matching, "titles_named", "name map"),
        (matching, "_ids", "id look-ups"),
        (services, "_sorted_out", "sort out"),
    ]


def user_fresh(username: str, *, adult: bool = True) -> Any:
    from django.contrib.auth import get_user_model  # noqa: PLC0415 (after django.setup)
    from django.utils import timezone  # noqa: PLC0415 (after django.setup)

    model = get_user_model()
    model.objects.filter(username=username).delete()  # their library goes with them
    return model.objects.create_user(
        username=username, password=PASSWORD, age_confirmed_at=timezone.now() if adult else None
    )


def user_drop(username: str) -> None:
    from django.contrib.auth import get_user_model  # noqa: PLC0415 (after django.setup)

    get_user_model().objects.filter(username=username).delete()


def import_timed(user: Any, data: bytes) -> dict[str, Any]:
    from shuraba.library.services import library_import  # noqa: PLC0415 (after django.setup)

    with Phases(_phase_targets()) as phases:
        started = time.perf_counter()
        run = library_import(user=user, data=data, filename="synthetic-export.xml")
        seconds = time.perf_counter() - started
    split = phases.seconds
    writes = seconds - split["read"] - split["match"] - split["sort out"]
    counts = {k: getattr(run, k) for k in ("created", "updated", "unchanged", "unmatched", "rejected")}
    return {"seconds": seconds, **split, "writes": writes, "counts": counts, "rejections": run.rejections[:5]}


def baseline_timed(source_user: Any) -> float:
    """A plain bulk_create of `source_user`'s entries for an empty account, objects made inside the timer."""
    from django.db import transaction  # noqa: PLC0415 (after django.setup)
    from django.utils import timezone  # noqa: PLC0415 (after django.setup)

    from shuraba.library.models import LibraryEntry  # noqa: PLC0415 (after django.setup)
    from shuraba.library.services import FROM_FILE  # noqa: PLC0415 (after django.setup)

    rows = list(LibraryEntry.objects.filter(user=source_user).values("title_id", *FROM_FILE))
    target = user_fresh(BASELINE)
    started = time.perf_counter()
    with transaction.atomic():
        now = timezone.now()
        entries = [LibraryEntry(user=target, created_at=now, updated_at=now, **row) for row in rows]
        LibraryEntry.objects.bulk_create(entries, batch_size=500)
    return time.perf_counter() - started


def expected_counts(files: Files) -> dict[str, dict[str, int]]:
    matched = files.kinds["mal id"] + files.kinds["name"]
    nothing = files.kinds["nothing"]
    return {
        "first": {"created": matched, "updated": 0, "unchanged": 0, "unmatched": nothing, "rejected": 0},
        "again": {"created": 0, "updated": 0, "unchanged": matched, "unmatched": nothing, "rejected": 0},
        "changed": {
            "created": 0,
            "updated": files.changed_entries,
            "unchanged": matched - files.changed_entries,
            "unmatched": nothing,
            "rejected": 0,
        },
    }


def import_run(files: Files, rounds: int) -> dict[str, Any]:
    from shuraba.search import lookup  # noqa: PLC0415 (after django.setup)

    lookup._named.clear()  # round 1 builds the name map, as the first import after a start does
    expected = expected_counts(files)
    out: list[dict[str, Any]] = []
    for number in range(1, rounds + 1):
        user = user_fresh(IMPORTER)
        one: dict[str, Any] = {}
        for label, data in (("first", files.first), ("again", files.first), ("changed", files.changed)):
            one[label] = import_timed(user, data)
            if one[label]["counts"] != expected[label]:
                raise SystemExit(f"round {number} {label}: {one[label]['counts']}, expected {expected[label]}")
        one["bulk_create"] = baseline_timed(user)
        out.append(one)
        first = one["first"]
        print(
            f"  round {number}: first {first['seconds']:.2f} s (name map {first['name map']:.2f} s), "
            f"again {one['again']['seconds']:.2f} s, changed {one['changed']['seconds']:.2f} s, "
            f"bulk_create {one['bulk_create']:.2f} s",
            flush=True,
        )
    user_drop(IMPORTER)
    user_drop(BASELINE)
    return {"expected": expected, "rounds": out}


def name_map_time(repeat: int = 3) -> dict[str, Any]:
    """`titles_named` built afresh `repeat` times (its per-process map dropped first), then found built,
    then brought up after one title's change (a rename through the catalog's service, and back)."""
    from shuraba.catalog.models import Title  # noqa: PLC0415 (after django.setup)
    from shuraba.catalog.services import title_update  # noqa: PLC0415 (after django.setup)
    from shuraba.library import matching  # noqa: PLC0415 (after django.setup)
    from shuraba.search import lookup  # noqa: PLC0415 (after django.setup)
    from shuraba.search.live import search_index  # noqa: PLC0415 (after django.setup)

    def asked() -> float:
        started = time.perf_counter()
        lookup.titles_named(keys=("synthetic",), key=matching._catalog_key)  # the matcher's own key
        return time.perf_counter() - started

    cold = []
    for _ in range(repeat):
        lookup._named.clear()  # the benchmark measures the build itself
        cold.append(asked())
    warm = [asked() for _ in range(20)]
    title = Title.objects.order_by("pk")[0]
    name, changed = title.title, []
    for new in (f"{name} (renamed by the benchmark)", name):
        title_update(title=title, changes={"title": new}, source=ID_SOURCE, reason="benchmark: name map update")
        search_index()  # the index takes the change first, as the next search would
        changed.append(asked())
    return {
        "cold_s": [round(s, 3) for s in cold],
        "warm_ms": ms(statistics.median(warm)),
        "after_one_change_ms": [ms(s) for s in changed],
        "keys": len(lookup._named["_catalog_key"].single),
        "names": sum(len(n) for n in search_index().names),
    }


def import_profile(files: Files) -> str:
    """cProfile of one first import (name map built), the top of it by cumulative and by own time."""
    from shuraba.library.services import library_import  # noqa: PLC0415 (after django.setup)

    user = user_fresh(IMPORTER)
    profile = cProfile.Profile()
    profile.enable()
    library_import(user=user, data=files.first, filename="synthetic-export.xml")
    profile.disable()
    user.delete()
    path = VAR / "logs" / "library-import.prof"
    path.parent.mkdir(parents=True, exist_ok=True)
    profile.dump_stats(path)
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    return text.getvalue()


def import_summary(result: dict[str, Any], entries: int) -> dict[str, Any]:
    rounds = result["rounds"]
    warm = rounds[1:] or rounds
    out: dict[str, Any] = {}
    for label in ("first", "again", "changed"):
        median = {
            key: statistics.median(r[label][key] for r in warm)
            for key in ("seconds", "read", "match", "name map", "id look-ups", "sort out", "writes")
        }
        out[label] = {
            **{k: round(v, 4) for k, v in median.items()},
            "entries_per_s": round(entries / median["seconds"]),
            "cold_seconds": round(rounds[0][label]["seconds"], 4),
            "cold_name_map": round(rounds[0][label]["name map"], 4),
            "cold_entries_per_s": round(entries / rounds[0][label]["seconds"]),
        }
    base = statistics.median(r["bulk_create"] for r in warm)
    out["bulk_create_seconds"] = round(base, 4)
    out["first_over_bulk_create"] = round(out["first"]["seconds"] / base, 2)
    out["first_over_parse"] = round(out["first"]["seconds"] / out["first"]["read"], 2)
    return out


# --- 2. the library page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PageCase:
    name: str
    params: dict[str, str]
    statuses: tuple[str, ...] = ()
    age_gated: bool = False  # the owner has not confirmed 18+ (in-process only)

    def query(self) -> str:
        return urlencode([*self.params.items(), *(("status", s) for s in self.statuses)])


def page_cases(entries: int, number_word: str) -> list[PageCase]:
    from shuraba.library.selectors import PER_PAGE, SORTS  # noqa: PLC0415 (after django.setup)

    last = str(-(-entries // PER_PAGE))
    cases = [PageCase(f"sort={sort}", {"sort": sort}) for sort in SORTS]
    return [
        *cases,
        PageCase("status=completed", {}, ("completed",)),
        PageCase("status=reading+rereading, sort=progress", {"sort": "progress"}, ("reading", "rereading")),
        PageCase("score 8-10, sort=score", {"score_min": "8", "sort": "score"}),
        PageCase("q=Kōri (a word of ~1/48 names)", {"q": "Kōri"}),
        PageCase(f"q={number_word} (one title)", {"q": number_word}),
        PageCase("hidden=yes (my rules hide)", {"hidden": "yes"}),
        PageCase("hidden=no", {"hidden": "no"}),
        PageCase("notes only", {"notes": "1"}),
        PageCase("privacy=private", {"privacy": "private"}),
        PageCase(f"last page ({last})", {"page": last}),
        PageCase(f"sort=title, page {int(last) // 2}", {"sort": "title", "page": str(int(last) // 2)}),
        PageCase(
            "completed, score 7+, sort=finished, page 2",
            {"score_min": "7", "sort": "finished", "page": "2"},
            ("completed",),
        ),
        PageCase("not 18+ (age gate), sort=updated", {}, (), age_gated=True),
    ]


def reader_prepare(titles: list[Any], entries: int) -> tuple[Any, str]:
    """The page's reader: `entries` entries through three imports, PRIVATE_ENTRIES made private; and a
    number that names one of their titles (for the text filter)."""
    from library_export import export_rows, export_xml, rows_changed  # noqa: PLC0415 (Django is set up for the scale first)

    from shuraba.catalog.models import Title  # noqa: PLC0415 (after django.setup)
    from shuraba.library.models import LibraryEntry  # noqa: PLC0415 (after django.setup)
    from shuraba.library.services import entry_save, library_import  # noqa: PLC0415 (after django.setup)

    user = user_fresh(READER)
    rows = export_rows(titles, entries, seed=SEED + 1, shares=READER_SHARES)
    changed, _ = rows_changed(rows, CHANGED_SHARE, seed=SEED + 1)
    for data in (export_xml(rows[: entries * 4 // 5]), export_xml(rows), export_xml(changed)):
        library_import(user=user, data=data, filename="synthetic-export.xml")
    have = LibraryEntry.objects.filter(user=user).count()
    if have != entries:
        raise SystemExit(f"the reader has {have:,} entries, not {entries:,}")
    picked = random.Random(SEED).sample(sorted(r.pk for r in rows), PRIVATE_ENTRIES)  # noqa: S311 (reproducible)
    for title in Title.objects.filter(pk__in=picked):
        entry_save(user=user, title=title, changes={"privacy": "private"})
    one = Title.objects.get(pk=rows[0].pk).slug.rsplit("-", 1)[-1]  # synthetic-title-000123: "000123"
    return user, one


def visibilities() -> tuple[Any, Any]:
    """The reader's: 18+ with bench_rules' light rule set; and the same before confirming 18+."""
    from bench_rules import RULESETS  # noqa: PLC0415 (one copy of the rule sets)

    from shuraba.accounts.policies import Visibility  # noqa: PLC0415 (after django.setup)
    from shuraba.accounts.rules import rules_parse  # noqa: PLC0415 (after django.setup)

    lines, presets = RULESETS["light"]
    rules = rules_parse(list(lines), list(presets)).rules
    return Visibility(hidden_ratings=frozenset(), spoilers="none", rules=rules), Visibility(rules=rules)


def floor_query(user: Any) -> Callable[[], object]:
    from shuraba.library.models import LibraryEntry  # noqa: PLC0415 (after django.setup)
    from shuraba.library.selectors import PER_PAGE, ROW_FIELDS  # noqa: PLC0415 (after django.setup)

    def floor() -> object:
        query = LibraryEntry.objects.filter(user=user).order_by("-updated_at", "pk").values_list(*ROW_FIELDS)
        return list(query[:PER_PAGE])

    return floor


def page_run(user: Any, cases: list[PageCase], rounds: int) -> dict[str, Any]:
    from django.db import connection  # noqa: PLC0415 (after django.setup)
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415 (after django.setup)

    from shuraba.library.selectors import library_filters_read, library_page  # noqa: PLC0415 (Django is set up for the scale first)

    adult, gated = visibilities()
    floor = floor_query(user)

    def call(case: PageCase) -> Any:
        filters = library_filters_read(case.params, case.statuses)
        return library_page(user=user, visibility=gated if case.age_gated else adult, filters=filters)

    facts: dict[str, dict[str, Any]] = {}
    for case in cases:  # the warm-up, and what each case answers
        with CaptureQueriesContext(connection) as queries:
            page = call(case)
        facts[case.name] = {
            "total": page.total,
            "rows": len(page.rows),
            "queries": len(queries.captured_queries),
            "rules_hidden": page.rules_hidden,
            "age_gated": page.age_gated,
        }
    samples: dict[str, list[float]] = {c.name: [] for c in cases}
    floors: list[float] = []
    rng = random.Random(SEED)  # noqa: S311 (a reproducible order, not a secret)
    for number in range(rounds):
        order = cases[:]
        rng.shuffle(order)
        for position, case in enumerate(order):
            for arm in ("floor", "page") if (number + position) % 2 == 0 else ("page", "floor"):
                work, into = (floor, floors) if arm == "floor" else (lambda: call(case), samples[case.name])  # noqa: B023 (called at once)
                started = time.perf_counter()
                work()
                into.append(time.perf_counter() - started)
    floor_p50 = statistics.median(floors)
    out: dict[str, Any] = {"rounds": rounds, "floor_p50_ms": ms(floor_p50), "floor_p95_ms": ms(p50_p95(floors)[1])}
    every = [s for values in samples.values() for s in values]
    out["all"] = {"p50_ms": ms(p50_p95(every)[0]), "p95_ms": ms(p50_p95(every)[1])}
    out["cases"] = {
        name: {
            "p50_ms": ms(p50_p95(values)[0]),
            "p95_ms": ms(p50_p95(values)[1]),
            "p50_over_floor": round(p50_p95(values)[0] / floor_p50, 2),
            **facts[name],
        }
        for name, values in samples.items()
    }
    return out


# --- 3. over HTTP -------------------------------------------------------------------------------------


def library_served() -> bool:
    from django.urls import Resolver404, resolve  # noqa: PLC0415 (after django.setup)

    try:
        resolve("/library/")
    except Resolver404:
        return False
    return True


def signed_in(base: str) -> Any:
    import httpx  # noqa: PLC0415 (the bench extra; only the HTTP part needs it)
    from bench_rules import form_read, login_fields  # noqa: PLC0415 (the login form's reader)

    client = httpx.Client(base_url=base, timeout=300)
    form = form_read(client.get("/accounts/login/").text)
    user, password = login_fields(form)
    answer = client.post("/accounts/login/", data={"csrfmiddlewaretoken": form.csrf, user: READER, password: PASSWORD})
    if answer.status_code not in (302, 303) or "sessionid" not in client.cookies:
        raise SystemExit(f"sign-in failed: HTTP {answer.status_code} {answer.text[:300]!r}")
    return client


def rules_put(client: Any) -> None:
    from bench_rules import RULESETS  # noqa: PLC0415 (one copy of the rule sets)

    lines, presets = RULESETS["light"]
    body = {"rules": list(lines), "presets": list(presets)}
    answer = client.put("/api/v1/me/avoid-rules", json=body, headers={"X-CSRFToken": client.cookies["csrftoken"]})
    if answer.status_code != 200:
        raise SystemExit(f"saving the avoid rules failed: HTTP {answer.status_code} {answer.text[:300]!r}")


def http_warm(client: Any, paths: tuple[str, ...], workers: int) -> float:
    """Until every worker has built what it builds once per catalog version (the index; the names' scan and
    the title order that the text filter and the sorts in memory read): concurrent rounds over `paths`
    until two in a row are all quick."""
    import httpx  # noqa: PLC0415 (the bench extra)

    started, quick = time.monotonic(), 0
    while quick < 2 and time.monotonic() - started < HTTP_WARM_S:
        times: list[float] = []

        def one(times: list[float] = times) -> None:
            with httpx.Client(base_url=str(client.base_url), cookies=client.cookies, timeout=300) as own:
                for path in paths:
                    begun = time.perf_counter()
                    own.get(path)
                    times.append(time.perf_counter() - begun)

        pool = [threading.Thread(target=one) for _ in range(workers * 4)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        quick = quick + 1 if max(times) < 1.0 else 0
    return time.monotonic() - started


def http_run(args: argparse.Namespace, cases: list[PageCase]) -> dict[str, Any]:
    from bench_http import free_port, server_start, server_stop  # noqa: PLC0415 (the bench extra)
    from django.core.management import call_command  # noqa: PLC0415 (after django.setup)

    if not library_served():
        print("\nhttp: skipped, this checkout has no /library/ page yet", flush=True)
        return {"skipped": "no /library/ page on this checkout"}
    call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest, in the scale's folder
    served = [c for c in cases if not c.age_gated]  # the reader is 18+; the age-gated case is in-process only
    port, log = free_port(), VAR / "logs" / f"library-{args.scale}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = server_start(data_dir(args.scale), port, args.workers, log, cold=False)
    samples: dict[str, list[float]] = {c.name: [] for c in served}
    healthz: list[float] = []
    failures: list[str] = []
    sizes: dict[str, int] = {}
    try:
        client = signed_in(f"http://127.0.0.1:{port}")
        rules_put(client)
        warm_s = http_warm(client, WARM_PATHS, args.workers)
        rng = random.Random(SEED)  # noqa: S311 (a reproducible order, not a secret)
        for _ in range(args.requests):
            order = served[:]
            rng.shuffle(order)
            for case in order:
                started = time.perf_counter()
                client.get("/healthz")
                healthz.append(time.perf_counter() - started)
                started = time.perf_counter()
                answer = client.get(f"/library/?{case.query()}")
                samples[case.name].append(time.perf_counter() - started)
                sizes[case.name] = len(answer.content)
                if answer.status_code != 200:
                    failures.append(f"{case.name}: HTTP {answer.status_code}")
        client.close()
    finally:
        server_stop(server)
    base = statistics.median(healthz)
    every = [s for values in samples.values() for s in values]
    return {
        "workers": args.workers,
        "requests": args.requests,
        "warm_up_s": round(warm_s, 1),
        "failures": failures[:20],
        "healthz_p50_ms": ms(base),
        "all": {"p50_ms": ms(p50_p95(every)[0]), "p95_ms": ms(p50_p95(every)[1])},
        "cases": {
            name: {
                "p50_ms": ms(p50_p95(values)[0]),
                "p95_ms": ms(p50_p95(values)[1]),
                "p50_over_healthz": round(p50_p95(values)[0] / base, 2),
                "bytes": sizes.get(name, 0),
            }
            for name, values in samples.items()
        },
    }


# --- the command --------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    from shuraba.search.live import search_index  # noqa: PLC0415 (after django.setup)

    parts = set(args.parts.split(","))
    result: dict[str, Any] = {"scale": args.scale, "entries": args.entries, "mal_ids": mal_ids_attach()}
    started = time.perf_counter()
    search_index()  # a serving worker has built it before any import or page asks
    result["index_build_s"] = round(time.perf_counter() - started, 2)
    titles = catalog_titles()
    if "import" in parts:
        files = files_build(titles, args.entries)
        result["file"] = {"bytes": len(files.first), "kinds": files.kinds, "changed_entries": files.changed_entries}
        print(f"list file: {len(files.first):,} bytes, {files.kinds}", flush=True)
        result["import"] = import_run(files, args.rounds)
        result["import"]["summary"] = import_summary(result["import"], args.entries)
        result["name_map"] = name_map_time()
        if args.profile:
            result["profile"] = import_profile(files)
    if parts & {"page", "http"}:
        user, number = reader_prepare(titles, args.entries)
        cases = page_cases(args.entries, number)
        if "page" in parts:
            result["page"] = page_run(user, cases, args.page_rounds)
        if "http" in parts:
            result["http"] = http_run(args, cases)
    return result


def report_print(result: dict[str, Any]) -> None:
    line = [f"library-{result['scale']}:"]
    print(f"\nindex build {result['index_build_s']} s; MAL ids: {result['mal_ids']}")
    if "import" in result:
        summary, entries = result["import"]["summary"], result["entries"]
        print(f"\n### import of {entries:,} entries {result['file']['kinds']} (median of the warm rounds)")
        headers = ("import", "s", "entries/s", "read", "match", "of which name map", "ids", "sort out", "writes")
        keys = ("seconds", "entries_per_s", "read", "match", "name map", "id look-ups", "sort out", "writes")
        rows = [[label, *(summary[label][k] for k in keys)] for label in ("first", "again", "changed")]
        print(table(headers, rows))
        first = summary["first"]
        print(
            f"round 1 (name map cold): first {first['cold_seconds']} s = {first['cold_entries_per_s']:,} entries/s, "
            f"name map {first['cold_name_map']} s\nbaseline bulk_create of the same entries "
            f"{summary['bulk_create_seconds']} s: first import / bulk_create = {summary['first_over_bulk_create']}x; "
            f"first import / parse only = {summary['first_over_parse']}x"
        )
        names = result["name_map"]
        print(
            f"name map: built in {names['cold_s']} s, found built in {names['warm_ms']} ms, brought up after one "
            f"title changed in {names['after_one_change_ms']} ms; {names['keys']:,} keys of {names['names']:,} names"
        )
        line.append(
            f"import first {first['entries_per_s']}/s (cold {first['cold_entries_per_s']}/s) "
            f"again {summary['again']['entries_per_s']}/s changed {summary['changed']['entries_per_s']}/s"
        )
    for part, base in (("page", "floor"), ("http", "healthz")):
        if part not in result or "cases" not in result[part]:
            continue
        got = result[part]
        ratio = f"p50 / {base} p50"
        headers = ["case", "p50 ms", "p95 ms", ratio] + (["total", "queries"] if part == "page" else ["bytes"])
        rows = []
        for name, case in got["cases"].items():
            extra = [case["total"], case["queries"]] if part == "page" else [case["bytes"]]
            rows.append([name, case["p50_ms"], case["p95_ms"], case[f"p50_over_{base}"], *extra])
        where = "in-process" if part == "page" else "over HTTP"
        print(f"\n### library page, {where} ({base} p50 {got[f'{base}_p50_ms']} ms)")
        print(table(headers, rows))
        print(f"all cases: p50 {got['all']['p50_ms']} ms, p95 {got['all']['p95_ms']} ms")
        worst = max(got["cases"].values(), key=lambda c: c["p95_ms"])["p95_ms"]
        line.append(f"{part} p50 {got['all']['p50_ms']} p95 {got['all']['p95_ms']} worst case p95 {worst} ms")
    status_append(" ".join(line))


def main() -> None:
    args = _arguments()
    if not args.scale.startswith("synthetic-"):
        raise SystemExit("synthetic scales only: the benchmark would have to invent MAL ids for real works")
    django_setup(args.scale)
    from django.core.management import call_command  # noqa: PLC0415 (after django.setup)

    call_command("migrate", interactive=False, verbosity=0)  # a database generated before the library
    result = run(args)
    profile = result.pop("profile", None)
    path = results_write(f"library-{args.scale}", result)
    report_print(result)
    if profile:
        print(profile)
    print(f"\nwritten {path}")


if __name__ == "__main__":
    sys.exit(main())
