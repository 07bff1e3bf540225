"""Who may call each public event handler: the table the authorization sweep test walks.

Any client can call any public method of any State class with any arguments, so every one must be
listed here with its audience, and must itself check that audience (guards only redirect).
Audiences: "anyone" (no data or only public content), "signed_in" (any signed-in user, own
account only), "patient", "staff" (re-checked in the handler through services/access.py).
"""

HANDLER_ACCESS: dict[str, str] = {
    "GuardState.entry": "anyone",
    "GuardState.public_page": "anyone",
    "GuardState.patient_page": "anyone",  # redirects unless a patient session is present
    "GuardState.staff_page": "anyone",  # redirects unless a staff session is present
    "NoticesState.watch": "anyone",  # public clinic notices
    "PasswordVisibility.toggle": "anyone",
    "PreferencesState.choose_language": "anyone",  # saved to the account only when signed in
    "SessionState.sign_out": "anyone",  # ends the caller's own session, if any
    # The idle watch: reads (never extends) the caller's own session; a tab that had none is left alone.
    "IdleState.check": "anyone",
    "IdleState.stay": "anyone",  # resolves (touches) the caller's own session, if any
    "SignedOutNoticeState.opened": "anyone",  # only reads ?reason=idle
    # Security and privacy (/account, /console/account): own sessions and own record's access history.
    "AccountState.opened": "signed_in",
    "AccountState.end_session": "signed_in",
    "AccountState.end_everywhere": "signed_in",
    "AccountState.next_page": "signed_in",
    "AccountState.previous_page": "signed_in",
    # Whose record a patient's pages show: only charts the account's own grants reach (re-checked each time).
    "PatientContextState.opened": "patient",
    "PatientContextState.choose": "patient",
    "SignInState.submit": "anyone",
    "SignInState.submit_code": "anyone",  # only continues a sign-in whose password this tab proved
    "SignInState.switch_to_recovery": "anyone",
    "SignInState.start_over": "anyone",
    # Activation happens before sign-in; each handler checks its arguments and the backend-only activation id.
    "ActivationState.opened": "anyone",
    "ActivationState.start_over": "anyone",
    "ActivationState.start": "anyone",
    "ActivationState.agree": "anyone",
    "ActivationState.toggle_password": "anyone",
    "ActivationState.password_typed": "anyone",
    "ActivationState.create_account": "anyone",
    "ActivationState.confirm_app": "anyone",
    "ActivationState.set_codes_saved": "anyone",
    "ActivationState.finish": "anyone",
    # Forgotten password and self sign-up (state/recovery.py): before sign-in, so each handler checks its
    # arguments; the reset token and the sign-up request id live in backend-only variables.
    "ForgotState.opened": "anyone",
    "ForgotState.submit": "anyone",  # always the same answer; throttled per account and address
    "ResetState.opened": "anyone",  # only reads ?t= and whether that link still works
    "ResetState.password_typed": "anyone",
    "ResetState.submit": "anyone",  # needs a live link from the email
    "SignupState.opened": "anyone",
    "SignupState.submit": "anyone",  # always the same answer; throttled per address
    "SignupState.submit_code": "anyone",  # only for the request this tab made
    # The sign-up queue (/console/signups): staff session re-checked, permission signups.review in the service.
    "SignupConsoleState.opened": "staff",
    "SignupConsoleState.match": "staff",
    "SignupConsoleState.reject": "staff",
    # The front desk's patients page: staff session re-checked in each handler, permission in the service.
    "PatientConsoleState.opened": "staff",
    "PatientConsoleState.search": "staff",
    "PatientConsoleState.next_page": "staff",
    "PatientConsoleState.previous_page": "staff",
    "PatientConsoleState.register": "staff",
    "PatientConsoleState.invite": "staff",
    "PatientConsoleState.close_invite": "staff",
    # Admin pages (state/admin.py): staff session re-checked in each handler, permission in the service.
    "AuditConsoleState.opened": "staff",
    "AuditConsoleState.apply": "staff",
    "AuditConsoleState.sort_by": "staff",
    "AuditConsoleState.next_page": "staff",
    "AuditConsoleState.previous_page": "staff",
    "AuditConsoleState.download": "staff",
    "NoticeConsoleState.opened": "staff",
    "NoticeConsoleState.publish": "staff",
    "NoticeConsoleState.withdraw": "staff",
    "StaffConsoleState.opened": "staff",
    "StaffConsoleState.create": "staff",
    "StaffConsoleState.dismiss_password": "staff",
    "StaffConsoleState.change_role": "staff",
    "StaffConsoleState.set_active": "staff",
    "StaffConsoleState.unlock": "staff",
    "StaffConsoleState.end_sessions": "staff",
    "OutboxConsoleState.opened": "staff",
    # Emergency access to a restricted chart: staff session re-checked; role, reason and chart in the service.
    "BreakGlassState.start": "staff",
    # Medicines and refills (state/medications.py, refill_request.py, refill_tracker.py, pharmacies.py,
    # medication_reminders.py): the chart from viewing(), re-checked in each handler and again in the service.
    "MedicationsState.opened": "patient",
    "MedicationsState.report_stopped": "patient",
    "MedicationsState.report_not_listed": "patient",
    "MedicationsState.switch_auto_refill": "patient",
    "MedsHomeState.opened": "patient",
    "RefillRequestState.opened": "patient",
    "RefillRequestState.toggle": "patient",
    "RefillRequestState.go_to": "patient",
    "RefillRequestState.details": "patient",
    "RefillRequestState.send": "patient",
    "RefillTrackerState.opened": "patient",
    "RefillTrackerState.cancel": "patient",
    "PharmacyState.opened": "patient",
    "PharmacyState.add": "patient",
    "PharmacyState.remove": "patient",
    "PharmacyState.prefer": "patient",
    "ReminderState.opened": "patient",
    "ReminderState.save": "patient",
    "ReminderState.remove": "patient",
    # The refill queue (state/refill_console.py): staff session re-checked; role, chart and step in the service.
    "RefillConsoleState.opened": "staff",
    "RefillConsoleState.show": "staff",
    "RefillConsoleState.approve": "staff",
    "RefillConsoleState.deny": "staff",
    "RefillConsoleState.record": "staff",
    "RefillConsoleState.allow_auto": "staff",
    "RefillConsoleState.reviewed": "staff",
    # Health record and results (state/health.py): patient session and chart re-checked; access, release
    # rules and audit in services/record.py and result_release.py.
    "HealthState.opened": "patient",
    "HealthState.filter_dates": "patient",
    "HealthState.clear_dates": "patient",
    "ResultsState.opened": "patient",
    "ResultsState.filter_dates": "patient",
    "ResultsState.clear_dates": "patient",
    "ResultsState.choose": "patient",
    "ResultDetailState.opened": "patient",
    "ResultsHomeState.opened": "patient",
    # The clinician's results queue (state/results_console.py): staff session re-checked; role and chart in the service.
    "ResultsConsoleState.opened": "staff",
    "ResultsConsoleState.reviewed": "staff",
    "ResultsConsoleState.hold": "staff",
    "ResultsConsoleState.release": "staff",
}
