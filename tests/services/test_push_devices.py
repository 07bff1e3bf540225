"""Web push per device: a signed-in person turns this browser's notices on or off; audited."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import select

from portal_app.models.audit import AuditEvent
from portal_app.models.outbox import PushSubscription
from portal_app.models.people import Role
from portal_app.services import push_devices
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, PermissionDenied

ENDPOINT = "http://127.0.0.1:9/push/device-1"  # a local stand-in for a push service (allowed outside production)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def browser_keys() -> tuple[str, str]:
    """What a browser's PushSubscription.toJSON() carries: its P-256 public key and a 16-byte secret."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(point), _b64url(os.urandom(16))



def test_a_device_is_turned_on_and_off_by_its_owner_only(session, make):
    rosa, walt = Actor.for_user(make("rosa", "x" * 12)), Actor.for_user(make("walt", "x" * 12, Role.NURSE))
    key, secret = browser_keys()
    device = push_devices.subscribe(session, rosa, ENDPOINT, key, secret)
    session.commit()
    row = session.get(PushSubscription, device)
    assert (row.user_id, row.endpoint, row.revoked_at) == (rosa.user_id, ENDPOINT, None)
    audit = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (audit.detail, audit.patient_id) == (f"push notices on for device {device}", rosa.patient_id)

    assert push_devices.unsubscribe(session, walt, ENDPOINT) is False  # not his device
    assert session.get(PushSubscription, device).revoked_at is None
    assert push_devices.unsubscribe(session, rosa, ENDPOINT) is True
    session.commit()
    assert session.get(PushSubscription, device).revoked_at is not None


@pytest.mark.parametrize("endpoint,key,secret", [
    ("https://evil.example/push", None, None),  # not a push service: no requests to hosts a client picks
    (ENDPOINT, "not-a-key", None),
    (ENDPOINT, None, _b64url(b"short")),
    ({"endpoint": ENDPOINT}, None, None),
    ("x" * 1001, None, None),
])
def test_a_bad_subscription_is_refused_and_nothing_is_kept(session, make, endpoint, key, secret):
    rosa = Actor.for_user(make("rosa", "x" * 12))
    good_key, good_secret = browser_keys()
    with pytest.raises(InvalidInput) as refused:
        push_devices.subscribe(session, rosa, endpoint, key or good_key, secret or good_secret)
    assert refused.value.key == "push.error.subscription"
    session.rollback()
    assert session.exec(select(PushSubscription)).all() == []


def test_nobody_signed_in_is_refused(session):
    key, secret = browser_keys()
    with pytest.raises(PermissionDenied):
        push_devices.subscribe(session, None, ENDPOINT, key, secret)
    with pytest.raises(PermissionDenied):
        push_devices.unsubscribe(session, None, ENDPOINT)
