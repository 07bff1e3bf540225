"""Web push, per device: a signed-in person turns notices on (or off) for the browser they hold.

The browser's subscription (endpoint and keys, from ``pushManager.subscribe``) arrives at
``/push/subscribe``; ``notify.save_push_subscription`` checks that the endpoint is a real push
service and the keys are well formed. What a push may say is fixed by the outbox templates, and
which topics use push is each person's choice (services/notification_prefs.py). Audited.
"""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app.config import settings
from portal_app.models.outbox import PushSubscription
from portal_app.models.people import Role
from portal_app.services import audit, channels, notify
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, PermissionDenied

MAX_ENDPOINT = 1000
MAX_KEY = 200


def public_key() -> str:
    """The VAPID public key a browser needs to subscribe (public by design)."""
    return channels.vapid_keys(settings).public_key


def _account(actor: Actor | None) -> Actor:
    if actor is None or actor.user_id is None:
        raise PermissionDenied()
    return actor


def _own_chart(actor: Actor) -> int | None:
    return actor.patient_id if actor.role == Role.PATIENT else None


def subscribe(session: Session, actor: Actor | None, endpoint: object, p256dh: object, auth: object) -> int:
    account = _account(actor)
    if not all(isinstance(v, str) and 0 < len(v) <= limit
               for v, limit in ((endpoint, MAX_ENDPOINT), (p256dh, MAX_KEY), (auth, MAX_KEY))):
        raise InvalidInput("push.error.subscription")
    try:
        device = notify.save_push_subscription(session, account.user_id, endpoint, p256dh, auth)  # type: ignore[arg-type]
    except notify.TemplateError:
        raise InvalidInput("push.error.subscription") from None
    audit.record(session, account, "update", "preferences", patient_id=_own_chart(account),
                 detail=f"push notices on for device {device}")
    return device


def unsubscribe(session: Session, actor: Actor | None, endpoint: object) -> bool:
    account = _account(actor)
    if not isinstance(endpoint, str) or not 0 < len(endpoint) <= MAX_ENDPOINT:
        raise InvalidInput("push.error.subscription")
    row = session.exec(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()
    if row is None or not notify.revoke_push_subscription(session, account.user_id, row.id):  # type: ignore[arg-type]
        return False
    audit.record(session, account, "update", "preferences", patient_id=_own_chart(account),
                 detail=f"push notices off for device {row.id}")
    return True
