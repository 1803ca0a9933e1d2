"""Browser tests: a real shuraba site (`shuraba setup` + `shuraba serve`, i.e. gunicorn) on a fresh SQLite
data directory, driven by Debian's chromium through Playwright's sync API.

These tests never touch the Django test database: the site under test is a separate process with its own
data directory. They also never download a browser: where /usr/bin/chromium is missing they are skipped,
unless SHURABA_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = "Debian chromium is not installed (apt-get install chromium); browser tests skipped"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "e2e"
STARTUP_TIMEOUT = 30.0
SETUP_TIMEOUT = 300.0

Screenshot = Callable[[Page, str], Path]


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian's chromium, or a skip (a failure where SHURABA_REQUIRE_BROWSER=1)."""
    if not CHROMIUM.exists():
        if os.environ.get("SHURABA_REQUIRE_BROWSER") == "1":
            pytest.fail(CHROMIUM_MISSING)
        pytest.skip(CHROMIUM_MISSING)
    return CHROMIUM


def _site_env(data_dir: Path) -> dict[str, str]:
    """The environment of a fresh, production-like site: SQLite in `data_dir`, whatever this run uses.

    DATABASE_URL goes (the browser tests run on SQLite even in the PostgreSQL CI run), and so does every
    other SHURABA_* setting of the surrounding run (secure cookies, hosts, ...).
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "PORT", "DJANGO_SETTINGS_MODULE"} and not k.startswith("SHURABA_")
    }
    env["SHURABA_DATA_DIR"] = str(data_dir)
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a fixed http://127.0.0.1 URL)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        # The server runs in its own session; its process group is gunicorn's master and workers.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@pytest.fixture(scope="session")
def live_site(chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly set-up shuraba served by gunicorn on a free port; yields its base URL (no trailing slash)."""
    root = tmp_path_factory.mktemp("live-site")
    data_dir = root / "data"
    env = _site_env(data_dir)
    shuraba = Path(sys.executable).with_name("shuraba")

    setup = subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [str(shuraba), "setup"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT,
        check=False,
    )
    if setup.returncode != 0:
        pytest.fail(f"`shuraba setup` failed ({setup.returncode}):\n{setup.stdout}\n{setup.stderr}")

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = root / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603 (our own console script, fixed arguments)
            [str(shuraba), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(f"{base_url}/healthz"):
            if proc.poll() is not None or time.monotonic() > deadline:
                why = (
                    f"exited with {proc.returncode}"
                    if proc.poll() is not None
                    else f"not healthy in {STARTUP_TIMEOUT}s"
                )
                pytest.fail(f"`shuraba serve` {why}; server log:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base_url
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def chromium(chromium_executable: Path) -> Iterator[Browser]:
    """One headless Debian chromium for the session (never a downloaded browser)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Browser, live_site: str) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies: an anonymous visitor) on the live site."""
    context = chromium.new_context(base_url=live_site, viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot() -> Screenshot:
    """`screenshot(page, step)` saves a full-page PNG to test-artifacts/e2e/<step>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, step: str) -> Path:
        path = ARTIFACTS / f"{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
