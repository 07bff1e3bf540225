"""Password hashing: bcrypt over an HMAC pre-hash, so no password is ever truncated.

bcrypt reads at most 72 bytes (bcrypt 5 raises beyond that). HMAC-SHA256 with a pepper kept in
configuration first maps any password, of any length and script, to 44 ASCII bytes; two passwords
that differ anywhere give different pre-hashes. NFC normalisation makes the same typed text verify
whichever way the keyboard composed its accents.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from functools import lru_cache

import bcrypt

from portal_app.config import settings


def _prehash(password: str) -> bytes:
    normal = unicodedata.normalize("NFC", password).encode("utf-8")
    digest = hmac.new(settings.password_pepper.encode(), normal, hashlib.sha256).digest()
    return base64.b64encode(digest)


def hash_password(password: str) -> bytes:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds=settings.bcrypt_cost))


def verify_password(password: str, stored: bytes | None) -> bool:
    """Constant work whether or not the account exists: a missing hash checks against a dummy."""
    candidate = _prehash(password)
    if not stored:
        bcrypt.checkpw(candidate, _dummy_hash())
        return False
    return bcrypt.checkpw(candidate, stored)


@lru_cache(maxsize=1)
def _dummy_hash() -> bytes:
    return bcrypt.hashpw(b"no-such-account", bcrypt.gensalt(rounds=settings.bcrypt_cost))
