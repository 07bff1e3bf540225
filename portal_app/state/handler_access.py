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
    # My profile (/account/profile): own chart only, session re-checked; access and audit in services/profile.py.
    "ProfileState.opened": "patient",
    "ProfileState.edit_contact": "anyone",  # only shows or hides the form
    "ProfileState.save_contact": "patient",  # and the password typed again
    "ProfileState.add_contact": "patient",
    "ProfileState.remove_contact": "patient",
    "ProfileState.ask_name": "patient",
    "ProfileState.ask_birth_date": "patient",
    "ProfileState.ask_insurance": "patient",
    "ProfileState.front_uploaded": "patient",  # the token is looked up again among the caller's own uploads
    "ProfileState.back_uploaded": "patient",
    "ProfileState.set_channel": "patient",
    "ProfileState.push_answer": "patient",  # only shows what the browser answered; the route does the work
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
    # Staff first sign-in (/first-sign-in): before any session; each handler needs the backend-only set-up
    # token that only a proved one-time password puts in this tab.
    "StaffSetupState.opened": "anyone",
    "StaffSetupState.toggle_password": "anyone",
    "StaffSetupState.password_typed": "anyone",
    "StaffSetupState.choose_password": "anyone",
    "StaffSetupState.confirm_app": "anyone",
    "StaffSetupState.set_codes_saved": "anyone",
    "StaffSetupState.finish": "anyone",
    "StaffSetupState.start_over": "anyone",
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
    # Profile changes to review (/console/profile-reviews): staff session re-checked, profile.review and each chart
    # in the service.
    "ProfileReviewState.opened": "staff",
    "ProfileReviewState.approve": "staff",
    "ProfileReviewState.reject": "staff",
    # "Lost my phone" on /console/patients: staff session re-checked, authenticator.reset and the chart in the service.
    "AuthenticatorResetState.start": "staff",
    "AuthenticatorResetState.cancel": "anyone",  # only closes the panel
    "AuthenticatorResetState.confirm": "staff",
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
    "StaffConsoleState.restart": "staff",  # admins only (staff.manage), re-checked in the service
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
    # Messages (state/messages.py, message_compose.py): the chart from viewing(), re-checked by services/messages.py.
    "MessageBadgeState.refresh": "patient",
    "InboxState.opened": "patient",
    "InboxState.next_page": "patient",
    "InboxState.previous_page": "patient",
    "InboxState.search": "patient",
    "InboxState.clear_search": "patient",
    "ThreadState.opened": "patient",
    "ThreadState.attached": "patient",
    "ThreadState.remove_file": "patient",
    "ThreadState.send": "patient",
    "ThreadState.keep_draft": "patient",
    "ComposeState.opened": "patient",
    "ComposeState.choose_topic": "patient",
    "ComposeState.go_back": "patient",
    "ComposeState.written": "patient",
    "ComposeState.attached": "patient",
    "ComposeState.remove_file": "patient",
    "ComposeState.send": "patient",
    "ComposeState.keep_draft": "patient",
    # The message queue (state/message_console.py): staff session re-checked; pool, chart and audit in the service.
    "MessageConsoleState.opened": "staff",
    "MessageConsoleState.show_view": "staff",
    "MessageConsoleState.choose_pool": "staff",
    "MessageConsoleState.next_page": "staff",
    "MessageConsoleState.previous_page": "staff",
    "MessageConsoleState.open_thread": "staff",
    "MessageConsoleState.close_thread": "staff",
    "MessageConsoleState.take": "staff",
    "MessageConsoleState.release": "staff",
    "MessageConsoleState.set_status": "staff",
    "MessageConsoleState.add_note": "staff",
    "MessageConsoleState.reply": "staff",
    "MessageConsoleState.use_canned": "staff",
    "MessageConsoleState.toggle_writing": "staff",
    "MessageConsoleState.start": "staff",
    "MessageConsoleState.attached": "staff",
    "MessageConsoleState.remove_file": "staff",
    # Message teams (state/message_pools.py): staff session re-checked; "messages.pools" (admin) in the service.
    "MessagePoolsState.opened": "staff",
    "MessagePoolsState.add_member": "staff",
    "MessagePoolsState.remove_member": "staff",
    "MessagePoolsState.add_canned": "staff",
    "MessagePoolsState.remove_canned": "staff",
    # Appointments (state/appointments.py, booking.py): the chart from viewing(), re-checked in each
    # handler and again in the services (services/booking.py, appointments.py).
    "AppointmentsState.opened": "patient",
    "AppointmentsState.ask_cancel": "patient",
    "AppointmentsState.cancel": "patient",
    "AppointmentsState.save_reminders": "patient",
    "AppointmentsState.start_check_in": "patient",
    "AppointmentsState.check_in": "patient",
    "NextVisitState.opened": "patient",
    "BookingState.opened": "patient",
    "BookingState.zone_known": "anyone",  # only keeps a known IANA zone name for showing times
    "BookingState.choose_type": "patient",
    "BookingState.choose_clinician": "patient",
    "BookingState.change_month": "patient",
    "BookingState.choose_day": "patient",
    "BookingState.choose_time": "patient",
    "BookingState.details": "patient",
    "BookingState.back": "patient",
    "BookingState.confirm": "patient",
    # The day's schedule (state/schedule_console.py): staff session re-checked; role and chart in the services.
    # Wait list (state/waitlist.py): the chart from viewing() or the link's offer, re-checked in services/waitlist.py.
    "WaitlistState.opened": "patient",
    "WaitlistState.open_form": "patient",
    "WaitlistState.ask": "patient",
    "WaitlistState.leave": "patient",
    "EarlierOfferState.opened": "patient",  # the ?t= token only finds an offer this account may act on
    "EarlierOfferState.take": "patient",
    "WaitlistDeskState.opened": "staff",  # appointments.schedule in the service, each chart re-checked
    "ScheduleConsoleState.opened": "staff",
    "ScheduleConsoleState.change_day": "staff",
    "ScheduleConsoleState.mark": "staff",
    "ScheduleConsoleState.keep_time": "staff",
    "ScheduleConsoleState.move_to": "staff",
    "ScheduleConsoleState.narrow": "staff",
    "ScheduleConsoleState.show_move_times": "staff",
    "ScheduleConsoleState.show_view": "staff",
    "ScheduleConsoleState.start_move": "staff",
    # The console's "Waiting for you" counts (state/work_summary.py): staff session re-checked; roles in the service.
    "WorkSummaryState.load": "staff",
    "ScheduleConsoleState.cancel": "staff",
    "ScheduleConsoleState.find_patient": "staff",
    "ScheduleConsoleState.show_times": "staff",
    "ScheduleConsoleState.book": "staff",
    # Clinic set-up (state/clinic_setup.py): staff session re-checked; "clinic.setup" (admin), rules and audit
    # in services/clinic_setup.py.
    "ClinicSetupState.opened": "staff",
    "ClinicSetupState.choose_tab": "anyone",
    "ClinicSetupState.edit": "anyone",
    "ClinicSetupState.cancel_edit": "anyone",
    "ClinicSetupState.save_location": "staff",
    "ClinicSetupState.set_location_active": "staff",
    "ClinicSetupState.save_visit_type": "staff",
    "ClinicSetupState.set_visit_type_active": "staff",
    "ClinicSetupState.save_hours": "staff",
    "ClinicSetupState.remove_hours": "staff",
    "ClinicSetupState.add_exception": "staff",
    "ClinicSetupState.remove_exception": "staff",
    "ClinicSetupState.save_time_zone": "staff",
    # Health record and results (state/health.py): patient session and chart re-checked; access, release
    # rules and audit in services/record.py and result_release.py.
    # The staff side of the record (state/record_staff.py): staff session re-checked in each handler; record.import,
    # record.read, results.read and results.enter (nurses and clinicians only) in services/record_staff.py and record.py.
    "FhirImportState.opened": "staff",
    "FhirImportState.uploaded": "staff",  # the token is looked up again among the caller's own uploads
    "StaffRecordState.opened": "staff",
    "StaffRecordState.choose_test": "staff",  # only reads the public lab guide
    "StaffRecordState.enter_result": "staff",
    "HealthState.opened": "patient",
    "HealthState.filter_dates": "patient",
    "HealthState.clear_dates": "patient",
    "ResultsState.opened": "patient",
    "ResultsState.filter_dates": "patient",
    "ResultsState.clear_dates": "patient",
    "ResultsState.choose": "patient",
    # Sharing the record (state/sharing.py): the privacy page re-checks the patient session and chart; access,
    # section checks and audit in services/record_share.py and record_copy.py. The provider's page has no
    # account: it shows nothing until open_share accepted the code and date of birth (throttled, locked after 5).
    "SharingState.opened": "patient",
    "SharingState.create": "patient",
    "SharingState.stop": "patient",
    "SharingState.email_copy": "patient",
    "SharedRecordState.opened": "anyone",
    "SharedRecordState.close": "anyone",
    "SharedRecordState.open": "anyone",
    "ResultsState.show_older": "patient",
    "ResultDetailState.opened": "patient",
    "ResultsHomeState.opened": "patient",
    # The record timeline (state/timeline.py): patient session and chart re-checked; access, release rules and
    # audit in services/record_timeline.py.
    "TimelineState.opened": "patient",
    "TimelineState.filter_dates": "patient",
    "TimelineState.clear_dates": "patient",
    "TimelineState.choose_section": "patient",
    "TimelineState.older": "patient",
    "TimelineState.newer": "patient",
    # The clinician's results queue (state/results_console.py): staff session re-checked; role and chart in the service.
    "ResultsConsoleState.opened": "staff",
    "ResultsConsoleState.reviewed": "staff",
    "ResultsConsoleState.hold": "staff",
    "ResultsConsoleState.release": "staff",
}
