"""Who may do what: one declarative table, consulted by every service before it acts.

Deny by default: a permission not listed here, or a role not listed for it, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.people import Patient, Role, User
from portal_app.models.proxy import PROXY_SCOPES, BreakGlass, ProxyGrant
from portal_app.services.errors import NotFound, PermissionDenied

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
    # Nurses and clinicians find a chart on /console/patients to open its record (/console/record).
    "charts.find": frozenset({Role.NURSE, Role.CLINICIAN}),
    "invitations.create": frozenset({Role.ADMIN, Role.FRONT_DESK, SYSTEM}),
    "signups.review": frozenset({Role.ADMIN, Role.FRONT_DESK}),  # the self sign-up queue
    "proxies.manage": frozenset({Role.ADMIN, Role.FRONT_DESK}),  # grant/revoke proxy access for a patient
    "break_glass.start": frozenset({Role.ADMIN, Role.CLINICIAN, Role.NURSE}),  # emergency access to a restricted chart
    "staff.manage": frozenset({Role.ADMIN, SYSTEM}),  # staff accounts: create, role, disable, unlock (SYSTEM: CLI)
    "outbox.view": frozenset({Role.ADMIN}),  # demo convenience; services/staff.py refuses it in production
    # The refill queue (/console/refills): each row is then checked per chart (refills.review / refills.pharmacy).
    "refills.queue": frozenset({Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN}),
    # The message queue (/console/messages): only threads of the pools one belongs to (services/messages.py),
    # never a clinical pool for the front desk; each thread is then checked per chart (messages.read / .write).
    "messages.queue": frozenset({Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN}),
    "messages.pools": frozenset({Role.ADMIN, SYSTEM}),  # pools, their members and canned replies
    # Appointments: booking, moving and cancelling on a patient's behalf, check-in (the front desk's
    # schedule); each chart is then checked with appointments.read / appointments.write.
    "appointments.schedule": frozenset({Role.FRONT_DESK, Role.NURSE}),
    "appointments.own_day": frozenset({Role.CLINICIAN}),  # a clinician's own day on the schedule, read only
    "clinic.setup": frozenset({Role.ADMIN, SYSTEM}),  # locations, visit types, hours, exceptions
    # Name, birth date and insurance changes patients asked for (/console/profile-reviews); each chart re-checked.
    "profile.review": frozenset({Role.FRONT_DESK, Role.ADMIN}),
    # "Lost my phone": remove a patient's app after checking who is asking (services/authenticator_reset.py).
    "authenticator.reset": frozenset({Role.FRONT_DESK, Role.ADMIN}),
    # The EHR import (services/fhir_import.py): `portal import-fhir` and the console upload (/console/import),
    # which only clinicians and admins may use (admins only see the import's counts, never the record).
    "record.import": frozenset({Role.CLINICIAN, Role.ADMIN, SYSTEM}),
    # The clinician's results queue (/console/results): recent unreviewed and held results; each chart
    # is then checked with results.hold.
    "results.queue": frozenset({Role.CLINICIAN}),
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

    @classmethod
    def for_user(cls, user, session_ref: str = "") -> "Actor":
        """A signed-in account (a ``User`` row) as the actor of its own requests."""
        return cls(role=user.role, user_id=user.id, patient_id=user.patient_id, display_name=user.display_name,
                   session_ref=session_ref)

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


# --- patient data: "may this actor do this to this patient?" ---------------------------------
#
# Three ways to reach a chart, checked in this order (deny by default):
#   self   a patient account whose own chart it is (``PatientRule.patient``);
#   proxy  a patient or proxy account holding an active ``proxy_grant`` (now within
#          starts_at..ends_at, not revoked) whose *effective* scopes include ``PatientRule.proxy_scope``;
#   staff  a staff role listed in ``PatientRule.staff`` and, when the chart is restricted
#          (``patient.restricted``), an active break-glass by that staff member for that chart.
# A patient or proxy asking for a chart they cannot reach gets NotFound (its existence is not
# revealed); a proxy whose active grant lacks the scope, and staff, get PermissionDenied. Every
# refusal through ``require_patient_access`` is audited with outcome "denied" (the row survives
# the caller's rollback). Allowed requests are audited by the calling service, which knows what it
# read or changed.
#
# Adolescent rule, for grants whose relationship is "parent" or "guardian" (ages from the
# patient's birth date and today's UTC date, ``portal_app.clock``):
#   under 12   the grant's scopes as given;
#   12 to 17   only "appointments", "medications" and "billing" of them, unless the grant was made
#              by the patient themself (a teen may give a parent more, e.g. results);
#   18 and up  nothing, unless the grant was made by the patient themself on or after their 18th
#              birthday (parent access ends at adulthood unless the adult renews it).

CLINICAL = frozenset({Role.NURSE, Role.CLINICIAN})
ADOLESCENT_AGE = 12
ADULT_AGE = 18
ADOLESCENT_PARENT_SCOPES = frozenset({"appointments", "medications", "billing"})
PARENTAL_RELATIONSHIPS = frozenset({"parent", "guardian"})


@dataclass(frozen=True)
class PatientRule:
    staff: frozenset[str]  # staff roles that may (no staff role not listed, ever)
    patient: bool  # the patient themself may
    proxy_scope: str | None  # the proxy scope needed; None: no proxy may
    category: str  # the audit data category


PATIENT_DATA: dict[str, PatientRule] = {
    # Front desk: demographics, insurance/billing, appointments and message pools; never clinical data.
    # Admin: the administrative side only (demographics, insurance, billing, appointments).
    "demographics.read": PatientRule(frozenset({Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN, Role.ADMIN}), True,
                                     "record", "demographics"),
    "insurance.read": PatientRule(frozenset({Role.FRONT_DESK, Role.ADMIN}), True, "billing", "insurance"),
    "billing.read": PatientRule(frozenset({Role.FRONT_DESK, Role.ADMIN}), True, "billing", "billing"),
    "appointments.read": PatientRule(frozenset({Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN, Role.ADMIN}), True,
                                     "appointments", "appointments"),
    "appointments.write": PatientRule(frozenset({Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN, Role.ADMIN}), True,
                                      "appointments", "appointments"),
    "messages.read": PatientRule(frozenset({Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN}), True, "messages",
                                 "messages"),
    "messages.write": PatientRule(frozenset({Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN}), True, "messages",
                                  "messages"),
    "record.read": PatientRule(CLINICAL, True, "record", "record"),
    "notes.read": PatientRule(CLINICAL, True, "record", "notes"),
    "results.read": PatientRule(CLINICAL, True, "results", "results"),
    "medications.read": PatientRule(CLINICAL, True, "medications", "medications"),
    "refills.request": PatientRule(CLINICAL, True, "medications", "medications"),
    # Refill tracker (services/refills.py, medication_reminders.py, medication_reports.py).
    # Patients and proxies with "medications": pharmacies, auto-refill switch, reminders, reports.
    "medications.settings": PatientRule(frozenset(), True, "medications", "medications"),
    "medications.report": PatientRule(frozenset(), True, "medications", "medications"),
    # Nurses and clinicians review requests with the medication history; renewals need a clinician
    # (services/refills.py checks that), as does marking a medicine eligible for automatic refills.
    "refills.review": PatientRule(CLINICAL, False, None, "medications"),
    "medications.reports_review": PatientRule(CLINICAL, False, None, "medications"),
    "medications.auto_refill_eligibility": PatientRule(frozenset({Role.CLINICIAN}), False, None, "medications"),
    # The pharmacy's word (sent / ready / picked up), recorded by the front desk (and nurses). The
    # front desk sees only what that needs: the patient's name and MRN, the medicine's name, the
    # pharmacy and the step; never instructions, reasons, notes, history or the rest of the list.
    "refills.pharmacy": PatientRule(frozenset({Role.FRONT_DESK, Role.NURSE}), False, None, "medications"),
    # Profile (services/profile.py): only the patient changes their own contact details and emergency
    # contacts, and asks for name, birth date and insurance changes, which staff approve ("profile.review").
    "profile.write": PatientRule(frozenset(), True, None, "demographics"),
    # Health record and results (services/record.py, result_release.py). Patients and proxies with
    # "results" choose, per category, to see results at once or after review; only a clinician
    # holds a result, releases it or marks it reviewed. Front desk and admin never see either.
    "results.settings": PatientRule(frozenset(), True, "results", "results"),
    "results.hold": PatientRule(frozenset({Role.CLINICIAN}), False, None, "results"),
    # Sharing the record with another provider and emailing a copy (services/record_share.py,
    # record_copy.py): the patient, or a proxy with "record"; never staff (the clinic sends records
    # through its EHR). Each shared section is checked again against what the sharer may read.
    "record.share": PatientRule(frozenset(), True, "record", "record"),
    # A result typed in by hand from the staff console (services/record_staff.py): nurses and clinicians.
    "results.enter": PatientRule(CLINICAL, False, None, "results"),
}


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    via: str = ""  # "self", "proxy" or "staff" when allowed
    break_glass_id: int | None = None  # the break-glass that opened a restricted chart
    refusal: str = ""  # "not_found" or "denied" when refused
    key: str = ""  # the translation key to show when refused


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def age_on(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def birthday(birth_date: date, years: int) -> date:
    """The day someone turns ``years`` (29 February birthdays fall on 1 March in common years)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)


