"""Errors services raise. Each carries a translation key so the page can say it in the user's language."""

from __future__ import annotations


class ServiceError(Exception):
    """A request that was refused; ``key`` names the message shown to the user."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params


class InvalidInput(ServiceError):
    """Bad input: nothing was changed."""


class PermissionDenied(ServiceError):
    """The actor may not do this."""

    def __init__(self, key: str = "error.not_allowed", **params: object):
        super().__init__(key, **params)


class NotFound(ServiceError):
    """Also used when the thing exists but belongs to someone else, so its existence is not revealed."""

    def __init__(self, key: str = "error.not_found", **params: object):
        super().__init__(key, **params)
