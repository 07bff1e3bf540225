"""Production refuses unsafe settings, naming the variable to change; the environment is read strictly."""

from __future__ import annotations

import dataclasses
import secrets

import pytest

from portal_app import config
from portal_app.config import Settings, SettingsError, load_settings
from portal_app.services.channels import generate_vapid_keys

_VAPID = generate_vapid_keys()
_OTHER_VAPID = generate_vapid_keys()

SAFE = Settings(
    env="production",
    origins=("https://portal.maplegrove.example",),
    secret_key=secrets.token_urlsafe(48),
    password_pepper=secrets.token_urlsafe(48),
    encryption_key="cHJvZHVjdGlvbi1rZXktMzItYnl0ZXMtbG9uZy4uLi4=",
    bcrypt_cost=12,
    debug=False,
    sms_gateway="clinic_sms.gateway:TextGateway",
    vapid_private_key=_VAPID.private_key,
    vapid_public_key=_VAPID.public_key,
    vapid_subject="mailto:it@maplegrove.example",
)


def test_a_fully_safe_production_configuration_starts():
    assert SAFE.problems() == []
    SAFE.check()  # does not raise
    assert SAFE.cookie_secure
    assert SAFE.session_cookie_name == "__Host-portal_session"


UNSAFE = [
    pytest.param({"secret_key": config._DEV_SECRET_KEY}, "PORTAL_SECRET_KEY", id="default-secret-key"),
    pytest.param({"secret_key": "x" * 31}, "PORTAL_SECRET_KEY", id="short-secret-key"),
    pytest.param({"password_pepper": config._DEV_PEPPER}, "PORTAL_PASSWORD_PEPPER", id="default-pepper"),
    pytest.param({"password_pepper": "p" * 31}, "PORTAL_PASSWORD_PEPPER", id="short-pepper"),
    pytest.param({"encryption_key": config._DEV_ENCRYPTION_KEY}, "PORTAL_ENCRYPTION_KEY", id="default-encryption-key"),
    pytest.param({"origins": ("*",)}, "PORTAL_ORIGINS", id="wildcard-origin"),
    pytest.param({"origins": ("https://*.maplegrove.example",)}, "PORTAL_ORIGINS", id="wildcard-subdomain"),
    pytest.param({"origins": ("http://portal.maplegrove.example",)}, "PORTAL_ORIGINS", id="http-origin"),
    pytest.param({"origins": ("https://portal.maplegrove.example", "http://10.0.0.5")}, "PORTAL_ORIGINS",
                 id="one-http-origin-among-https"),
    pytest.param({"origins": ()}, "PORTAL_ORIGINS", id="no-origin"),
    pytest.param({"debug": True}, "PORTAL_DEBUG", id="debug-on"),
    pytest.param({"bcrypt_cost": 11}, "PORTAL_BCRYPT_COST", id="bcrypt-cost-11"),
    pytest.param({"bcrypt_cost": 4}, "PORTAL_BCRYPT_COST", id="bcrypt-cost-4"),
    pytest.param({"patient_idle_seconds": 59}, "PORTAL_PATIENT_IDLE_SECONDS", id="patient-idle-under-60s"),
    pytest.param({"staff_idle_seconds": 59}, "PORTAL_STAFF_IDLE_SECONDS", id="staff-idle-under-60s"),
    pytest.param({"patient_idle_seconds": 30 * 60 + 1}, "PORTAL_PATIENT_IDLE_SECONDS", id="patient-idle-over-30min"),
    pytest.param({"staff_idle_seconds": 15 * 60 + 1}, "PORTAL_STAFF_IDLE_SECONDS", id="staff-idle-over-15min"),
    pytest.param({"session_max_seconds": 12 * 60 * 60 + 1}, "PORTAL_SESSION_MAX_SECONDS", id="lifetime-over-12h"),
    pytest.param({"redis_url": "redis://cache:6379/0"}, "PORTAL_REDIS_URL", id="redis-with-embedded-scheduler"),
    pytest.param({"scheduler": "sometimes"}, "PORTAL_SCHEDULER", id="unknown-scheduler"),
    pytest.param({"live_poll_seconds": 0}, "PORTAL_LIVE_POLL_SECONDS", id="live-poll-zero"),
    pytest.param({"sms_gateway": "log"}, "PORTAL_SMS_GATEWAY", id="log-sms-gateway"),
    pytest.param({"sms_gateway": "twilio"}, "PORTAL_SMS_GATEWAY", id="sms-gateway-not-a-factory"),
    pytest.param({"vapid_private_key": "", "vapid_public_key": ""}, "PORTAL_VAPID_PRIVATE_KEY", id="no-vapid-keys"),
    pytest.param({"vapid_public_key": _OTHER_VAPID.public_key}, "PORTAL_VAPID_PUBLIC_KEY", id="vapid-keys-not-a-pair"),
    pytest.param({"vapid_public_key": ""}, "PORTAL_VAPID_PUBLIC_KEY", id="vapid-public-key-missing"),
    pytest.param({"vapid_subject": "mailto:portal@localhost"}, "PORTAL_VAPID_SUBJECT", id="default-vapid-subject"),
    pytest.param({"vapid_subject": "it@maplegrove.example"}, "PORTAL_VAPID_SUBJECT", id="vapid-subject-not-a-uri"),
    pytest.param({"smtp_host": "mail.maplegrove.example"}, "PORTAL_SMTP_STARTTLS", id="remote-smtp-without-tls"),
]


