from __future__ import annotations

import email.utils

import httpx
import pytest

from shuraba.importers.sources.ratelimit import (
    USER_AGENT,
    FakeClock,
    Limiter,
    Rate,
    Retry,
    SourceError,
    SourceRateLimited,
    Throttle,
    retry_after,
)

from .support import Recorder


def throttle(clock: FakeClock, *rates: Rate, retry: Retry | None = None) -> Throttle:
    return Throttle("Example Source", Limiter(*(rates or (Rate(1, 1.0),)), clock=clock, sleep=clock.sleep), retry)


def get(client: httpx.Client, manners: Throttle) -> httpx.Response:
    return manners.send(client, client.build_request("GET", "https://api.example.invalid/v1/thing"))


def test_sliding_windows_never_exceed_any_rate(clock: FakeClock) -> None:
    limiter = Limiter(Rate(3, 1.0), Rate(10, 60.0), clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(25):
        limiter.acquire()
        stamps.append(clock.now)
    assert all(sum(1 for t in stamps if s <= t < s + 1) <= 3 for s in stamps)
    assert all(sum(1 for t in stamps if s <= t < s + 60) <= 10 for s in stamps)
    assert stamps[10] - stamps[0] >= 60
    assert limiter.describe() == "3 requests per 1 s and 10 requests per 60 s"


def test_hold_delays_the_next_request(clock: FakeClock) -> None:
    limiter = Limiter(Rate(5, 1.0), clock=clock, sleep=clock.sleep)
    limiter.hold(clock.now + 30)
    limiter.acquire()
    assert clock.slept == [30]


def test_retry_after_reads_seconds_http_dates_and_mangadex_unix_times(clock: FakeClock) -> None:
    assert retry_after(httpx.Response(429, headers={"Retry-After": "12"}), clock.now) == 12
    date = email.utils.formatdate(clock.now + 90, usegmt=True)
    assert retry_after(httpx.Response(429, headers={"Retry-After": date}), clock.now) == pytest.approx(90, abs=1)
    stamp = str(int(clock.now) + 20)
    assert retry_after(httpx.Response(429, headers={"X-RateLimit-Retry-After": stamp}), clock.now) == 20
    assert retry_after(httpx.Response(429), clock.now) is None


def test_server_errors_are_retried_with_doubling_back_off(clock: FakeClock) -> None:
    answers = [httpx.Response(502), httpx.Response(503), httpx.Response(200, json={})]
    server = Recorder(lambda _: answers.pop(0))
    assert get(server.client(), throttle(clock)).status_code == 200
    assert [s for s in clock.slept if s >= 2] == [2.0, 4.0]


def test_network_errors_are_retried_then_reported_with_advice(clock: FakeClock) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(
        SourceError, match=r"could not reach Example Source.*gave up after 3 attempts.*resume"
    ) as caught:
        get(Recorder(refuse).client(), throttle(clock, retry=Retry(attempts=3)))
    assert not isinstance(caught.value, SourceRateLimited)


def test_a_retry_after_beyond_what_we_accept_stops_at_once(clock: FakeClock) -> None:
    server = Recorder(lambda _: httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(SourceRateLimited, match="asked us to wait 3600 s, longer than the 300 s we accept"):
        get(server.client(), throttle(clock))
    assert len(server.requests) == 1


def test_4xx_answers_are_returned_for_the_adapter_to_judge(clock: FakeClock) -> None:
    server = Recorder(lambda _: httpx.Response(404, json={"error": "not found"}))
    assert get(server.client(), throttle(clock)).status_code == 404
    assert len(server.requests) == 1


def test_httpx_default_user_agent_is_replaced_and_an_operators_own_is_kept(clock: FakeClock) -> None:
    server = Recorder(lambda _: httpx.Response(200))
    get(server.client(), throttle(clock))
    get(server.client(headers={"User-Agent": "example-site/1.0 (ops@example.invalid)"}), throttle(clock))
    assert [r.headers["user-agent"] for r in server.requests] == [USER_AGENT, "example-site/1.0 (ops@example.invalid)"]


def test_fake_clock_only_moves_when_slept(clock: FakeClock) -> None:
    start = clock()
    clock.sleep(2.5)
    assert (clock() - start, clock.slept) == (2.5, [2.5])
