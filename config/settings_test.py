"""Settings for the test suite: the real settings, with static files that need no collectstatic run."""

from config.settings import *  # noqa: F403 (an overlay of the one settings module is Django's convention)
from config.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Fast hashing: tests create users, they do not guard real passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
