"""Back-office accounts, used by Flask-Security."""

import uuid
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_security import RoleMixin, UserMixin
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .database import db
from .timestamps import utcnow

# Highest first: a publisher edits the draft like an editor, and publishes it.
ROLE_NAMES = ("admin", "publisher", "editor", "viewer")
ROLE_LABELS = {
    "admin": _l("Administrator"),
    "publisher": _l("Publisher"),
    "editor": _l("Editor"),
    "viewer": _l("Viewer"),
}

roles_users = Table(
    "roles_users",
    db.metadata,
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", Integer, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
)


class Role(db.Model, RoleMixin):
    __tablename__ = "role"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(String(255))

    def __str__(self):
        return str(ROLE_LABELS.get(self.name, self.name))


class User(db.Model, UserMixin):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Changing it logs the account out everywhere (Flask-Security keys sessions on it).
    fs_uniquifier: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: uuid.uuid4().hex)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    current_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_ip: Mapped[str | None] = mapped_column(String(64))
    current_login_ip: Mapped[str | None] = mapped_column(String(64))
    login_count: Mapped[int | None] = mapped_column(Integer)
    # Two-factor authentication (used by Flask-Security's TOTP support).
    tf_primary_method: Mapped[str | None] = mapped_column(String(64))
    tf_totp_secret: Mapped[str | None] = mapped_column(String(255))
    tf_phone_number: Mapped[str | None] = mapped_column(String(128))
    create_datetime: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    update_datetime: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    roles = relationship("Role", secondary=roles_users, backref="users", lazy="selectin")

    @property
    def role_name(self):
        """The user's highest role, or None."""
        names = {r.name for r in self.roles}
        return next((name for name in ROLE_NAMES if name in names), None)

    def __str__(self):
        return self.email
