"""Reading the answer of an upload (``components/uploads.file_picker``) in a state handler.

The answer arrives from the browser, so it is only a hint: the token is looked up again among the
caller's own pending uploads, and the name, size and kind shown come from the database.
"""

from __future__ import annotations

from collections.abc import Callable

from portal_app.services import files
from portal_app.services.access import Actor
from portal_app.services.errors import ServiceError
from portal_app.state.calls import run_service

MAX_ERROR = 300


async def upload_outcome(actor: Actor, answer: object, purpose: str,
                         translate: Callable[..., str]) -> tuple[files.UploadView | None, str]:
    """(the upload, "") when it worked, else (None, the message to show)."""
    policy = files.policy_for(purpose)
    if not isinstance(answer, dict) or policy is None:
        return None, translate("files.error.failed")
    if answer.get("ok") is True:
        try:
            return await run_service(files.describe_pending, actor, answer.get("token"), purpose), ""
        except ServiceError as refused:
            return None, translate(refused.key, **refused.params)
    if answer.get("too_big") is True:
        return None, translate("files.error.too_big", mb=policy.max_bytes // files.MB)
    error = answer.get("error")  # the server's refusal, already in the reader's language
    if isinstance(error, str) and error and len(error) <= MAX_ERROR:
        return None, error
    return None, translate("files.error.failed")
