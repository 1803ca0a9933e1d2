"""SHURABA_DATA_DIR never puts the database or the secret key where git would pick them up."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import data_dir_resolve

ROOT = Path(__file__).resolve().parents[2]
SHURABA = str(Path(sys.executable).with_name("shuraba"))


def _shuraba(*args: str, data_dir: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"SHURABA_DATA_DIR": data_dir, "PATH": "/usr/bin:/bin"}
    return subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [SHURABA, *args], capture_output=True, text=True, timeout=60, check=False, env=env, cwd=cwd
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    root.mkdir()
    return root


@pytest.mark.parametrize("value", [None, "", "  "])
def test_an_unset_or_empty_data_dir_is_var_in_the_checkout(checkout: Path, value: str | None) -> None:
    assert data_dir_resolve(value, root=checkout) == checkout / "var"


def test_a_relative_data_dir_is_taken_from_the_checkout_not_the_working_directory(
    checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert data_dir_resolve("var/dev", root=checkout) == checkout / "var" / "dev"
    assert data_dir_resolve("../data", root=checkout) == tmp_path / "data"


def test_an_absolute_data_dir_outside_the_checkout_is_kept(checkout: Path, tmp_path: Path) -> None:
    assert data_dir_resolve(str(tmp_path / "site"), root=checkout) == tmp_path / "site"


@pytest.mark.parametrize("value", [".", "./", "var/..", "docs", "shuraba/data"])
def test_a_data_dir_in_the_checkout_outside_var_is_refused(checkout: Path, value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="must be a folder outside the checkout or under its var/"):
        data_dir_resolve(value, root=checkout)


def test_the_checkout_named_by_its_absolute_path_is_refused(checkout: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match=f"which is {checkout}, where the database and secret key"):
        data_dir_resolve(str(checkout), root=checkout)


@pytest.mark.parametrize("value", [".", str(ROOT)], ids=["dot", "absolute"])
def test_the_console_script_refuses_the_checkout_as_data_dir_and_writes_nothing_there(value: str) -> None:
    before = set(ROOT.iterdir())
    result = _shuraba("check", data_dir=value, cwd=ROOT)
    assert result.returncode == 2
    assert "SHURABA_DATA_DIR must be a folder outside the checkout or under its var/" in result.stderr
    assert "Traceback" not in result.stderr
    assert set(ROOT.iterdir()) - before == set()


def test_an_empty_data_dir_is_var_in_the_checkout_whatever_the_working_directory(tmp_path: Path) -> None:
    result = _shuraba("diffsettings", data_dir="", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"DATA_DIR = PosixPath('{ROOT / 'var'}')" in result.stdout
    assert list(tmp_path.iterdir()) == []


# Prints the data directory the Makefile exports, read from stdin after our Makefile.
PRINT_DATA_DIR = 'print-data-dir:\n\t@echo "$$SHURABA_DATA_DIR"\n'


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("environment", "arguments"),
    [({"SHURABA_DATA_DIR": ""}, []), ({"SHURABA_DATA_DIR": "  "}, []), ({}, ["SHURABA_DATA_DIR="])],
    ids=["empty-in-environment", "blank-in-environment", "empty-on-command-line"],
)
def test_make_treats_an_empty_data_dir_as_unset(environment: dict[str, str], arguments: list[str]) -> None:
    """`?=` would keep the empty value and hand the working directory to settings."""
    result = subprocess.run(  # noqa: S603 (make with our Makefile and a fixed target)
        ["make", "-s", "-f", "Makefile", "-f", "-", "print-data-dir", *arguments],  # noqa: S607 (make from PATH, as README runs it)
        input=PRINT_DATA_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", **environment},
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(ROOT / "var")
