"""Change history: who changed which inventory record, when, from where, before and after.

One ``ChangeSet`` per database transaction that touched the inventory (a form
save, a bulk action, an import, a restore), holding one ``RecordChange`` per
record created, updated or deleted. Rows are only ever inserted.
"""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rules.language import in_page_language

from .database import db
from .timestamps import utcnow


class ChangeSet(db.Model):
    __tablename__ = "change_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # Kept as text so that the history still names the person after the account is removed.
    user_email: Mapped[str | None] = mapped_column(String(255))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20), default="admin")

    changes: Mapped[list["RecordChange"]] = relationship(
        back_populates="change_set", order_by="RecordChange.id", lazy="selectin"
    )

    def __str__(self):
        return f"#{self.id} {self.user_email or self.source} {self.created_at:%Y-%m-%d %H:%M}"


class RecordChange(db.Model):
    __tablename__ = "record_change"
    __table_args__ = (Index("ix_record_change_record", "model", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_set.id", ondelete="CASCADE"), index=True)
    model: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    change_set: Mapped[ChangeSet] = relationship(back_populates="changes", lazy="joined")

    @property
    def state(self):
        """The record as this change left it (for a deletion: as it was before)."""
        return self.before if self.action == "delete" else self.after

    @property
    def display_label(self):
        """The record's name in the language of the page: a category or purpose edited in
        French is named in English on the English history (its English text as the change
        left it, the French one when there is none); other records have one name."""
        field = _BILINGUAL_LABELS.get(self.model)
        if field:
            state = self.state or {}
            text, _ = in_page_language(state.get(f"{field}_fr"), state.get(f"{field}_en"))
            if text:
                return text
        return self.label

    def __str__(self):
        return f"{self.action} {self.model} #{self.record_id}"


# Records whose name has a French and an English version (``name_fr``/``name_en``...).
_BILINGUAL_LABELS = {"category": "name", "purpose": "description"}
