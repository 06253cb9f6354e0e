"""A plan written to the database: every accepted create and update, in one flush."""

from sqlalchemy import select

from ..kinds import KINDS, Purposes, Reference


def _named_kinds():
    """The kinds whose records other records name (by their natural key)."""
    return {f.value.kind for kind in KINDS.values() for f in kind.fields if isinstance(f.value, (Reference, Purposes))}


def _key(kind, obj):
    return tuple(getattr(obj, name) for name in kind.key)


def apply(session, changes):
    """Create and update the records of ``changes`` (Changes, in planning order) in ``session``
    and flush; the caller commits or rolls back. References are resolved by natural key,
    to the database's records or those created earlier in the plan."""
    registry = {
        name: {_key(KINDS[name], obj): obj for obj in session.scalars(select(KINDS[name].model))}
        for name in _named_kinds()
    }
    with session.no_autoflush:
        for change in changes:
            if change.action not in ("create", "update"):
                continue
            kind = KINDS[change.kind]
            if change.action == "create":
                obj = kind.model()
                values, restore = dict(change.values), change.restore
            else:
                obj = session.get(kind.model, change.target_id)
                values, restore = {name: new for name, _, new in change.fields}, {}
            for name, value in values.items():
                f = kind.field(name)
                if f is not None and isinstance(f.value, Reference):
                    value = registry[f.value.kind][(value,)]
                elif f is not None and isinstance(f.value, Purposes):
                    value = [registry[f.value.kind][(text,)] for text in value]
                setattr(obj, name, value)
            for name, value in restore.items():
                if value is not None:
                    setattr(obj, name, value)
            if change.action == "create":
                session.add(obj)
            if kind.name in registry:
                registry[kind.name][_key(kind, obj)] = obj
    session.flush()