def scope_set(scopes: str) -> frozenset[str]:
    return frozenset(part for part in scopes.split(",") if part)


def grant_is_active(grant: ProxyGrant, moment: datetime) -> bool:
    return (grant.revoked_at is None and clock.as_utc(grant.starts_at) <= moment < clock.as_utc(grant.ends_at))


def effective_scopes(session: Session, grant: ProxyGrant, patient: Patient, moment: datetime | None = None) -> frozenset[str]:
    """What an active grant covers today, after the adolescent rule; empty when not active."""
    moment = moment or clock.now()
    if not grant_is_active(grant, moment):
        return frozenset()
    scopes = scope_set(grant.scopes)
    if grant.relationship not in PARENTAL_RELATIONSHIPS:
        return scopes
    age = age_on(patient.birth_date, moment.date())
    if age < ADOLESCENT_AGE:
        return scopes
    by_patient = _made_by_patient(session, grant)
    if age < ADULT_AGE:
        return scopes if by_patient else scopes & ADOLESCENT_PARENT_SCOPES
    adult_from = birthday(patient.birth_date, ADULT_AGE)
    return scopes if by_patient and clock.as_utc(grant.created_at).date() >= adult_from else frozenset()


def _made_by_patient(session: Session, grant: ProxyGrant) -> bool:
    if grant.created_by is None:
        return False
    maker = session.get(User, grant.created_by)
    return maker is not None and maker.role == Role.PATIENT and maker.patient_id == grant.patient_id


