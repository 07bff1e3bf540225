"""Where sign-in may send someone back to: a page of this portal they opened while signed out.

A link in a notice (the wait list's claim link) opened without a session goes to
``/signin?next=<the page>``; after the second step the hand-off route sends the browser there
instead of home. The value comes from the address bar, so anyone can write it: only a plain path of
this app is kept, never another site (``https://...``, ``//host``, ``/\\host``), never an encoded or
dotted path a browser or proxy could read differently, and never the sign-in or sign-out routes
themselves. Anything else gives ``None`` and the person lands on their home page as before.
"""

from __future__ import annotations

import re
from urllib.parse import quote

MAX_LENGTH = 300
# Lower-case path segments of letters, digits and hyphens (every page route of this app), then an
# optional query of the characters our links use (tokens are URL-safe base64).
_SHAPE = re.compile(r"(/[a-z0-9-]+)+/?(\?[A-Za-z0-9_.~=&-]*)?")
_NOT_AFTER_SIGN_IN = ("auth", "signin")  # a loop back to sign-in, or a sign-out


def safe_return_path(value: object) -> str | None:
    """``value`` if it is a path of this app to return to after sign-in, else None."""
    if not isinstance(value, str) or len(value) > MAX_LENGTH or not _SHAPE.fullmatch(value):
        return None
    if value.split("?", 1)[0].strip("/").split("/")[0] in _NOT_AFTER_SIGN_IN:
        return None
    return value


def next_query(value: object) -> str:
    """``next=<the path>`` for a sign-in address if ``value`` may be returned to, else ""."""
    kept = safe_return_path(value)
    return f"next={quote(kept, safe='')}" if kept else ""
