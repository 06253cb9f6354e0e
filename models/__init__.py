"""Database models. ``db`` is the shared Flask-SQLAlchemy extension."""
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

from .inventory import (  # noqa: E402
    Category,
    Cookie,
    InventoryState,
    Provider,
    Purpose,
    SiteSettings,
    cookie_purposes,
)
from .user import Role, User, roles_users  # noqa: E402
from .history import ChangeSet, RecordChange  # noqa: E402
from .login_attempt import LoginAttempt  # noqa: E402

__all__ = [
    "db",
    "Category",
    "Cookie",
    "InventoryState",
    "LoginAttempt",
    "Provider",
    "Purpose",
    "SiteSettings",
    "cookie_purposes",
    "ChangeSet",
    "RecordChange",
    "Role",
    "User",
    "roles_users",
]