@pytest.mark.parametrize(("change", "variable"), UNSAFE)
def test_production_refuses_an_unsafe_setting_and_names_its_variable(change, variable):
    unsafe = dataclasses.replace(SAFE, **change)

    problems = unsafe.problems()

    assert problems, "production accepted it"
    assert all(variable in problem for problem in problems), problems
    with pytest.raises(SettingsError) as refused:
        unsafe.check()
    assert variable in str(refused.value)


@pytest.mark.parametrize(
    "change",
    [
        {"patient_idle_seconds": 30 * 60, "staff_idle_seconds": 15 * 60},
        {"patient_idle_seconds": 60, "staff_idle_seconds": 60},
        {"session_max_seconds": 12 * 60 * 60},
        {"bcrypt_cost": 13},
        {"redis_url": "redis://cache:6379/0", "scheduler": "external"},
        {"origins": ("https://portal.maplegrove.example", "https://maplegrove.example")},
        {"smtp_host": "mail.maplegrove.example", "smtp_starttls": True, "smtp_password": "s3cret"},
    ],
    ids=["idle-at-the-limits", "idle-at-60s", "lifetime-12h", "bcrypt-13", "redis-external-scheduler", "two-https",
         "remote-smtp-with-starttls"],
)
def test_production_accepts_values_at_the_limits(change):
    assert dataclasses.replace(SAFE, **change).problems() == []


def test_every_problem_is_reported_at_once():
    with pytest.raises(SettingsError) as refused:
        Settings(env="production").check()  # the laptop defaults, marked production
    message = str(refused.value)
    for variable in ("PORTAL_SECRET_KEY", "PORTAL_PASSWORD_PEPPER", "PORTAL_ENCRYPTION_KEY", "PORTAL_ORIGINS"):
        assert variable in message


def test_an_unknown_environment_is_refused():
    problems = Settings(env="prod").problems()
    assert any("PORTAL_ENV" in p for p in problems)


def test_development_defaults_are_valid():
    assert Settings().problems() == []
    assert Settings(env="test", bcrypt_cost=4, patient_idle_seconds=5, staff_idle_seconds=5).problems() == []


