"""Every setting of the portal, read once from ``PORTAL_*`` environment variables.

One typed module so that a newcomer finds every knob in one place, and so that a production start
can refuse unsafe values (default secrets, wildcard origins, test-only shortcuts) before it serves
anything. ``README.md`` lists the variables; the defaults below are for a laptop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Development values that are public (they are in this file), so production refuses them.
_DEV_SECRET_KEY = "dev-only-secret-key-change-me"
_DEV_PEPPER = "dev-only-password-pepper-change-me"
_DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzJieXRlcyE="  # base64 of a 32-byte dev key

ENVIRONMENTS = ("development", "test", "production")

_DEV_VAPID_SUBJECT = "mailto:portal@localhost"
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class SettingsError(ValueError):
    """A setting is missing, malformed or unsafe for the chosen environment."""


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default).strip()


def _int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None


def _float(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None


def _bool(name: str, default: bool) -> bool:
    raw = _env(name, "true" if default else "false").lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _is_factory_path(value: str) -> bool:
    """``package.module:factory`` — the form a pluggable SMS gateway is named in."""
    module, _, attribute = value.partition(":")
    return bool(module and attribute) and all(
        part.isidentifier() for part in [*module.split("."), *attribute.split(".")]
    )


def _is_time_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _vapid_pair_matches(private_b64: str, public_b64: str) -> bool:
    import base64

    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    def decode(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    try:
        private = ec.derive_private_key(int.from_bytes(decode(private_b64), "big"), ec.SECP256R1())
        public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return len(decode(private_b64)) == 32 and public == decode(public_b64)
    except (ValueError, TypeError):
        return False


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'portal.db'}"


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    debug: bool = False
    # Where the portal is reached; also the only origins the websocket and HTTP routes accept.
    origins: tuple[str, ...] = ("http://localhost:3000",)
    port: int = 3000
    database_url: str = field(default_factory=_default_database_url)
    redis_url: str = ""
    proxy_hops: int = 0
    secret_key: str = _DEV_SECRET_KEY
    password_pepper: str = _DEV_PEPPER
    encryption_key: str = _DEV_ENCRYPTION_KEY
    bcrypt_cost: int = 12
    patient_idle_seconds: int = 30 * 60
    staff_idle_seconds: int = 15 * 60
    session_max_seconds: int = 12 * 60 * 60
    idle_warning_seconds: int = 60
    live_poll_seconds: float = 0.5
    # "embedded" runs the scheduler inside the web process (laptop default); "external" means a
    # separate `portal scheduler` process runs it (several web workers).
    scheduler: str = "embedded"
    clinic_name: str = "Maple Grove Family Clinic"
    clinic_phone: str = "(555) 010-0142"
    # The clinic's own zone (IANA name) until an admin picks one on /console/setup (portal_app/localtime.py).
    clinic_timezone: str = "America/Chicago"
    backup_dir: str = field(default_factory=lambda: str(PROJECT_ROOT / "var" / "backups"))
    # Notifications (services/channels.py). Mail goes to one SMTP relay; SMS through a gateway
    # ("log" only writes to the log, for laptops: production refuses it, or "package.module:factory");
    # web push is signed with a VAPID key pair (a laptop gets an ephemeral one in var/vapid.json).
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "portal@localhost"
    sms_gateway: str = "log"
    vapid_private_key: str = ""
    vapid_public_key: str = ""
    vapid_subject: str = _DEV_VAPID_SUBJECT

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def cookie_secure(self) -> bool:
        """Secure cookies need https; a laptop on http://localhost still works in development."""
        return all(origin.startswith("https://") for origin in self.origins)

    @property
    def session_cookie_name(self) -> str:
        # The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only
        # and for path "/", so it is only usable when the portal is served over https.
        return "__Host-portal_session" if self.cookie_secure else "portal_session"

    def problems(self) -> list[str]:
        """What is wrong with these settings, in words an operator can act on."""
        found: list[str] = []
        if self.env not in ENVIRONMENTS:
            found.append(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, got {self.env!r}")
        if self.scheduler not in ("embedded", "external"):
            found.append(f"PORTAL_SCHEDULER must be embedded or external, got {self.scheduler!r}")
        if not self.origins:
            found.append("PORTAL_ORIGINS must name at least one origin")
        if self.redis_url and self.scheduler == "embedded":
            found.append(
                "PORTAL_REDIS_URL runs several web workers, each of which would start a scheduler: "
                "set PORTAL_SCHEDULER=external and run `portal scheduler` once"
            )
        if not _is_time_zone(self.clinic_timezone):
            found.append(f"PORTAL_CLINIC_TIMEZONE must be an IANA time zone such as America/Chicago, "
                         f"got {self.clinic_timezone!r}")
        if self.live_poll_seconds <= 0:
            found.append("PORTAL_LIVE_POLL_SECONDS must be above 0")
        found.extend(self._notification_problems())
        if not self.production:
            return found
        if self.debug:
            found.append("PORTAL_DEBUG is on; debug output must be off in production")
        if self.secret_key == _DEV_SECRET_KEY or len(self.secret_key) < 32:
            found.append("PORTAL_SECRET_KEY is the development default or shorter than 32 characters")
        if self.password_pepper == _DEV_PEPPER or len(self.password_pepper) < 32:
            found.append("PORTAL_PASSWORD_PEPPER is the development default or shorter than 32 characters")
        if self.encryption_key == _DEV_ENCRYPTION_KEY:
            found.append("PORTAL_ENCRYPTION_KEY is the development default")
        if any(o == "*" or "*" in o for o in self.origins):
            found.append("PORTAL_ORIGINS contains a wildcard; list the portal's own https origin(s)")
        if not self.cookie_secure:
            found.append("PORTAL_ORIGINS must all be https:// in production")
        # Test-only shortcuts: each one weakens a security rule to make tests fast.
        if self.bcrypt_cost < 12:
            found.append("PORTAL_BCRYPT_COST is below 12 (a test-only setting)")
        for variable, seconds, limit in (
            ("PORTAL_PATIENT_IDLE_SECONDS", self.patient_idle_seconds, 30 * 60),
            ("PORTAL_STAFF_IDLE_SECONDS", self.staff_idle_seconds, 15 * 60),
        ):
            if seconds < 60:
                found.append(f"{variable} below 60 is a test-only setting")
            elif seconds > limit:
                found.append(f"{variable} may not exceed {limit // 60} minutes")
        if self.session_max_seconds > 12 * 60 * 60:
            found.append("PORTAL_SESSION_MAX_SECONDS may not exceed 12 hours")
        return found

    def _notification_problems(self) -> list[str]:
        found: list[str] = []
        if self.sms_gateway != "log" and not _is_factory_path(self.sms_gateway):
            found.append(f"PORTAL_SMS_GATEWAY must be log or package.module:factory, got {self.sms_gateway!r}")
        if not self.vapid_subject.startswith(("mailto:", "https://")):
            found.append("PORTAL_VAPID_SUBJECT must be a mailto: or https:// address")
        if bool(self.vapid_private_key) != bool(self.vapid_public_key):
            found.append("PORTAL_VAPID_PRIVATE_KEY and PORTAL_VAPID_PUBLIC_KEY must be set together")
        elif self.vapid_private_key and not _vapid_pair_matches(self.vapid_private_key, self.vapid_public_key):
            found.append("PORTAL_VAPID_PUBLIC_KEY is not the public half of PORTAL_VAPID_PRIVATE_KEY "
                         "(both base64url: the 32-byte private key and the 65-byte public key)")
        if self.smtp_password and not self.smtp_starttls and self.smtp_host not in _LOCAL_HOSTS:
            found.append("PORTAL_SMTP_PASSWORD would cross the network in clear: set PORTAL_SMTP_STARTTLS=true")
        if not self.production:
            return found
        if self.sms_gateway == "log":
            found.append("PORTAL_SMS_GATEWAY is log, which sends nothing: name your SMS gateway (package.module:factory)")
        if not self.vapid_private_key:
            found.append("PORTAL_VAPID_PRIVATE_KEY and PORTAL_VAPID_PUBLIC_KEY are needed for web push "
                         "(an ephemeral development pair is not kept across machines)")
        if self.vapid_subject == _DEV_VAPID_SUBJECT:
            found.append("PORTAL_VAPID_SUBJECT must be the clinic's own mailto: or https:// contact")
        if self.smtp_host not in _LOCAL_HOSTS and not self.smtp_starttls:
            found.append("PORTAL_SMTP_STARTTLS must be on when the mail relay (PORTAL_SMTP_HOST) is another machine")
        return found

    def check(self) -> None:
        """Raise with every problem at once, so an operator fixes them in one go."""
        found = self.problems()
        if found:
            raise SettingsError("The portal will not start:\n  - " + "\n  - ".join(found))


def load_settings() -> Settings:
    """Build settings from the environment (called once at import, and again by tests)."""
    origins = tuple(o.strip().rstrip("/") for o in _env("PORTAL_ORIGINS", "").split(",") if o.strip())
    port = _int("PORTAL_PORT", 3000)
    return Settings(
        env=_env("PORTAL_ENV", "development").lower(),
        debug=_bool("PORTAL_DEBUG", False),
        origins=origins or (f"http://localhost:{port}", f"http://127.0.0.1:{port}"),
        port=port,
        database_url=_env("PORTAL_DATABASE_URL", "") or _default_database_url(),
        redis_url=_env("PORTAL_REDIS_URL", ""),
        proxy_hops=_int("PORTAL_PROXY_HOPS", 0),
        secret_key=_env("PORTAL_SECRET_KEY", _DEV_SECRET_KEY),
        password_pepper=_env("PORTAL_PASSWORD_PEPPER", _DEV_PEPPER),
        encryption_key=_env("PORTAL_ENCRYPTION_KEY", _DEV_ENCRYPTION_KEY),
        bcrypt_cost=_int("PORTAL_BCRYPT_COST", 12),
        patient_idle_seconds=_int("PORTAL_PATIENT_IDLE_SECONDS", 30 * 60),
        staff_idle_seconds=_int("PORTAL_STAFF_IDLE_SECONDS", 15 * 60),
        session_max_seconds=_int("PORTAL_SESSION_MAX_SECONDS", 12 * 60 * 60),
        idle_warning_seconds=_int("PORTAL_IDLE_WARNING_SECONDS", 60),
        live_poll_seconds=_float("PORTAL_LIVE_POLL_SECONDS", 0.5),
        scheduler=_env("PORTAL_SCHEDULER", "embedded").lower(),
        clinic_name=_env("PORTAL_CLINIC_NAME", "Maple Grove Family Clinic"),
        clinic_phone=_env("PORTAL_CLINIC_PHONE", "(555) 010-0142"),
        clinic_timezone=_env("PORTAL_CLINIC_TIMEZONE", "America/Chicago"),
        backup_dir=_env("PORTAL_BACKUP_DIR", "") or str(PROJECT_ROOT / "var" / "backups"),
        smtp_host=_env("PORTAL_SMTP_HOST", "localhost"),
        smtp_port=_int("PORTAL_SMTP_PORT", 25),
        smtp_starttls=_bool("PORTAL_SMTP_STARTTLS", False),
        smtp_user=_env("PORTAL_SMTP_USER", ""),
        smtp_password=os.environ.get("PORTAL_SMTP_PASSWORD", ""),
        mail_from=_env("PORTAL_MAIL_FROM", "portal@localhost"),
        sms_gateway=_env("PORTAL_SMS_GATEWAY", "log"),
        vapid_private_key=_env("PORTAL_VAPID_PRIVATE_KEY", ""),
        vapid_public_key=_env("PORTAL_VAPID_PUBLIC_KEY", ""),
        vapid_subject=_env("PORTAL_VAPID_SUBJECT", _DEV_VAPID_SUBJECT),
    )


def describe(settings: Settings) -> dict[str, str]:
    """Settings with secrets masked, for `portal config`."""
    masked = {"secret_key", "password_pepper", "encryption_key", "smtp_password", "vapid_private_key"}
    return {
        f.name: ("***" if f.name in masked else str(getattr(settings, f.name)))
        for f in fields(settings)
    }


settings = load_settings()
