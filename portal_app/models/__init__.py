"""All tables. Importing this package registers every table on ``SQLModel.metadata``."""

from portal_app.models.audit import AuditEvent
from portal_app.models.appointment import Appointment, AppointmentHold
from portal_app.models.appointment_reminder import AppointmentReminderChoice
from portal_app.models.clinic_setup import ClinicSettings, Location, ScheduleException, VisitType, WorkingHours
from portal_app.models.invitation import Activation, ActivationFailures, Invitation
from portal_app.models.live import LiveSignal
from portal_app.models.medication import Medication
from portal_app.models.medication_reminder import MedicationReminder
from portal_app.models.medication_report import MedicationReport
from portal_app.models.message import (CannedReply, Message, MessageDraft, MessageNote, MessagePool,
                                       MessagePoolMember, MessageRead, MessageThread)
from portal_app.models.pharmacy import Pharmacy
from portal_app.models.refill import AutoRefill, MedicationFill, RefillRequest, RefillStep
from portal_app.models.mfa import FactorFailures, RecoveryCode, TotpCredential
from portal_app.models.notice import ClinicNotice
from portal_app.models.outbox import Channel, OutboxMessage, OutboxStatus, PushSubscription
from portal_app.models.people import Patient, Role, User, STAFF_ROLES
from portal_app.models.preferences import NotificationPreference
from portal_app.models.profile import EmergencyContact, InsurancePlan, ProfileChange
from portal_app.models.proxy import BreakGlass, ProxyGrant
from portal_app.models.recovery import PasswordReset, RequestCounter, SignupRequest
from portal_app.models.session import UserSession
from portal_app.models.staff_setup import StaffSetup
from portal_app.models.stored_file import StoredFile
from portal_app.models.care_team import CareTeamMember, Organization, Practitioner
from portal_app.models.record import (Allergy, ClinicalDocument, Condition, DiagnosticReport, Encounter, Immunization,
                                      Observation, PatientSource, Procedure)
from portal_app.models.result_release import ReleasePreference, ResultHold
from portal_app.models.waitlist import WaitlistOffer, WaitlistRequest
from portal_app.models.record_share import RecordShare, RecordShareView

__all__ = [
    "AuditEvent",
    "Appointment", "AppointmentHold", "AppointmentReminderChoice", "ClinicSettings", "Location", "ScheduleException", "VisitType", "WorkingHours",
    "Channel", "OutboxMessage", "OutboxStatus", "PushSubscription",
    "FactorFailures",
    "Activation", "ActivationFailures", "Invitation",
    "RecoveryCode",
    "PasswordReset", "RequestCounter", "SignupRequest",
    "TotpCredential",
    "NotificationPreference",
    "StoredFile",
    "Medication",
    "MedicationReminder", "MedicationReport", "Pharmacy", "AutoRefill", "MedicationFill", "RefillRequest", "RefillStep",
    "BreakGlass", "ProxyGrant",
    "CannedReply", "Message", "MessageDraft", "MessageNote", "MessagePool", "MessagePoolMember", "MessageRead", "MessageThread",
    "StaffSetup",
    "EmergencyContact", "InsurancePlan", "ProfileChange",
    "CareTeamMember", "Organization", "Practitioner",
    "Allergy", "ClinicalDocument", "Condition", "DiagnosticReport", "Encounter", "Immunization", "Observation",
    "PatientSource", "Procedure", "ReleasePreference", "ResultHold",
    "WaitlistOffer", "WaitlistRequest",
    "RecordShare", "RecordShareView",
    "ClinicNotice", "LiveSignal", "Patient", "Role", "STAFF_ROLES", "User", "UserSession"]
