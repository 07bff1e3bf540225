"""Importing this package registers every page (``@rx.page`` only registers on import).

One import per line, so that features adding pages do not edit the same line.
"""

from portal_app.pages import account  # noqa: F401
from portal_app.pages import activate  # noqa: F401
from portal_app.pages import admin  # noqa: F401
from portal_app.pages import appointments  # noqa: F401
from portal_app.pages import booking  # noqa: F401
from portal_app.pages import break_glass_prompt  # noqa: F401  (its state serves every staff page)
from portal_app.pages import clinic_setup  # noqa: F401
from portal_app.pages import console  # noqa: F401
from portal_app.pages import first_signin  # noqa: F401
from portal_app.pages import health  # noqa: F401
from portal_app.pages import home  # noqa: F401
from portal_app.pages import index  # noqa: F401
from portal_app.pages import results_console  # noqa: F401
from portal_app.pages import record_staff  # noqa: F401
from portal_app.pages import medication_settings  # noqa: F401
from portal_app.pages import medications  # noqa: F401
from portal_app.pages import message_console  # noqa: F401
from portal_app.pages import message_pools  # noqa: F401
from portal_app.pages import messages  # noqa: F401
from portal_app.pages import more  # noqa: F401
from portal_app.pages import patients  # noqa: F401
from portal_app.pages import profile  # noqa: F401
from portal_app.pages import profile_reviews  # noqa: F401
from portal_app.pages import recovery  # noqa: F401
from portal_app.pages import refill_console  # noqa: F401
from portal_app.pages import refills  # noqa: F401
from portal_app.pages import schedule_console  # noqa: F401
from portal_app.pages import results  # noqa: F401
from portal_app.pages import signin  # noqa: F401
from portal_app.pages import waitlist  # noqa: F401
from portal_app.pages import waitlist_console  # noqa: F401
from portal_app.pages import sharing  # noqa: F401
from portal_app.pages import timeline  # noqa: F401
