"""Security headers on every HTTP response (SECURITY.md; ASVS V3).

The Reflex runtime evaluates code (``eval``) and React Router inlines its hydration data, so the CSP
must allow ``'unsafe-eval'`` and inline scripts; everything else is limited to the portal's origin.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.config import Settings

# Long-lived, content-hashed build files may be cached; nothing else is (it may carry health data).
CACHEABLE_PREFIXES = ("/assets/", "/icons/")


def content_security_policy(settings: Settings) -> str:
    sockets = " ".join(o.replace("https://", "wss://").replace("http://", "ws://") for o in settings.origins)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            f"connect-src 'self' {sockets}",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.fixed = {
            "Content-Security-Policy": content_security_policy(settings),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Permissions-Policy": "camera=(self), microphone=(self), geolocation=(), payment=()",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if settings.production:
            self.fixed["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.fixed.items():
                    headers[name] = value
                if not path.startswith(CACHEABLE_PREFIXES):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