@pytest.fixture
def clean_environment(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith("PORTAL_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_load_settings_without_variables_gives_valid_development_defaults(clean_environment):
    loaded = load_settings()

    assert loaded.env == "development"
    assert loaded.problems() == []
    assert loaded.origins == ("http://localhost:3000", "http://127.0.0.1:3000")
    assert loaded.bcrypt_cost == 12
    assert (loaded.patient_idle_seconds, loaded.staff_idle_seconds) == (30 * 60, 15 * 60)
    assert loaded.session_max_seconds == 12 * 60 * 60
    assert (loaded.smtp_host, loaded.smtp_port, loaded.smtp_starttls) == ("localhost", 25, False)
    assert (loaded.mail_from, loaded.sms_gateway) == ("portal@localhost", "log")
    assert loaded.vapid_private_key == "" and loaded.vapid_subject == "mailto:portal@localhost"


def test_load_settings_reads_every_portal_variable(clean_environment):
    env = clean_environment
    env.setenv("PORTAL_ENV", "Production")
    env.setenv("PORTAL_ORIGINS", " https://portal.maplegrove.example/ , https://maplegrove.example ")
    env.setenv("PORTAL_SECRET_KEY", SAFE.secret_key)
    env.setenv("PORTAL_PASSWORD_PEPPER", SAFE.password_pepper)
    env.setenv("PORTAL_ENCRYPTION_KEY", SAFE.encryption_key)
    env.setenv("PORTAL_BCRYPT_COST", "13")
    env.setenv("PORTAL_PATIENT_IDLE_SECONDS", "1200")
    env.setenv("PORTAL_STAFF_IDLE_SECONDS", "600")
    env.setenv("PORTAL_SESSION_MAX_SECONDS", "28800")
    env.setenv("PORTAL_DEBUG", "off")
    env.setenv("PORTAL_PORT", "8080")
    env.setenv("PORTAL_PROXY_HOPS", "1")
    env.setenv("PORTAL_LIVE_POLL_SECONDS", "0.25")
    env.setenv("PORTAL_REDIS_URL", "redis://cache:6379/0")
    env.setenv("PORTAL_SCHEDULER", "EXTERNAL")
    env.setenv("PORTAL_DATABASE_URL", "postgresql+psycopg://portal@db/portal")
    env.setenv("PORTAL_CLINIC_NAME", "Cedar Clinic")
    env.setenv("PORTAL_SMTP_HOST", "mail.cedar.example")
    env.setenv("PORTAL_SMTP_PORT", "587")
    env.setenv("PORTAL_SMTP_STARTTLS", "yes")
    env.setenv("PORTAL_SMTP_USER", "portal")
    env.setenv("PORTAL_SMTP_PASSWORD", "relay password")
    env.setenv("PORTAL_MAIL_FROM", "portal@cedar.example")
    env.setenv("PORTAL_SMS_GATEWAY", "cedar_sms:Gateway")
    env.setenv("PORTAL_VAPID_PRIVATE_KEY", _VAPID.private_key)
    env.setenv("PORTAL_VAPID_PUBLIC_KEY", _VAPID.public_key)
    env.setenv("PORTAL_VAPID_SUBJECT", "https://cedar.example/contact")

    loaded = load_settings()

    assert loaded.production
    assert loaded.origins == ("https://portal.maplegrove.example", "https://maplegrove.example")
    assert loaded.secret_key == SAFE.secret_key
    assert loaded.password_pepper == SAFE.password_pepper
    assert loaded.encryption_key == SAFE.encryption_key
    assert loaded.bcrypt_cost == 13
    assert (loaded.patient_idle_seconds, loaded.staff_idle_seconds, loaded.session_max_seconds) == (1200, 600, 28800)
    assert loaded.debug is False
    assert (loaded.port, loaded.proxy_hops, loaded.live_poll_seconds) == (8080, 1, 0.25)
    assert (loaded.redis_url, loaded.scheduler) == ("redis://cache:6379/0", "external")
    assert loaded.database_url == "postgresql+psycopg://portal@db/portal"
    assert loaded.clinic_name == "Cedar Clinic"
    assert (loaded.smtp_host, loaded.smtp_port, loaded.smtp_starttls) == ("mail.cedar.example", 587, True)
    assert (loaded.smtp_user, loaded.smtp_password, loaded.mail_from) == ("portal", "relay password", "portal@cedar.example")
    assert loaded.sms_gateway == "cedar_sms:Gateway"
    assert (loaded.vapid_private_key, loaded.vapid_public_key) == (_VAPID.private_key, _VAPID.public_key)
    assert loaded.vapid_subject == "https://cedar.example/contact"
    loaded.check()  # a correct production environment starts


def test_load_settings_in_production_with_dev_secrets_is_refused(clean_environment):
    clean_environment.setenv("PORTAL_ENV", "production")
    clean_environment.setenv("PORTAL_ORIGINS", "https://portal.maplegrove.example")
    with pytest.raises(SettingsError) as refused:
        load_settings().check()
    assert "PORTAL_SECRET_KEY" in str(refused.value)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORTAL_BCRYPT_COST", "twelve"),
        ("PORTAL_BCRYPT_COST", "12.5"),
        ("PORTAL_PORT", "80a"),
        ("PORTAL_PROXY_HOPS", ""),
        ("PORTAL_PATIENT_IDLE_SECONDS", "30m"),
        ("PORTAL_STAFF_IDLE_SECONDS", "15 minutes"),
        ("PORTAL_SESSION_MAX_SECONDS", "12h"),
        ("PORTAL_LIVE_POLL_SECONDS", "fast"),
        ("PORTAL_DEBUG", "maybe"),
        ("PORTAL_SMTP_PORT", "smtp"),
        ("PORTAL_SMTP_STARTTLS", "tls"),
    ],
)
def test_load_settings_rejects_a_malformed_value_naming_the_variable(clean_environment, variable, value):
    clean_environment.setenv(variable, value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert variable in str(refused.value)