def active_grants(session: Session, user_id: int, patient_id: int | None = None) -> list[ProxyGrant]:
    """The user's grants that are in force now (before the adolescent rule)."""
    moment = clock.now()
    query = select(ProxyGrant).where(ProxyGrant.grantee_user_id == user_id, ProxyGrant.revoked_at.is_(None))
    if patient_id is not None:
        query = query.where(ProxyGrant.patient_id == patient_id)
    return [grant for grant in session.exec(query.order_by(ProxyGrant.id)).all() if grant_is_active(grant, moment)]


def active_break_glass(session: Session, staff_user_id: int | None, patient_id: int) -> BreakGlass | None:
    if staff_user_id is None:
        return None
    moment = clock.now()
    rows = session.exec(
        select(BreakGlass).where(BreakGlass.staff_user_id == staff_user_id, BreakGlass.patient_id == patient_id,
                                 BreakGlass.ended_early_at.is_(None)).order_by(BreakGlass.id.desc())
    ).all()
    for row in rows:
        if clock.as_utc(row.started_at) <= moment < clock.as_utc(row.ends_at):
            return row
    return None


def _refuse(refusal: str, key: str | None = None) -> AccessDecision:
    default = "error.not_found" if refusal == "not_found" else "error.not_allowed"
    return AccessDecision(allowed=False, refusal=refusal, key=key or default)


