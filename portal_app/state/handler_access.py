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
}
