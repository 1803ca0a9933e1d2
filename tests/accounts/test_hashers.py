"""Passwords: argon2id at OWASP's setting in production; older PBKDF2 hashes still sign in and are upgraded."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings

import config.settings as production

HASHERS = production.PASSWORD_HASHERS


@override_settings(PASSWORD_HASHERS=HASHERS)
def test_new_passwords_are_argon2id_at_owasps_setting() -> None:
    encoded = make_password("a-long-reader-password")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("a-long-reader-password", encoded)
    assert not check_password("a-wrong-password", encoded)


@override_settings(PASSWORD_HASHERS=HASHERS)
def test_an_old_pbkdf2_hash_still_signs_in_and_is_rewritten() -> None:
    old = make_password("a-long-reader-password", hasher="pbkdf2_sha256")
    rewritten: list[str] = []
    assert check_password("a-long-reader-password", old, setter=rewritten.append)
    assert len(rewritten) == 1
    assert identify_hasher(make_password("x")).algorithm == "argon2"
