"""All tables. Importing this package registers every table on ``SQLModel.metadata``."""

from portal_app.models.live import LiveSignal
from portal_app.models.notice import ClinicNotice
from portal_app.models.people import Patient, Role, User, STAFF_ROLES
from portal_app.models.session import UserSession

__all__ = ["ClinicNotice", "LiveSignal", "Patient", "Role", "STAFF_ROLES", "User", "UserSession"]
