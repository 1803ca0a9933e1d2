"""Polite HTTP for the source adapters: spacing between requests, retries with a cap, kind errors.

Every adapter sends through `Throttle.send`. It waits for the source's rate windows, retries 429 and
5xx answers with exponential back-off (honouring `Retry-After`), adapts to `X-RateLimit-*` headers and
turns what cannot be fixed by waiting into a `SourceError` whose message says what to do next.
The clock and the sleep are injected, so tests run in fake time (`FakeClock`).
"""

from __future__ import annotations

import email.utils
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from shuraba.core.errors import ShurabaError

Clock = Callable[[], float]
Sleep = Callable[[float], None]

USER_AGENT = "shuraba-importer/0.1 (catalog metadata importer; one request at a time, cached)"
DEFAULT_CLIENT_AGENT = "python-httpx/"


class SourceError(ShurabaError):
    """A source answered in a way the run cannot use; the message says what to do."""


class SourceOutage(SourceError):
    """The source says it is down or disabled: stop now and try again later, do not hammer it."""


class SourceRateLimited(SourceError):
    """The source kept refusing with 429 after every allowed retry, or asked for a wait longer than we accept."""


@dataclass(frozen=True)
class Rate:
    """At most `requests` requests in any `per`-second window (one per `per` seconds is plain spacing)."""

    requests: int
    per: float

    def describe(self) -> str:
        if self.requests == 1:
            return f"one request every {self.per:g} s"
        return f"{self.requests} requests per {self.per:g} s"


@dataclass(frozen=True)
class Retry:
    """How hard to try: `attempts` sends in all, back-off doubling from `backoff`, waits above `max_wait` give up."""

    attempts: int = 5
    backoff: float = 2.0
    max_wait: float = 300.0


@dataclass
class FakeClock:
    """A clock and a sleep that only move when slept on: the test seam for every limiter."""

    now: float = 1_700_000_000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Limiter:
    """Sliding windows over the times of past requests, plus a hold-until set by the server."""

    def __init__(self, *rates: Rate, clock: Clock = time.time, sleep: Sleep = time.sleep) -> None:
        self.rates = list(rates)
        self.clock = clock
        self.sleep = sleep
        self.hold_until = 0.0
        self._sent: deque[float] = deque(maxlen=max((r.requests for r in rates), default=1))

    def describe(self) -> str:
        return " and ".join(rate.describe() for rate in self.rates)

    def acquire(self) -> None:
        """Block until one more request fits in every window, then count it."""
        while (wait := self._wait(self.clock())) > 0:
            self.sleep(wait)
        self._sent.append(self.clock())

    def hold(self, until: float) -> None:
        """Send nothing before `until` (a unix time), as the server asked."""
        self.hold_until = max(self.hold_until, until)

    def rate_set(self, index: int, rate: Rate) -> None:
        """Replace one window (a source announced a different limit); the request log grows to fit it."""
        self.rates[index] = rate
        if rate.requests > (self._sent.maxlen or 0):
            self._sent = deque(self._sent, maxlen=rate.requests)

    def _wait(self, now: float) -> float:
        waits = [self.hold_until - now]
        for rate in self.rates:
            recent = [t for t in self._sent if t > now - rate.per]
            if len(recent) >= rate.requests:
                waits.append(recent[-rate.requests] + rate.per - now)
        return max(waits)


def retry_after(response: httpx.Response, now: float) -> float | None:
    """Seconds the server asked us to wait: `Retry-After` (seconds or an HTTP date) or MangaDex's unix time."""
    value = response.headers.get("retry-after")
    if value is not None:
        if value.strip().isdigit():
            return float(value)
        parsed = email.utils.parsedate_to_datetime(value) if value.strip() else None
        return max(0.0, parsed.timestamp() - now) if parsed and parsed.tzinfo else None
    stamp = response.headers.get("x-ratelimit-retry-after")
    if stamp is not None and stamp.strip().isdigit():
        return max(0.0, float(stamp) - now)
    return None


