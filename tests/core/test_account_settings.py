"""The account settings read from the environment: a wrong value stops start-up with a message."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_choice, env_int


def test_the_defaults_suit_a_console_mail_install() -> None:
    assert settings.ACCOUNT_EMAIL_VERIFICATION == "optional"
    assert settings.ACCOUNT_PREVENT_ENUMERATION == "strict"
    assert settings.EMAIL_BACKEND.endswith("console.EmailBackend") or settings.EMAIL_BACKEND.endswith(
        "locmem.EmailBackend"
    )
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


@pytest.mark.parametrize(("value", "expected"), [(None, "optional"), ("", "optional"), (" Mandatory ", "mandatory")])
def test_a_choice_setting_takes_its_words_in_any_case(value: str | None, expected: str) -> None:
    assert env_choice("X", value, choices=("none", "optional", "mandatory"), default="optional") == expected


def test_a_choice_setting_refuses_other_words_naming_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match="SHURABA_EMAIL_VERIFICATION must be one of none, optional"):
        env_choice("SHURABA_EMAIL_VERIFICATION", "sometimes", choices=("none", "optional"), default="none")


@pytest.mark.parametrize("value", ["0", "-1", "5.5", "lots", "1001", "٣"])
def test_a_number_setting_refuses_what_is_not_a_whole_number_in_range(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="SHURABA_LOGIN_FAILURE_LIMIT must be a whole number from 1 to 1000"):
        env_int("SHURABA_LOGIN_FAILURE_LIMIT", value, default=5, lowest=1, highest=1000)


def test_a_number_setting_takes_a_number_or_its_default() -> None:
    assert env_int("X", " 7 ", default=5, lowest=1, highest=10) == 7
    assert env_int("X", None, default=5, lowest=1, highest=10) == 5
