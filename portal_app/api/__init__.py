"""HTTP routes beside the Reflex app: sign-in cookie hand-off, health check."""
