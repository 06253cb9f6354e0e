from datetime import UTC, datetime


def utcnow():
    """Naive UTC, stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
