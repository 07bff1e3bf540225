"""Change signals: a row per "topic T changed", read by every web worker to refresh open pages.

Writing the signal in the same transaction as the change means a page is told only about committed
data, and any process (a web worker, the scheduler, a command) can announce a change without Redis.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app import clock
from portal_app.models.base import utc_column


class LiveSignal(SQLModel, table=True):
    __tablename__ = "live_signal"
    # Ids must only grow: SQLite would otherwise reuse them once pruning empties the table, and
    # readers that had passed them would miss every new signal.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=120)
    created_at: datetime = utc_column(default_factory=clock.now, nullable=False, index=True)  # for pruning
