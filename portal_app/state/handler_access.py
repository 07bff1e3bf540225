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
    # The front desk's patients page: staff session re-checked in each handler, permission in the service.
    "PatientConsoleState.opened": "staff",
    "PatientConsoleState.search": "staff",
    "PatientConsoleState.next_page": "staff",
    "PatientConsoleState.previous_page": "staff",
    "PatientConsoleState.register": "staff",
    "PatientConsoleState.invite": "staff",
    "PatientConsoleState.close_invite": "staff",
}
