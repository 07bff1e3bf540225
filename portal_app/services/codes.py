"""Human-typed codes (activation and recovery codes) from an unambiguous 32-symbol alphabet.

Crockford's base32 leaves out I, L, O and U; when reading a typed code, O is taken as 0 and I or
L as 1, spaces and dashes are ignored, and case does not matter — so a code read over the phone or
copied from paper still works.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from portal_app.config import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def grouped(code: str, size: int = 4) -> str:
    return "-".join(code[i : i + size] for i in range(0, len(code), size))


def normalise(typed: str) -> str:
    """The canonical form of a typed code; characters outside the alphabet make it not match."""
    return "".join(ch for ch in (typed or "").upper().translate(_READ_AS) if ch not in " -")[:64]


def digest(code: str, purpose: str) -> str:
    """Stored form: HMAC-SHA256 keyed with the pepper (codes carry >= 64 random bits)."""
    message = f"{purpose}:{normalise(code)}".encode()
    return hmac.new(settings.password_pepper.encode(), message, hashlib.sha256).hexdigest()
