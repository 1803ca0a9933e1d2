"""A real shuraba site for tests that speak HTTP to it: `shuraba setup` + `shuraba serve` (gunicorn) on a
fresh SQLite data directory, a separate process that never touches the Django test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

STARTUP_TIMEOUT = 30.0
SETUP_TIMEOUT = 300.0


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


def site_served(root: Path) -> Iterator[str]:
    """A freshly set-up shuraba in `root` served by gunicorn on a free port; yields its base URL (no trailing
    slash) and stops the server after."""
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
