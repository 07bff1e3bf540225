"""Files people upload (message photos, insurance cards, EHR exports), kept in the database.

Never in Reflex's public ``/_upload`` folder: a stored file is read only through the service of the
feature that owns it, which checks who may see it. In the database, a file is in every backup, is
seen by every web worker and goes away with the row. An upload first belongs to nobody but its
uploader (``attached_to`` empty); the feature claims it when the message is sent or the card saved,
and unclaimed uploads are deleted after a day.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field


class StoredFile(SQLModel, table=True):
    __tablename__ = "stored_file"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=43, unique=True, index=True)  # the unguessable name pages use
    owner_user_id: int = Field(foreign_key="user.id", index=True)  # who uploaded it
    purpose: str = Field(max_length=32)  # a services/files.PURPOSES key
    kind: str = Field(max_length=8)  # what its content is: jpeg, png, pdf, json, ndjson
    content_type: str = Field(max_length=64)
    name: str = Field(max_length=120)  # a cleaned display name
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_type=LargeBinary, repr=False)
    attached_to: str | None = Field(default=None, max_length=64, index=True)  # e.g. "message:42"
    created_at: datetime = created_at_field()
