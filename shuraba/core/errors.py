"""Errors that reach a person: each carries a message they can act on."""

from __future__ import annotations


class ShurabaError(Exception):
    """Base of every error we raise on purpose."""


class BadQuery(ShurabaError):
    """A query parameter that cannot be understood; maps to HTTP 400."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


class DataFileError(ShurabaError):
    """A shipped or imported data file that does not follow its documented format."""


class Refused(ShurabaError):
    """A write the rules do not allow: `status` is the HTTP status that says so, `message` what to do. One
    class for every domain (reviews, lists, pairs), so a shared check (a rate limit) is caught everywhere."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
