"""The change history: who changed which inventory record, when, from where, before and after;
and restoring a record to one of its versions.

``capture`` and ``write`` are called by the change pipeline (inventory/changes.py) around each
flush, so every path that changes the inventory through the ORM is recorded: back-office forms,
bulk actions, imports, restores, the command line. One ChangeSet per database transaction.
"""

import contextvars
from contextlib import contextmanager
from datetime import datetime

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, insert, inspect, select

from models import Cookie, Purpose, cookie_purposes, db
from models.history import ChangeSet, RecordChange
from models.timestamps import utcnow
from rules.validation import InventoryError

from .kinds import KINDS, kind_of

# Bookkeeping columns: they change on every save and say nothing the history does not.
UNTRACKED = {"created_at", "updated_at", "lifetime_minutes"}

_context = contextvars.ContextVar("history_context", default=None)


@contextmanager
def recording(source, user=None):
    """Attribute the changes made inside the block to ``source`` (and ``user``, outside requests)."""
    token = _context.set({"source": source, "user": user})
    try:
        yield
    finally:
        _context.reset(token)


def _actor():
    context = _context.get() or {}
    user = context.get("user")
    remote_addr = None
    source = context.get("source")
    if has_request_context():
        from flask_security import current_user

        if user is None and current_user and current_user.is_authenticated:
            user = current_user
        remote_addr = request.remote_addr
        source = source or "admin"
    return {
        "user_id": getattr(user, "id", None),
        "user_email": getattr(user, "email", None),
        "remote_addr": remote_addr,
        "source": source or "cli",
        "created_at": utcnow(),
    }


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _tracked(mapper):
    return [attr for attr in mapper.column_attrs if attr.key not in UNTRACKED]


def snapshot(obj):
    """The record's fields, as the object holds them now, as a JSON-able dict."""
    data = {attr.key: _jsonable(getattr(obj, attr.key)) for attr in _tracked(inspect(obj).mapper)}
    if isinstance(obj, Cookie):
        data["purposes"] = sorted(p.id for p in obj.purposes if p.id is not None)
    return data


def _stored_snapshots(session, objects):
    """{object: the record as the database holds it before this flush}, in one SELECT per
    table (the ORM does not always know a value it never loaded)."""
    connection = session.connection()
    found = {}
    by_model = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    for model, group in by_model.items():
        mapper = inspect(model)
        table = mapper.local_table
        ids = {inspect(obj).identity[0]: obj for obj in group}
        rows = connection.execute(select(table).where(table.c.id.in_(list(ids)))).mappings()
        for row in rows:
            found[ids[row["id"]]] = {attr.key: _jsonable(row[attr.columns[0].name]) for attr in _tracked(mapper)}
        if model is Cookie and found:
            links = {}
            for cookie_id, purpose_id in connection.execute(
                select(cookie_purposes.c.cookie_id, cookie_purposes.c.purpose_id).where(
                    cookie_purposes.c.cookie_id.in_(list(ids))
                )
            ):
                links.setdefault(cookie_id, []).append(purpose_id)
            for ident, obj in ids.items():
                if obj in found:
                    found[obj]["purposes"] = sorted(links.get(ident, []))
    return found


def capture(session):
    """Before a flush: the inventory records it will create, update or delete, with their
    stored state. Returns [(object, action, before)] for ``write``."""
    created = [obj for obj in session.new if kind_of(obj)]
    updated = [obj for obj in session.dirty if kind_of(obj) and session.is_modified(obj, include_collections=True)]
    deleted = [obj for obj in session.deleted if kind_of(obj)]
    stored = _stored_snapshots(session, updated + deleted) if updated or deleted else {}
    return (
        [(obj, "create", None) for obj in created]
        + [(obj, "update", stored.get(obj)) for obj in updated]
        + [(obj, "delete", stored.get(obj)) for obj in deleted]
    )


def write(session, captured):
    """After a flush: one RecordChange per captured record that really changed, in the
    transaction's ChangeSet (created with the first of them)."""
    rows = []
    for obj, action, before in captured:
        after = None if action == "delete" else snapshot(obj)
        if action != "create" and before is None:
            continue
        if action == "update" and _same(before, after):
            continue
        rows.append(
            {
                "model": kind_of(obj).name,
                "record_id": (after or before)["id"],
                "action": action,
                "label": str(obj)[:300],
                "before": before,
                "after": after,
            }
        )
    if not rows:
        return
    connection = session.connection()
    change_set_id = session.info.get("change_set_id")
    if change_set_id is None:
        result = connection.execute(insert(ChangeSet.__table__).values(**_actor()))
        change_set_id = session.info["change_set_id"] = result.inserted_primary_key[0]
    for row in rows:
        row["change_set_id"] = change_set_id
    connection.execute(insert(RecordChange.__table__), rows)


def end_transaction(session):
    session.info.pop("change_set_id", None)


def _same(before, after):
    return {k: v for k, v in before.items() if k != "version"} == {k: v for k, v in after.items() if k != "version"}


