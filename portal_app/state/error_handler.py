"""What happens when an event handler raises: a short log line, and a plain message for the person.

Reflex's default handler logs the whole traceback with the exception's message, and messages carry
values (``invalid literal for int(): '<what someone typed>'``), which can be health data; a client
sending hostile arguments could also fill the log with one traceback per event. So this logs the
exception's type and where it was raised — file, line and function of each of our frames, never a
message or a value — and only the first time per place in every ``REPEAT_AFTER`` seconds, with a
count of the ones it left out.
"""

import logging
import threading
import time
import traceback

import reflex as rx
from reflex_base.event import EventSpec

from portal_app import i18n

log = logging.getLogger("portal.errors")

REPEAT_AFTER = 600.0
OUR_CODE = "portal_app"
_lock = threading.Lock()
_last_logged: dict[tuple[str, str], tuple[float, int]] = {}  # (type, place) -> (when logged, left out since)


def _frames(exception: BaseException) -> list[str]:
    """Where it happened: our frames if any (the handler), else the innermost few."""
    frames = traceback.extract_tb(exception.__traceback__)
    ours = [f for f in frames if OUR_CODE in f.filename.replace("\\", "/")]
    chosen = ours or frames[-3:]
    return [f"{f.filename.rsplit(OUR_CODE, 1)[-1] if OUR_CODE in f.filename else f.filename.rsplit('/', 1)[-1]}"
            f":{f.lineno} in {f.name}" for f in chosen]


def backend_error(exception: Exception) -> EventSpec:
    kind = type(exception).__name__
    frames = _frames(exception)
    place = frames[-1] if frames else "?"
    now = time.monotonic()
    with _lock:
        logged_at, left_out = _last_logged.get((kind, place), (0.0, 0))
        if logged_at and now - logged_at < REPEAT_AFTER:
            _last_logged[(kind, place)] = (logged_at, left_out + 1)
            should_log = False
        else:
            _last_logged[(kind, place)] = (now, 0)
            should_log = True
    if should_log:
        extra = f" (and {left_out} more like it in the last {int(REPEAT_AFTER // 60)} minutes)" if left_out else ""
        log.error("event handler failed: %s at %s%s", kind, " <- ".join(reversed(frames)) or "?", extra)
    # The handler does not know the reader's language, so the toast says it in each of ours.
    return rx.toast.error(
        " · ".join(i18n.t("error.unexpected", language) for language in i18n.LANGUAGES),
        id="backend_error",
        position="top-center",
    )
