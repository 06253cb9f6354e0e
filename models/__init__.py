"""Database models: one module per aggregate. ``db`` is the shared Flask-SQLAlchemy object."""

from .database import Base, db, writes, writing  # noqa: F401
from .history import ChangeSet, RecordChange  # noqa: E402
from .inventory import (  # noqa: E402
    Category,
    Cookie,
    InventoryState,
    Provider,
    Purpose,
    SiteSettings,
    cookie_purposes,
)
from .login_attempt import LoginAttempt  # noqa: E402
from .publication import PolicyRendering, PolicyVersion, ReviewRequest  # noqa: E402
from .scan import Scan  # noqa: E402
from .user import Role, User, roles_users  # noqa: E402

__all__ = [
    "db",
    "writes",
    "writing",
    "Category",
    "Cookie",
    "InventoryState",
    "LoginAttempt",
    "PolicyRendering",
    "PolicyVersion",
    "ReviewRequest",
    "Scan",
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