def user_agent_ensure(client: httpx.Client, request: httpx.Request) -> None:
    """Sources ask for a real User-Agent: keep the operator's own, replace httpx's default with ours."""
    agent = request.headers.get("user-agent") or client.headers.get("user-agent") or ""
    if not agent or agent.startswith(DEFAULT_CLIENT_AGENT):
        request.headers["user-agent"] = USER_AGENT


class Throttle:
    """One source's manners: its limiter, its retry policy and how to read its rate-limit headers."""

    def __init__(
        self, label: str, limiter: Limiter, retry: Retry | None = None, *, adapt_per_minute: bool = False
    ) -> None:
        self.label = label
        self.limiter = limiter
        self.retry = retry or Retry()
        self.adapt_per_minute = adapt_per_minute  # X-RateLimit-Limit is requests per minute (AniList)

    def send(self, client: httpx.Client, request: httpx.Request) -> httpx.Response:
        """Send with spacing and retries; returns any answer that is not 429/5xx for the caller to judge."""
        user_agent_ensure(client, request)
        problem = ""
        for attempt in range(self.retry.attempts):
            self.limiter.acquire()
            try:
                response = client.send(request)
            except httpx.TransportError as exc:
                problem = f"could not reach {self.label} ({type(exc).__name__}: {exc})"
                self._back_off(attempt, None)
                continue
            response.read()
            self.observe(response)
            if response.status_code == 429:
                problem = f"{self.label} answered 429 Too Many Requests"
                self._back_off(attempt, retry_after(response, self.limiter.clock()), rate_limited=True)
                continue
            if response.status_code >= 500:
                problem = f"{self.label} answered {response.status_code} {response.reason_phrase}"
                self._back_off(attempt, retry_after(response, self.limiter.clock()))
                continue
            return response
        raise self._gave_up(problem)

    def observe(self, response: httpx.Response) -> None:
        """Adapt to the X-RateLimit headers: space requests by the announced per-minute limit, and when
        none are left, hold until the reset time (or a minute)."""
        limit = response.headers.get("x-ratelimit-limit", "")
        if self.adapt_per_minute and limit.strip().isdigit() and int(limit) > 0:
            self.limiter.rate_set(0, Rate(1, 60 / int(limit)))
        remaining = response.headers.get("x-ratelimit-remaining")
        if remaining is None or not remaining.strip().isdigit() or int(remaining) > 0:
            return
        reset = response.headers.get("x-ratelimit-reset") or response.headers.get("x-ratelimit-retry-after", "")
        now = self.limiter.clock()
        self.limiter.hold(float(reset) if reset.strip().isdigit() else now + 60.0)

    def _back_off(self, attempt: int, asked: float | None, *, rate_limited: bool = False) -> None:
        wait = asked if asked is not None else self.retry.backoff * 2**attempt
        if wait > self.retry.max_wait:
            raise SourceRateLimited(
                f"{self.label} asked us to wait {wait:.0f} s, longer than the {self.retry.max_wait:.0f} s we accept; "
                "stop here and resume the run later (it continues from its checkpoint)."
            )
        if rate_limited:
            self.limiter.hold(self.limiter.clock() + wait)
        else:
            self.limiter.sleep(wait)

    def _gave_up(self, problem: str) -> SourceError:
        advice = (
            f"gave up after {self.retry.attempts} attempts. Wait a few minutes and resume the run; "
            "it continues from its last checkpoint."
        )
        if "429" in problem:
            return SourceRateLimited(f"{problem}; {advice}")
        return SourceError(f"{problem}; {advice}")


def status_error(label: str, response: httpx.Response, what: str) -> SourceError:
    """A 4xx answer we cannot retry: say which request and what the source said."""
    excerpt = response.text[:300].strip().replace("\n", " ")
    return SourceError(
        f"{label} refused {what} with {response.status_code} {response.reason_phrase}: {excerpt or '(empty body)'}. "
        "Check the filters; if they are right the source's API may have changed."
    )
