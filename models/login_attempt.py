"""Login attempts (passwords and two-factor codes), kept briefly to stop guessing across all workers."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .database import db
from .timestamps import utcnow


class LoginAttempt(db.Model):
    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "attempted_at"),
        Index("ix_login_attempt_addr_at", "remote_addr", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "password" (the login form) or "code" (the two-factor step).
    step: Mapped[str] = mapped_column(String(10), default="password", server_default="password")
    attempted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    email: Mapped[str] = mapped_column(String(255), default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    success: Mapped[bool] = mapped_column(Boolean, default=False)

    def __str__(self):
        outcome = "success" if self.success else "failure"
        return f"{self.email} from {self.remote_addr}: {outcome}"
