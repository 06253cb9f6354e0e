"""Published versions of the policy: what visitors were told, from when, by whom; never changed.

Each version holds its content as canonical JSON (the document, the number, the dates, the
note, the previous version's digest) and its SHA-256: the versions of a site form a chain that
``flask policy verify`` checks. A version's renderings (the HTML pages) are derived from it,
stored with their own digest, and made again if missing.
"""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .database import db
from .timestamps import utcnow


class ImmutableRecord(Exception):
    """A published version or rendering was about to be changed or deleted."""


class PolicyVersion(db.Model):
    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("site_id", "number"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    # Today's single site-settings row; each site has its own numbering and chain.
    site_id: Mapped[int] = mapped_column(ForeignKey("site_settings.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Kept as text so that the record still names the publisher after the account is removed.
    published_by: Mapped[str] = mapped_column(String(255), default="")
    note_fr: Mapped[str] = mapped_column(Text)
    note_en: Mapped[str | None] = mapped_column(Text)
    cookie_count: Mapped[int] = mapped_column(Integer, default=0)
    # What the digest covers: canonical JSON of the number, dates, publisher, note, previous
    # digest and the public document.
    content: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    previous_digest: Mapped[str | None] = mapped_column(String(64))
    # Publication checks the publisher chose to waive, with their reasons (never public).
    waivers: Mapped[list | None] = mapped_column(JSON)

    renderings: Mapped[list["PolicyRendering"]] = relationship(back_populates="version", passive_deletes="all")

    def __str__(self):
        return f"v{self.number}"


class PolicyRendering(db.Model):
    """One page of a version in one language, as served, with its compressed forms."""

    __tablename__ = "policy_rendering"
    __table_args__ = (UniqueConstraint("version_id", "lang", "kind"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("policy_version.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="page")
    lang: Mapped[str] = mapped_column(String(5))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    gzip: Mapped[bytes] = mapped_column(LargeBinary)
    brotli: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))
    rendered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    version: Mapped[PolicyVersion] = relationship(back_populates="renderings")

    def __str__(self):
        return f"{self.kind} {self.lang} of version #{self.version_id}"


class ReviewRequest(db.Model):
    """An editor marks the draft ready for review; the next publication closes the request."""

    __tablename__ = "review_request"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site_settings.id", ondelete="RESTRICT"), index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str | None] = mapped_column(Text)
    # The publication that took the draft in, once there is one.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_version.id", ondelete="RESTRICT"))

    def __str__(self):
        return f"review requested by {self.requested_by} at {self.requested_at:%Y-%m-%d %H:%M}"


def _refuse_change(mapper, connection, target):
    raise ImmutableRecord(f"{target} is a published record: it is never changed or deleted.")


for _model in (PolicyVersion, PolicyRendering):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