def check_patient_access(session: Session, actor: Actor | None, patient_id: int, action: str) -> AccessDecision:
    """May ``actor`` do ``action`` (a ``PATIENT_DATA`` key) to this patient's chart? Reads only; audits nothing."""
    rule = PATIENT_DATA.get(action)
    if rule is None:
        raise ValueError(f"unknown patient-data action {action!r}")
    if actor is None:
        return _refuse("denied")
    if not _is_id(patient_id):
        return _refuse("not_found")
    if actor.role in (Role.PATIENT, Role.PROXY):
        if actor.role == Role.PATIENT and actor.patient_id == patient_id:
            return AccessDecision(allowed=True, via="self") if rule.patient else _refuse("denied")
        if actor.user_id is None:
            return _refuse("not_found")
        grants = active_grants(session, actor.user_id, patient_id)
        patient = session.get(Patient, patient_id) if grants else None
        if patient is None:
            return _refuse("not_found")
        covered: frozenset[str] = frozenset().union(*(effective_scopes(session, g, patient) for g in grants))
        if not covered:
            return _refuse("not_found")  # no access at all (e.g. a parent's grant at 18): as if no such chart
        if rule.proxy_scope is not None and rule.proxy_scope in covered:
            return AccessDecision(allowed=True, via="proxy")
        return _refuse("denied", "access.error.proxy_scope")
    if actor.is_staff:
        if actor.role not in rule.staff:
            return _refuse("denied")
        patient = session.get(Patient, patient_id)
        if patient is None:
            return _refuse("not_found")
        if not patient.restricted:
            return AccessDecision(allowed=True, via="staff")
        glass = active_break_glass(session, actor.user_id, patient_id)
        if glass is None:
            return _refuse("denied", "access.error.restricted")
        return AccessDecision(allowed=True, via="staff", break_glass_id=glass.id)
    return _refuse("denied")  # SYSTEM and anything else: no patient data through this door


def require_patient_access(session: Session, actor: Actor | None, patient_id: int, action: str) -> AccessDecision:
    """``check_patient_access`` that raises NotFound / PermissionDenied, with the refusal audited."""
    decision = check_patient_access(session, actor, patient_id, action)
    if decision.allowed:
        return decision
    from portal_app.services import audit  # audit imports this module

    rule = PATIENT_DATA[action]
    verb = "update" if action.endswith((".write", ".request")) else "read"
    audit.record_refusal(session, actor, verb, rule.category, patient_id=patient_id if _is_id(patient_id) else None,
                         detail=f"refused: {action}")
    if decision.refusal == "not_found":
        raise NotFound()
    raise PermissionDenied(decision.key)


@dataclass(frozen=True)
class VisiblePatient:
    """One entry of the "switch person" menu."""

    patient_id: int
    name: str
    scopes: tuple[str, ...]  # what this account may see there (all scopes for one's own chart)
    is_self: bool


def patients_visible_to(session: Session, actor: Actor | None) -> list[VisiblePatient]:
    """For a signed-in patient or proxy: their own chart (if any), then the charts they hold active grants for."""
    if actor is None or actor.role not in (Role.PATIENT, Role.PROXY) or actor.user_id is None:
        return []
    found: list[VisiblePatient] = []
    if actor.role == Role.PATIENT and actor.patient_id is not None:
        own = session.get(Patient, actor.patient_id)
        if own is not None:
            found.append(VisiblePatient(own.id, f"{own.given_name} {own.family_name}", PROXY_SCOPES, True))
    by_patient: dict[int, set[str]] = {}
    for grant in active_grants(session, actor.user_id):
        if grant.patient_id == actor.patient_id:
            continue
        patient = session.get(Patient, grant.patient_id)
        if patient is not None:
            by_patient.setdefault(patient.id, set()).update(effective_scopes(session, grant, patient))
    for pid, scopes in by_patient.items():
        if scopes:
            patient = session.get(Patient, pid)
            found.append(VisiblePatient(pid, f"{patient.given_name} {patient.family_name}",
                                        tuple(s for s in PROXY_SCOPES if s in scopes), False))
    return found
