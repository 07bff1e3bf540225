"""The authenticator app (TOTP, RFC 6238) and recovery codes.

- Secrets: 160 bits from the OS CSPRNG, stored AES-GCM-encrypted (services/crypto.py).
- Codes: 6 digits, 30-second steps, the current step and one either side accepted, and each step
  only once (``last_used_step``), so a code seen over someone's shoulder cannot be replayed.
- Enrolment is confirmed by a first code; only then does the factor count.
- Recovery codes: 10 codes of 80 random bits, shown once, stored as keyed hashes, single use.
Failures count toward the limits in services/throttle.py.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import pyotp
import segno
from sqlmodel import Session, delete, select

from portal_app import clock
from portal_app.config import settings
from portal_app.models.mfa import FactorFailures, RecoveryCode, TotpCredential
from portal_app.models.people import User
from portal_app.services import codes, crypto
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, PermissionDenied

STEP_SECONDS = 30
SECRET_BYTES = 20  # 160 bits
RECOVERY_CODES = 10
RECOVERY_CODE_LENGTH = 16  # 16 symbols x 5 bits = 80 bits
_PURPOSE = "totp-secret"


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, for typing into an app by hand
    uri: str  # otpauth://, tappable on the phone that holds the app
    qr_svg: str  # data: URI of the QR code


def _user(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None:
        raise PermissionDenied()
    return user


def _credential(session: Session, user_id: int) -> TotpCredential | None:
    return session.exec(select(TotpCredential).where(TotpCredential.user_id == user_id)).first()


def has_authenticator(session: Session, user_id: int) -> bool:
    credential = _credential(session, user_id)
    return credential is not None and credential.confirmed_at is not None


def begin_enrolment(session: Session, actor: Actor) -> Enrolment:
    """A new secret for this user's app; it counts only once ``confirm_enrolment`` sees a code."""
    user = _user(session, actor)
    credential = _credential(session, user.id)
    if credential is not None and credential.confirmed_at is not None:
        raise InvalidInput("mfa.error.already_enrolled")
    secret = pyotp.random_base32(length=32)  # 32 base32 symbols = 160 bits from secrets
    sealed = crypto.encrypt(secret.encode(), _PURPOSE)
    if credential is None:
        credential = TotpCredential(user_id=user.id, secret_sealed=sealed)
    else:
        credential.secret_sealed, credential.last_used_step = sealed, 0
    session.add(credential)
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=user.username, issuer_name=settings.clinic_name)
    return Enrolment(secret=secret, uri=uri, qr_svg=segno.make(uri, error="m").svg_data_uri(scale=6, border=2))


def enrol_confirmed(session: Session, user_id: int, secret: str) -> None:
    """An authenticator already confirmed: only for accounts the demo seed creates."""
    if settings.production:
        raise PermissionDenied()
    session.add(TotpCredential(user_id=user_id, secret_sealed=crypto.encrypt(secret.encode(), _PURPOSE),
                               confirmed_at=clock.now()))


def _matching_step(secret: str, code: str, after_step: int) -> int | None:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(clock.now().timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if step > after_step and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def check_code(session: Session, user_id: int, code: str, *, confirmed_only: bool = True) -> bool:
    """True once per fresh code; marks its time step used."""
    credential = _credential(session, user_id)
    if credential is None or (confirmed_only and credential.confirmed_at is None):
        return False
    secret = crypto.decrypt(credential.secret_sealed, _PURPOSE).decode()
    step = _matching_step(secret, code, credential.last_used_step)
    if step is None:
        return False
    credential.last_used_step = step
    session.add(credential)
    return True


def confirm_enrolment(session: Session, actor: Actor, code: str) -> list[str]:
    """Turn the app on with its first code; returns the recovery codes (shown once)."""
    user = _user(session, actor)
    credential = _credential(session, user.id)
    if credential is None or credential.confirmed_at is not None:
        raise InvalidInput("mfa.error.no_enrolment")
    if not check_code(session, user.id, code, confirmed_only=False):
        raise InvalidInput("mfa.error.wrong_code")
    credential.confirmed_at = clock.now()
    session.add(credential)
    return new_recovery_codes(session, user.id)


def new_recovery_codes(session: Session, user_id: int) -> list[str]:
    """Replace every recovery code of the user; the plain codes exist only in the return value."""
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user_id)).all():
        session.delete(old)
    plain = [codes.random_code(RECOVERY_CODE_LENGTH) for _ in range(RECOVERY_CODES)]
    for code in plain:
        session.add(RecoveryCode(user_id=user_id, code_hash=codes.digest(code, "recovery")))
    return [codes.grouped(code) for code in plain]


def use_recovery_code(session: Session, user_id: int, typed: str) -> bool:
    """Spend one recovery code; True if it was valid and unused."""
    if not typed or len(typed) > 64:
        return False
    row = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user_id, RecoveryCode.code_hash == codes.digest(typed, "recovery")
        )
    ).first()
    if row is None or row.used_at is not None:
        return False
    row.used_at = clock.now()
    session.add(row)
    return True


def recovery_codes_left(session: Session, user_id: int) -> int:
    rows = session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))).all()
    return len(rows)


def forget(session: Session, user_id: int) -> None:
    """Remove the app, the recovery codes and the failure counts: the next sign-in enrols afresh."""
    for model in (TotpCredential, RecoveryCode, FactorFailures):
        session.exec(delete(model).where(model.user_id == user_id))
