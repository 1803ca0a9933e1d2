from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

SHURABA = str(Path(sys.executable).with_name("shuraba"))


def test_healthz_answers_when_the_database_does(unverified: Client) -> None:
    response = unverified.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("port", ["eighty", "0", "70000"])
def test_serve_refuses_a_bad_port_before_starting(db: None, port: str) -> None:
    with pytest.raises(CommandError, match="--port must be"):
        call_command("serve", port=port)


def test_console_script_lists_our_commands() -> None:
    result = subprocess.run([SHURABA, "help"], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603 (our own console script, fixed arguments)
    for command in ("setup", "serve", "taxonomy_sync", "sample_load", "guides_load"):
        assert command in result.stdout


def test_console_script_reports_a_bad_argument_without_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [SHURABA, "taxonomy_sync", "--path", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"SHURABA_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "file not found" in result.stderr
    assert "Traceback" not in result.stderr


def _check(tmp_path: Path, settings: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {"SHURABA_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", **settings}
    return subprocess.run([SHURABA, "check"], capture_output=True, text=True, timeout=60, check=False, env=env)  # noqa: S603 (our own console script, fixed arguments)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        *[("SHURABA_SEARCH_CACHE_MB", v, "must be a whole number of megabytes") for v in ("lots", "-1", "1e3", "²")],
        ("SHURABA_SEARCH_CACHE_MB", "99999999", "must be a whole number of megabytes"),
        ("SHURABA_SEARCH_CACHE_MB", "0", "at least 16"),
        ("SHURABA_SEARCH_CACHE_RESULTS", "ture", "must be 1 or 0"),
        ("SHURABA_DEBUG", "maybe", "must be 1 or 0"),
    ],
)
def test_console_script_reports_a_bad_setting_without_a_traceback(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    result = _check(tmp_path, {name: value})
    assert result.returncode == 2
    assert f"{name} must" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_console_script_accepts_good_settings(tmp_path: Path) -> None:
    good = {"SHURABA_SEARCH_CACHE_MB": "64", "SHURABA_SEARCH_CACHE_RESULTS": "off", "SHURABA_DEBUG": "0"}
    result = _check(tmp_path, good)
    assert result.returncode == 0, result.stderr
