"""How passwords are kept: argon2id (Django's recommended hasher, through argon2-cffi) at the first setting
OWASP's Password Storage Cheat Sheet recommends: 19 MiB of memory, 2 passes, 1 lane. That costs tens of
milliseconds per sign-in where Django's PBKDF2 default (1,000,000 iterations) costs most of a second of
one core, which let a handful of sign-ins saturate a small server. Hashes made before (PBKDF2) are still
accepted and rewritten with this one at the reader's next sign-in (Django's must_update)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
