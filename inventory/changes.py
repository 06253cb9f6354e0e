"""The change pipeline: what every save of the inventory does, in this order.

Before each flush of ``db.session``:
  1. check: each cookie's invariants (``Cookie.prepare_for_save``); a refusal stops the flush;
  2. history: the stored state of the records about to change (inventory/history.py).
After the flush, in the same transaction:
  3. history: one RecordChange per record that changed;
  4. revision: ``InventoryState`` moves on, once per flush that changed the inventory.
After the commit:
  5. ``inventory_changed`` is sent, with the application as sender; the public pages
     (charte/cache.py) subscribe to it. Nothing is sent for a rollback.

The listeners are bound to ``db.session``, this application's sessions; a session made by
hand on an engine (``Session(engine)``) goes through none of this.
"""

from blinker import Namespace
from flask import current_app
from sqlalchemy import event

from models import Cookie, InventoryState, db

from . import history
from .kinds import kind_of

inventory_changed = Namespace().signal("inventory-changed")

# Kept in session.info between the steps of one transaction.
_PENDING_HISTORY = "inventory_history_pending"
_BUMP_DUE = "inventory_bump_due"
_SIGNAL_DUE = "inventory_signal_due"


def init_app(app):
    """Bind the pipeline to ``db.session`` (once per process: every app shares ``db``)."""
    app.extensions["inventory_changes"] = inventory_changed
    if not event.contains(db.session, "before_flush", _before_flush):
        event.listen(db.session, "before_flush", _before_flush)
        event.listen(db.session, "after_flush", _after_flush)
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_soft_rollback", _after_rollback)
        event.listen(db.session, "after_transaction_end", _after_transaction_end)


def _is_change(session, obj):
    return obj in session.new or obj in session.deleted or session.is_modified(obj)


def _before_flush(session, flush_context, instances):
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Cookie) and _is_change(session, obj):
            obj.prepare_for_save(updating=obj not in session.new)
    session.info.setdefault(_PENDING_HISTORY, []).extend(history.capture(session))
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(kind_of(obj) and _is_change(session, obj) for obj in touched):
        session.info[_BUMP_DUE] = session.info[_SIGNAL_DUE] = True
    elif any(isinstance(obj, InventoryState) for obj in touched):
        # The state edited by hand (tests, repairs): no new revision, but the pages must know.
        session.info[_SIGNAL_DUE] = True


def _after_flush(session, flush_context):
    history.write(session, session.info.pop(_PENDING_HISTORY, []))
    if session.info.pop(_BUMP_DUE, False):
        InventoryState.bump(session.connection())


def _after_commit(session):
    if session.info.pop(_SIGNAL_DUE, False):
        inventory_changed.send(current_app._get_current_object())


def _after_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        for key in (_PENDING_HISTORY, _BUMP_DUE, _SIGNAL_DUE):
            session.info.pop(key, None)


def _after_transaction_end(session, transaction):
    if transaction.parent is None:
        history.end_transaction(session)
        session.info.pop(_PENDING_HISTORY, None)