def changed_fields(before, after):
    """Names of the fields that differ between two snapshots (either may be None)."""
    before, after = before or {}, after or {}
    keys = [k for k in (after or before) if k not in ("id", "version")]
    return [k for k in keys if before.get(k) != after.get(k)]


def record_lives(kind_name, record_id):
    """The records that have had this id, oldest first, each as its changes oldest first.

    An id alone does not name one record of the past: before AUTOINCREMENT (migration 0006)
    SQLite gave the id of the newest record deleted to the next one created. A creation
    starts another record, unless it is a restore bringing back the record just deleted."""
    changes = db.session.scalars(
        select(RecordChange)
        .where(RecordChange.model == kind_name, RecordChange.record_id == record_id)
        .order_by(RecordChange.id)
    ).all()
    lives = []
    for change in changes:
        if not lives or _starts_another_record(lives[-1][-1], change):
            lives.append([])
        lives[-1].append(change)
    return lives


def _starts_another_record(previous, change):
    if change.action != "create":
        return False
    return not (previous.action == "delete" and change.change_set.source == "restore")


def current_life(lives, live_row_exists):
    """Of ``record_lives``, the changes of the record that has the id now (or, when none has,
    of the last one that had it); [] when the row there now is none of them (made outside
    the history)."""
    if not lives:
        return []
    if live_row_exists and lives[-1][-1].action == "delete":
        return []
    return lives[-1]


def record_history(kind_name, record_id):
    """The changes of the record that has this id now (or of the last one that had it), newest first."""
    model = KINDS[kind_name].model
    life = current_life(record_lives(kind_name, record_id), db.session.get(model, record_id) is not None)
    return list(reversed(life))


def _column_value(model, key, value):
    column = model.__table__.columns.get(key)
    if value is not None and column is not None and isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    return value


def same_record_as_then(kind_name, record_id, change):
    """Whether the record with this id now is the one that had it when ``change`` was made
    (not another created since under the same id): it exists, and its history began no later
    than the transaction of ``change``, or before the history was kept."""
    if db.session.get(KINDS[kind_name].model, record_id) is None:
        return False
    life = current_life(record_lives(kind_name, record_id), True)
    if not life:
        # No history at all: the row predates it. History, but none for this row: made since.
        return not db.session.scalar(
            select(RecordChange.id).where(RecordChange.model == kind_name, RecordChange.record_id == record_id).limit(1)
        )
    first = life[0]
    return first.action != "create" or first.change_set_id <= change.change_set_id


def state_then(kind_name, record_id, change):
    """The record with this id as the history knew it when ``change`` was made (None when the
    history holds nothing of it by then)."""
    then = db.session.scalars(
        select(RecordChange)
        .where(
            RecordChange.model == kind_name,
            RecordChange.record_id == record_id,
            RecordChange.change_set_id <= change.change_set_id,
        )
        .order_by(RecordChange.id.desc())
        .limit(1)
    ).first()
    return then.state if then is not None else None


def restore(change):
    """Bring the record this change belongs to back to the state it describes.

    The record is told apart from others that had its id (``record_lives``): the live row is
    updated only when it is that record; a deleted record comes back under its id when no
    other record has had it since, else as a new record under a new id. A cookie's provider,
    category and purposes must be the very ones it had then, not others under the same ids.
    Raises InventoryError when that state cannot be restored as it was. The caller commits."""
    model = KINDS[change.model].model
    state = change.state
    if state is None:
        raise InventoryError(_l("This version holds no data to restore."))
    lives = record_lives(change.model, change.record_id)
    life = next(life for life in lives if any(c.id == change.id for c in life))
    live_row = db.session.get(model, change.record_id)
    latest, ended = life is lives[-1], life[-1].action == "delete"
    if latest and not ended and live_row is not None:
        obj, created = live_row, False
    elif latest and live_row is None:
        obj, created = model(id=change.record_id), True
    else:
        # Another record has the id now, or had it since: this one comes back beside it.
        obj, created = model(), True
    if model is Cookie:
        purpose_ids = state.get("purposes", [])
        missing = []
        for key, kind_name, label in (
            ("provider_id", "provider", _l("its provider")),
            ("category_id", "category", _l("its category")),
        ):
            if not same_record_as_then(kind_name, state[key], change):
                missing.append(str(label))
        if not all(same_record_as_then("purpose", ident, change) for ident in purpose_ids):
            missing.append(str(_l("some of its purposes")))
        if missing:
            raise InventoryError(
                _l(
                    "This version cannot be restored: %(what)s no longer exist(s). Restore them first.",
                    what=", ".join(missing),
                )
            )
        purposes = db.session.scalars(select(Purpose).where(Purpose.id.in_(purpose_ids))).all()
    for key, value in state.items():
        if key in ("id", "version", "purposes"):
            continue
        setattr(obj, key, _column_value(model, key, value))
    if model is Cookie:
        obj.purposes = purposes
    if created:
        db.session.add(obj)
    return obj
