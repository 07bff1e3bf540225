"""Who may do what: one declarative table, consulted by every service before it acts.

Deny by default: a permission not listed here, or a role not listed for it, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal_app.models.people import Role
from portal_app.services.errors import PermissionDenied

SYSTEM = "system"  # a command or scheduled job run by the operator, not a signed-in person

# permission -> the roles that hold it
PERMISSIONS: dict[str, frozenset[str]] = {
    "notices.publish": frozenset({Role.ADMIN, Role.FRONT_DESK, SYSTEM}),
    "notices.withdraw": frozenset({Role.ADMIN, Role.FRONT_DESK, SYSTEM}),
    "notices.list_all": frozenset({Role.ADMIN, Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN, SYSTEM}),
    "console.open": frozenset({Role.ADMIN, Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN}),
    "own_record.open": frozenset({Role.PATIENT}),
    "audit.report": frozenset({Role.ADMIN, SYSTEM}),  # the whole trail, by period and field
    "audit.own": frozenset({Role.PATIENT}),  # who accessed my own record (services/audit.py checks it is theirs)
    "patients.register": frozenset({Role.ADMIN, Role.FRONT_DESK}),
    "patients.find": frozenset({Role.ADMIN, Role.FRONT_DESK, SYSTEM}),  # SYSTEM: `portal invite MRN`
    "invitations.create": frozenset({Role.ADMIN, Role.FRONT_DESK, SYSTEM}),
}


@dataclass(frozen=True)
class Actor:
    """The person (or job) on whose behalf a service runs."""

    role: str
    user_id: int | None = None
    patient_id: int | None = None  # for a patient: their own chart
    display_name: str = ""
    session_ref: str = ""  # hashed session id, for audit rows

    @classmethod
    def system(cls, name: str) -> "Actor":
        return cls(role=SYSTEM, display_name=name)

    @property
    def is_staff(self) -> bool:
        return self.role in {Role.ADMIN, Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN}


def allowed(actor: Actor | None, permission: str) -> bool:
    return actor is not None and actor.role in PERMISSIONS.get(permission, frozenset())


def require(actor: Actor | None, permission: str) -> Actor:
    if not allowed(actor, permission):
        raise PermissionDenied()
    assert actor is not None
    return actor
