"""Second factors: an authenticator app (TOTP) and single-use recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column


class TotpCredential(SQLModel, table=True):
    __tablename__ = "totp_credential"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True, index=True)
    secret_sealed: bytes  # AES-GCM (services/crypto.py); the key is in configuration, not here
    confirmed_at: datetime | None = utc_column(default=None, nullable=True)
    last_used_step: int = Field(default=0)  # each 30-second code is accepted once
    created_at: datetime = created_at_field()


class RecoveryCode(SQLModel, table=True):
    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)  # HMAC-SHA256 with the pepper
    used_at: datetime | None = utc_column(default=None, nullable=True)
    created_at: datetime = created_at_field()


class FactorFailures(SQLModel, table=True):
    """Consecutive failures of one factor of one account, for delays and the 100-failure cap."""

    __tablename__ = "factor_failures"
    __table_args__ = (UniqueConstraint("user_id", "factor"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    factor: str = Field(max_length=16)  # "password" | "totp" | "recovery"
    count: int = Field(default=0)
    last_failure_at: datetime | None = utc_column(default=None, nullable=True)
    disabled_at: datetime | None = utc_column(default=None, nullable=True)
