"""Avoid rules (issue 11): what a reader's rules cost, in-process and over HTTP.

1. mix: the query mix (queries.py) as an 18+ viewer (each case keeps its spoiler setting), without
   rules and with each rule set of RULESETS, interleaved per query (the arm that goes first rotates),
   cold (no answer remembered) and then warm (answers remembered).
2. change: a new rule joins a rule set each time (so its bitmap is not cached), then the first
   `engine_search`; right after it, the same search with the rule set unchanged is the baseline, and
   the same search without rules a second one. Answers are not remembered in any of them, so the
   difference is what the change costs: the new rule's bitmap, the union, the visible set, and every
   derived value keyed by the visibility.
3. http: `shuraba serve` on a free loopback port; a signed-in reader saves rules through the form
   (`POST /settings/avoid/`) and the API (`PUT /api/v1/me/avoid-rules`), a distinct rule set each time,
   and after each API save asks for the first search page (`GET /api/v1/search`); sign-in
   (`POST /accounts/login/`, a fresh client each time); `GET /healthz` in between as the baseline.

Every loop is bounded in count and only talks to 127.0.0.1. Benchmarks report; they never fail on a time.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
from bench_http import free_port, server_start, server_stop, warm_up
from bench_inprocess import index_build, pages_resolve
from common import SEED, VAR, ms, p50_p95, results_write, status_append, table
from queries import Case, _tags_by_use, cases_build

CUSTOM = ("consent:coercion,non-consent", "ending:tragedy unclassified:allow", "warning:*>=graphic")
# (lines, presets): the ntr-free preset as the checkbox saves it (strict), and in its relaxed form. Strict,
# its `subgenre:*` clause also hides every title without a subgenre, which is every title not classified
# as NTR: on the synthetic catalog it hides everything, so the relaxed set is the one that leaves work.
RULESETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "strict": (CUSTOM, ("ntr-free",)),
    "relaxed": (("preset:ntr-free unclassified:allow", *CUSTOM), ()),
    # Two rules that hide a minority: results keep their size, so what is left is what the rules cost.
    "light": (CUSTOM[1:], ()),
}
HTTP_RULESET = "relaxed"
TEMPLATES = ("{tag}", "{tag}>=60", "ending:tragedy {tag}", "consent:coercion {tag} unclassified:allow")
USERNAME, PASSWORD = "bench-rules", "bench-rules-password-1"
BROWSE = "/api/v1/search?query=&per_page=24"
logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request


def distinct_rules(n: int) -> list[str]:
    """`n` rule lines, no two alike: every tag (seeded order, popular and rare mixed) in each template."""
    tags = _tags_by_use()
    random.Random(SEED).shuffle(tags)  # noqa: S311 (reproducible, not a secret)
    lines = [template.format(tag=tag) for template in TEMPLATES for tag in tags]
    if n > len(lines):
        raise SystemExit(f"only {len(lines)} distinct rules on this catalog, asked for {n}")
    return lines[:n]


def visibilities(spoilers: str, rules: tuple[Any, ...]) -> Any:
    from shuraba.accounts.policies import Visibility  # noqa: PLC0415 (after django.setup)

    return Visibility(hidden_ratings=frozenset(), spoilers=spoilers, rules=rules)  # type: ignore[arg-type]


def ruleset(name: str, extra: tuple[str, ...] = ()) -> Any:
    from shuraba.accounts.rules import rules_parse  # noqa: PLC0415 (after django.setup)

    lines, presets = RULESETS[name]
    return rules_parse([*lines, *extra], presets)


# --- 1. the mix, with and without rules ------------------------------------------------------------


@dataclass
class Arm:
    cases: list[Case]
    samples: dict[str, list[float]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)


def arms_build(index: Any, cases: list[Case]) -> dict[str, Arm]:
    """The mix as an 18+ viewer, once per rule set: the last pages resolved per arm (rules shorten results)."""
    import queries  # noqa: PLC0415 (the viewers table is the mix's own)

    arms = {}
    for name, arm_rules in (("no rules", ()), *((n, ruleset(n).rules) for n in RULESETS)):
        for viewer in {c.viewer for c in cases}:
            queries.VIEWERS[f"{name}/{viewer}"] = visibilities(queries.VIEWERS[viewer].spoilers, arm_rules)
        arms[name] = Arm(pages_resolve([replace(c, viewer=f"{name}/{c.viewer}") for c in cases], index))
    return arms


def mix_time(index: Any, arms: dict[str, Arm], rounds: int) -> None:
    """One warm-up pass, then `rounds` shuffled rounds; per query both arms back to back, the first flipping."""
    from shuraba.search.engine import engine_search  # noqa: PLC0415 (after django.setup)

    names = list(arms)
    for arm in arms.values():
        arm.samples = {c.name: [] for c in arm.cases}
        arm.totals = {c.name: engine_search(index, c.query, c.who, facets=True).total for c in arm.cases}
    rng = random.Random(SEED)  # noqa: S311 (a reproducible order, not a secret)
    for number in range(rounds):
        order = list(range(len(arms[names[0]].cases)))
        rng.shuffle(order)
        for position in order:
            turn = (number + position) % len(names)
            for name in names[turn:] + names[:turn]:
                case = arms[name].cases[position]
                started = time.perf_counter()
                engine_search(index, case.query, case.who, facets=True)
                arms[name].samples[case.name].append(time.perf_counter() - started)


def mix_summary(arms: dict[str, Arm]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, arm in arms.items():
        p50, p95 = p50_p95([s for values in arm.samples.values() for s in values])
        out[name] = {"p50_ms": ms(p50), "p95_ms": ms(p95), "median_total": statistics.median(arm.totals.values())}
    base = arms["no rules"]
    for name in RULESETS:
        ruled = arms[name]
        ratios = [
            statistics.median(ruled.samples[r.name]) / statistics.median(base.samples[b.name])
            for b, r in zip(base.cases, ruled.cases, strict=True)
        ]
        out[name] |= {
            "ratio_of_p50s": round(out[name]["p50_ms"] / out["no rules"]["p50_ms"], 3),
            "ratio_of_p95s": round(out[name]["p95_ms"] / out["no rules"]["p95_ms"], 3),
            "per_query_ratio_median": round(statistics.median(ratios), 3),
            "per_query_ratio_max": round(max(ratios), 3),
        }
    return out


def mix_shapes(arms: dict[str, Arm], name: str) -> list[list[object]]:
    """Per shape, pooled samples of both arms and their ratio, the largest ratio first."""
    base, ruled = arms["no rules"], arms[name]
    groups: dict[str, tuple[list[float], list[float], list[int]]] = {}
    for b, r in zip(base.cases, ruled.cases, strict=True):
        group = groups.setdefault(b.shape, ([], [], []))
        group[0].extend(base.samples[b.name])
        group[1].extend(ruled.samples[r.name])
        group[2].append(ruled.totals[r.name])
    rows: list[list[object]] = []
    for shape, (without, with_rules, totals) in groups.items():
        a, b = statistics.median(without), statistics.median(with_rules)
        rows.append([shape, ms(a), ms(b), round(b / a, 2), round(statistics.median(totals))])
    return sorted(rows, key=lambda row: -float(row[3]))  # type: ignore[arg-type]


def mix_run(index: Any, cases: list[Case], rounds: int) -> dict[str, Any]:
    from shuraba.search.engine import engine_search  # noqa: PLC0415 (after django.setup)

    arms = arms_build(index, cases)
    out = {}
    for mode, remembered in (("cold", False), ("warm", True)):
        index._cache.results = remembered
        mix_time(index, arms, rounds)
        out[mode] = {**mix_summary(arms), "shapes": {n: mix_shapes(arms, n) for n in RULESETS}}
        print(f"  mix {mode}: {[out[mode][n]['ratio_of_p50s'] for n in RULESETS]}x of p50s", flush=True)
    index._cache.results = False  # back to cold for what follows, without the answers the warm rounds kept
    index._cache.clear()
    for arm in arms.values():  # the derived values again (sort ranks, joined names), as before the warm rounds
        for case in arm.cases:
            engine_search(index, case.query, case.who, facets=True)
    return out


# --- 2. the first search after a rule change -------------------------------------------------------


def change_run(index: Any, cases: list[Case], changes: int) -> dict[str, Any]:
    """Per rule set and series (the browse page, then the mix's first pages in turn), `changes` rule changes."""
    from shuraba.search.engine import engine_search  # noqa: PLC0415 (after django.setup)

    lines = iter(distinct_rules(2 * changes * len(RULESETS)))
    first_pages = [c for c in cases if c.query.page == 1 and c.shape != "empty"]
    browse = next(c for c in cases if c.shape == "empty")
    out = {}
    series_all = (("browse", lambda _: browse), ("mix", lambda i: first_pages[i % len(first_pages)]))
    for name, (series, pick) in ((n, s) for n in RULESETS for s in series_all):
        samples: dict[str, list[float]] = {"parse": [], "first": [], "unchanged": [], "no rules": []}
        for number in range(changes):
            case = pick(number)
            started = time.perf_counter()
            rules = ruleset(name, (next(lines),)).rules
            samples["parse"].append(time.perf_counter() - started)
            for arm, visibility in (
                ("first", visibilities("none", rules)),
                ("unchanged", visibilities("none", rules)),
                ("no rules", visibilities("none", ())),
            ):
                started = time.perf_counter()
                engine_search(index, case.query, visibility, facets=True)
                samples[arm].append(time.perf_counter() - started)
        out[f"{name}, {series}"] = change_summary(samples)
        print(f"  change {name} {series}: first p50 {out[f'{name}, {series}']['first']['p50_ms']} ms", flush=True)
    return out


def change_summary(samples: dict[str, list[float]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for arm, values in samples.items():
        p50, p95 = p50_p95(values)
        out[arm] = {"p50_ms": ms(p50), "p95_ms": ms(p95), "max_ms": ms(max(values)), "n": len(values)}
    out["first_over_unchanged_p50"] = round(out["first"]["p50_ms"] / out["unchanged"]["p50_ms"], 2)
    out["first_over_no_rules_p50"] = round(out["first"]["p50_ms"] / out["no rules"]["p50_ms"], 2)
    return out


# --- 3. over HTTP ----------------------------------------------------------------------------------


class _Form(HTMLParser):
    """The first form with a password field: its inputs' names and the CSRF token (tolerant of the
    login page's markup, Django's LoginView today and django-allauth's later)."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, str] = {}
        self.csrf = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "input":
            return
        a = {k: v or "" for k, v in attrs}
        if a.get("name") == "csrfmiddlewaretoken":
            self.csrf = self.csrf or a.get("value", "")
        elif a.get("name"):
            self.inputs.setdefault(a["name"], a.get("type", "text"))


def form_read(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def login_fields(form: _Form) -> tuple[str, str]:
    user = next((n for n in ("login", "username", "email") if n in form.inputs), "username")
    password = next((n for n, kind in form.inputs.items() if kind == "password"), "password")
    return user, password


def user_reset() -> None:
    from django.contrib.auth import get_user_model  # noqa: PLC0415 (after django.setup)

    model = get_user_model()
    model.objects.filter(username=USERNAME).delete()  # its saved rules go with it
    model.objects.create_user(username=USERNAME, password=PASSWORD)


def signed_in(base: str) -> tuple[httpx.Client, float, float]:
    """A fresh client signed in through the login form: (client, GET seconds, POST seconds)."""
    client = httpx.Client(base_url=base, timeout=300)
    started = time.perf_counter()
    page = client.get("/accounts/login/")
    got = time.perf_counter() - started
    form = form_read(page.text)
    user, password = login_fields(form)
    data = {"csrfmiddlewaretoken": form.csrf, user: USERNAME, password: PASSWORD}
    started = time.perf_counter()
    answer = client.post("/accounts/login/", data=data)
    posted = time.perf_counter() - started
    if answer.status_code not in (302, 303) or "sessionid" not in client.cookies:
        raise SystemExit(f"sign-in failed: HTTP {answer.status_code} {answer.text[:300]!r}")
    return client, got, posted


def _timed(request: Callable[[], httpx.Response], ok: tuple[int, ...], failures: list[str]) -> float:
    started = time.perf_counter()
    answer = request()
    seconds = time.perf_counter() - started
    if answer.status_code not in ok:
        failures.append(f"{answer.request.method} {answer.request.url.path}: {answer.status_code}")
    return seconds


def http_loop(base: str, requests: int, samples: dict[str, list[float]], failures: list[str]) -> None:
    """Each step: healthz, a form save, healthz, an API save and the first search after it, a sign-in."""
    reader, _, _ = signed_in(base)
    token = form_read(reader.get("/settings/avoid/").text).csrf
    lines = iter(distinct_rules(2 * requests))
    kept, presets = RULESETS[HTTP_RULESET]
    for _ in range(requests):
        samples["GET /healthz"].append(_timed(lambda: reader.get("/healthz"), (200,), failures))
        data = {"csrfmiddlewaretoken": token, "rules": "\n".join([*kept, next(lines)]), "presets": list(presets)}
        post = _timed(lambda: reader.post("/settings/avoid/", data=data), (302,), failures)  # noqa: B023 (called at once)
        samples["POST /settings/avoid/"].append(post)
        samples["GET /healthz"].append(_timed(lambda: reader.get("/healthz"), (200,), failures))
        body = {"rules": [*kept, next(lines)], "presets": list(presets)}
        headers = {"X-CSRFToken": reader.cookies["csrftoken"]}
        put = _timed(lambda: reader.put("/api/v1/me/avoid-rules", json=body, headers=headers), (200,), failures)  # noqa: B023 (called at once)
        samples["PUT /api/v1/me/avoid-rules"].append(put)
        samples["GET /api/v1/search, first after a save"].append(_timed(lambda: reader.get(BROWSE), (200,), failures))
        client, got, posted = signed_in(base)
        client.close()
        samples["GET /accounts/login/"].append(got)
        samples["POST /accounts/login/"].append(posted)


def http_run(args: argparse.Namespace, scale_dir: Path) -> dict[str, Any]:
    from django.core.management import call_command  # noqa: PLC0415 (after django.setup)

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest, in the scale's folder
    user_reset()
    port, log = free_port(), VAR / "logs" / f"rules-{args.scale}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = server_start(scale_dir, port, args.workers, log, cold=False)
    samples: dict[str, list[float]] = {
        k: []
        for k in (
            "GET /healthz",
            "POST /settings/avoid/",
            "PUT /api/v1/me/avoid-rules",
            "GET /api/v1/search, first after a save",
            "GET /accounts/login/",
            "POST /accounts/login/",
        )
    }
    failures: list[str] = []
    try:
        warm_up(port, [BROWSE], args.workers)
        http_loop(f"http://127.0.0.1:{port}", args.requests, samples, failures)
    finally:
        server_stop(server)
    healthz = statistics.median(samples["GET /healthz"])
    out: dict[str, Any] = {"workers": args.workers, "requests": args.requests, "failures": failures[:20]}
    for name, values in samples.items():
        p50, p95 = p50_p95(values)
        out[name] = {
            "n": len(values),
            "p50_ms": ms(p50),
            "p95_ms": ms(p95),
            "p50_over_healthz": round(p50 / healthz, 2),
        }
    return out


def visible_counts(index: Any) -> dict[str, int]:
    """How many titles an 18+ viewer sees with each rule set (strict rules hide the unclassified)."""
    from shuraba.search.engine import visible_slots  # noqa: PLC0415 (after django.setup)

    sets = {"no rules": ()} | {n: ruleset(n).rules for n in RULESETS}
    return {n: len(visible_slots(index, visibilities("none", rules))) for n, rules in sets.items()}


# --- the command -----------------------------------------------------------------------------------


def run(args: argparse.Namespace, scale_dir: Path) -> dict[str, Any]:
    parts = set(args.parts.split(","))
    result: dict[str, Any] = {"scale": args.scale, "rulesets": RULESETS, "http_ruleset": HTTP_RULESET}
    if parts & {"mix", "change"}:
        index, build = index_build()
        cases = cases_build()
        canonical = {n: [r.text for r in ruleset(n).rules] for n in RULESETS}
        result |= {
            "build": build,
            "rules_canonical": canonical,
            "visible": visible_counts(index),
            "rounds": args.rounds,
        }
        if "mix" in parts:
            result["mix"] = mix_run(index, cases, args.rounds)
        if "change" in parts:
            result["change"] = change_run(index, cases, args.changes)
        del index
    if "http" in parts:
        result["http"] = http_run(args, scale_dir)
    path = results_write(f"rules-{args.scale}", result)
    report_print(result)
    print(f"\nwritten {path}")
    return result


MIX_HEADERS = ("arm", "p50 ms", "p95 ms", "median total", "p50 ratio", "p95 ratio", "per-query ratio median, max")


def report_print(result: dict[str, Any]) -> None:
    line = [f"rules-{result['scale']}:"]
    if "visible" in result:
        print(table(("rule set", "titles an 18+ viewer sees"), list(result["visible"].items())))
    for mode, mix in result.get("mix", {}).items():
        print(f"\n### the mix, {mode}: rules / no rules")
        rows: list[list[object]] = [["no rules", mix["no rules"]["p50_ms"], mix["no rules"]["p95_ms"]]]
        rows[0] += [mix["no rules"]["median_total"], 1.0, 1.0, "-"]
        for n in RULESETS:
            a = mix[n]
            ratio = f"{a['per_query_ratio_median']}, {a['per_query_ratio_max']}"
            rows.append([n, a["p50_ms"], a["p95_ms"], a["median_total"], a["ratio_of_p50s"], a["ratio_of_p95s"], ratio])
            line.append(f"mix {mode} {n} p50 {mix['no rules']['p50_ms']}->{a['p50_ms']} ms ({a['ratio_of_p50s']}x)")
        print(table(MIX_HEADERS, rows))
        if mode == "cold":
            for n in RULESETS:
                headers = ("shape", "no rules p50 ms", f"{n} p50 ms", "ratio", f"median total, {n}")
                print(f"\nslowest shapes against no rules, {n}:")
                print(table(headers, mix["shapes"][n][:8]))
    for series, change in result.get("change", {}).items():
        print(f"\n### first search after a rule change: {series}")
        arms = ("parse", "first", "unchanged", "no rules")
        print(table(("step", "p50 ms", "p95 ms", "max ms", "n"), [[a, *change[a].values()] for a in arms]))
        ratios = change["first_over_unchanged_p50"], change["first_over_no_rules_p50"]
        print(f"first/unchanged {ratios[0]}x, first/no rules {ratios[1]}x")
        line.append(f"change {series} first p50 {change['first']['p50_ms']} p95 {change['first']['p95_ms']} ms")
    if "http" in result:
        http = result["http"]
        names = [k for k, v in http.items() if isinstance(v, dict)]
        rows = [[k, http[k]["n"], http[k]["p50_ms"], http[k]["p95_ms"], http[k]["p50_over_healthz"]] for k in names]
        print(f"\n### over HTTP ({result['http_ruleset']} rule set saved)")
        print(table(("request", "n", "p50 ms", "p95 ms", "p50 / healthz p50"), rows))
        if http["failures"]:
            print("failures:", http["failures"])
        line += [f"{k} p95 {http[k]['p95_ms']} ms" for k in names]
    status_append(" ".join(line))
