"""Scans of the live site: a database-backed job (queued, running with its progress, done,
failed, interrupted) and, once done, what the scan saw compared with the inventory."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .database import db
from .timestamps import utcnow

QUEUED, RUNNING, DONE, FAILED, INTERRUPTED = "queued", "running", "done", "failed", "interrupted"
STATUSES = (QUEUED, RUNNING, DONE, FAILED, INTERRUPTED)
ACTIVE = (QUEUED, RUNNING)


class Scan(db.Model):
    __table_args__ = {"sqlite_autoincrement": True}  # a scan's id is never given to another

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(12), default=QUEUED, index=True)
    # What was asked: page limit, scenarios, banner selectors.
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    requested_by: Mapped[str | None] = mapped_column(String(254))  # e-mail, or "command line"
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The worker writes it at every page; a running scan whose heartbeat stopped was interrupted.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    progress: Mapped[dict | None] = mapped_column(JSON)
    # The observations and their comparison with the inventory (scanner.compare), once done.
    result: Mapped[dict | None] = mapped_column(JSON)
    counts: Mapped[dict | None] = mapped_column(JSON)
    # Why it failed, in both languages ({"fr": …, "en": …}).
    error: Mapped[dict | None] = mapped_column(JSON)
    # Declared cookies not seen that someone marked as reviewed: {cookie id: {"by", "at"}}.
    reviewed: Mapped[dict | None] = mapped_column(JSON)
    pages: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self):
        return f"Scan {self.id} of {self.url} ({self.status})"
