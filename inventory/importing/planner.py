"""Each Record planned against the database as it will be once the accepted rows are applied."""

from dataclasses import replace
from types import MappingProxyType

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import Cookie

from ..kinds import COOKIE, KINDS, Lifetime, Reference
from ..rows import cookie_rows
from . import references
from .coercion import display_key, plain_fields, read_lifetime, read_plain, read_restore
from .report import MISSING, Change, Problem

ORDER = tuple(KINDS)  # what a record names (category, provider, purposes) is planned first
_CHUNK = 500
NOTES_MAX = 4000  # the notes' rule (models/inventory.py): a Text column has no length


def natural_key(kind, values):
    """The tuple of ``kind``'s key fields in ``values`` (a missing one is None)."""
    return tuple(values.get(name) for name in kind.key)


class Planner:
    """Plans records against the database: ``changes`` is the list of ``Change`` in planning
    order; ``existing`` and ``planned`` map kind name -> natural key -> values (with ``id``)
    or the accepted Change; ``rejected`` maps kind name -> natural key -> Where."""

    def __init__(self, session, records):
        self.session = session
        self.changes = []
        self._position = {}  # (kind name, natural key) -> index in changes
        self.existing = {name: {} for name in KINDS}
        for kind in KINDS.values():
            if kind is not COOKIE:
                fields = plain_fields(kind)
                for obj in session.scalars(select(kind.model).order_by(kind.model.id)):
                    values = {name: getattr(obj, name) for name in fields} | {"id": obj.id}
                    self.existing[kind.name].setdefault(natural_key(kind, values), values)
        self.purpose_by_english = {}
        for (french,), values in self.existing["purpose"].items():
            if values["description_en"]:
                self.purpose_by_english.setdefault(values["description_en"], french)
        self.existing["cookie"] = self._existing_cookies(records)
        self.planned = {name: {} for name in KINDS}
        self.rejected = {name: {} for name in KINDS}
        self._notes = {}  # cookie key -> its notes before flags were added (rows for review)

    def _existing_cookies(self, records):
        """{(name, domain): stored values and id} of the database's cookies the file names."""
        names = sorted({str(rec.values.get("name") or "").strip() for rec in records if rec.kind == COOKIE.name} - {""})
        found = {}
        for start in range(0, len(names), _CHUNK):
            query = select(Cookie).where(Cookie.name.in_(names[start : start + _CHUNK]))
            for row in cookie_rows(query, self.session):
                row["purposes"] = sorted(fr for fr, _ in row["purposes"])
                found[natural_key(COOKIE, row)] = row
        return found

    # Shared steps ---------------------------------------------------------------------------

    def plan(self, rec):
        """The Change planned for one row (also appended to ``changes``)."""
        if rec.kind == COOKIE.name:
            return self._plan_cookie(rec)
        return self._plan_record(rec)

    def current(self, kind, key):
        """The values a record will have: this file's accepted row, else the database's."""
        planned = self.planned[kind].get(key)
        if planned is not None:
            return dict(planned.values) if planned.action == "create" else (self.existing[kind][key] | planned.values)
        return self.existing[kind].get(key)

    def change(self, kind_name, key, rec, values, *, implied=False, restore=None):
        """The create, update or unchanged Change of ``values`` against the database."""
        kind = KINDS[kind_name]
        existing = self.existing[kind_name].get(key)
        display = display_key(kind, values, str(rec.where.label))
        if existing is None:
            values = kind.defaults | values
            fields = [(name, None, value) for name, value in values.items()]
            action, target = "create", None
        else:
            fields = [
                (name, existing.get(name), value) for name, value in values.items() if existing.get(name) != value
            ]
            action, target, restore = ("update" if fields else "unchanged"), existing["id"], None
        return Change(
            kind_name,
            display,
            action,
            rec.where,
            fields=_in_order(kind, fields),
            implied=implied,
            natural_key=key,
            target_id=target,
            restore=MappingProxyType(dict(restore or {})),
        )

    def amend(self, planned, extra):
        """Replace an accepted create with one that also sets ``extra`` ({name: value})."""
        kind = KINDS[planned.kind]
        fields = [*planned.fields, *((name, None, value) for name, value in extra.items())]
        amended = replace(planned, fields=_in_order(kind, fields))
        self.changes[self._position[(planned.kind, planned.natural_key)]] = amended
        self.planned[planned.kind][planned.natural_key] = amended

    def accept(self, change):
        self._position[(change.kind, change.natural_key)] = len(self.changes)
        self.planned[change.kind][change.natural_key] = change
        self.changes.append(change)
        return change

    def reject(self, rec, values, problems, implied=False):
        kind = KINDS[rec.kind]
        change = Change(
            rec.kind,
            display_key(kind, values, str(rec.where.label)),
            "rejected",
            rec.where,
            problems=tuple(problems),
            implied=implied,
        )
        self.changes.append(change)
        return change

    # Settings, categories, providers, purposes ----------------------------------------------

    def _plan_record(self, rec):
        kind = KINDS[rec.kind]
        values, problems = read_plain(kind, rec, rec.values)
        problems = rec.problems + problems
        restore = read_restore(kind, rec, problems)
        key = natural_key(kind, values)
        if not problems and key in self.planned[kind.name]:
            first = self.planned[kind.name][key]
            column = rec.column(kind.key[0]) if kind.key else None
            problems.append(Problem(rec.where, _l("Duplicate of %(first)s.", first=first.where.label), column))
        if problems:
            if None not in key:
                self.rejected[kind.name][key] = rec.where
            return self.reject(rec, values, problems)
        return self.accept(self.change(kind.name, key, rec, values, restore=restore))

    # Cookies and what they name -------------------------------------------------------------

    def _plan_cookie(self, rec):
        change = self._plan_one_cookie(rec)
        for variant in rec.variants:
            # One more cookie of the same row (another domain of its cell): not a row of its own.
            other = replace(rec, values=rec.values | variant, variants=[], problems=list(rec.problems))
            self._plan_one_cookie(other, implied=True)
        return change

    def _plan_one_cookie(self, rec, implied=False):
        values, problems = read_plain(COOKIE, rec, rec.values)
        problems = rec.problems + problems
        restore = read_restore(COOKIE, rec, problems)
        implied_changes = []
        key = natural_key(COOKIE, {"domain": "", **values})
        exists = not problems and values.get("name") and key in self.existing["cookie"]
        flags = list(rec.flags)
        if not exists and rec.placeholders:
            # Placeholders stand in for what the row lacks, for a new cookie only.
            source = rec.placeholders | rec.values
            placeholder_values, placeholder_problems = read_plain(COOKIE, rec, rec.placeholders)
            values = placeholder_values | values
            problems += placeholder_problems
        else:
            source = rec.values
        if not exists:
            flags += rec.create_flags
        # Values used only when the cookie is new (Open Cookie Database texts and flags).
        extra, extra_problems = read_plain(COOKIE, rec, {} if exists else rec.create_only)
        problems += extra_problems
        values = extra | values
        if "name" in values and "*" in values["name"]:
            values["is_pattern"] = True
        if source is not rec.values:
            rec = replace(rec, values=source)
        for f in COOKIE.fields:
            if isinstance(f.value, Lifetime):
                read_lifetime(f, rec, values, problems)
        for f in COOKIE.fields:
            if isinstance(f.value, Reference) and f.name in rec.values:
                values[f.name] = references.RESOLVE[f.value.kind](self, rec, f, implied_changes, problems)
        purposes = rec.values.get("purposes", MISSING)
        if purposes is MISSING and not exists:
            purposes = rec.create_only.get("purposes", MISSING)
        if purposes is not MISSING:
            values["purposes"] = references.purposes(self, rec, purposes, implied_changes, problems)
        if not problems and not exists:
            for f in COOKIE.required_fields:
                if f.stored[0] not in values:
                    problems.append(Problem(rec.where, _l("This field is required."), rec.column(f.stored[0])))
        if not problems and key in self.planned["cookie"]:
            if rec.merge_duplicates:
                return self._merge(rec, key, values, implied_changes, flags, implied)
            first = self.planned["cookie"][key].where.label
            problems.append(
                Problem(
                    rec.where, _l("Duplicate of %(first)s (same name and domain).", first=first), rec.column("name")
                )
            )
        if problems:
            return self.reject(rec, values, problems, implied=implied)
        if flags and not exists:
            self._notes[key] = values.get("notes")
            values["notes"] = with_flags(values.get("notes"), flags)
        for change in implied_changes:
            self.accept(change)
        change = self.change("cookie", key, rec, values, implied=implied, restore=restore)
        return self.accept(replace(change, flags=tuple(flags)))

    def _merge(self, rec, key, values, implied_changes, flags, implied):
        """A row with the name and domain of an accepted one, imported for review: one cookie.
        A cookie this file creates also gets the row's purposes and, in its notes, what the
        row said (``merge_flag``); an existing cookie is left as the first row plans it."""
        first = self.planned["cookie"][key]
        if first.action == "create":
            purposes = list(first.values.get("purposes", ()))
            added = [text for text in values.get("purposes", ()) if text not in purposes]
            for change in implied_changes:
                if change.kind == "purpose" and change.natural_key[0] in added:
                    # Before the cookie, which names it (a plan is applied in order).
                    self._accept_before(first, change)
            first_flags = (*first.flags, *([rec.merge_flag] if rec.merge_flag is not None else ()))
            updates = {"purposes": sorted(purposes + added)}
            if first_flags:
                base = self._notes.setdefault(key, first.values.get("notes"))
                updates["notes"] = with_flags(base, first_flags)
            self._replace(first, updates, flags=first_flags)
        merged = _l("Same name and domain as %(first)s: merged into that cookie.", first=first.where.label)
        change = Change(
            "cookie",
            display_key(COOKIE, values, str(rec.where.label)),
            "unchanged",
            rec.where,
            implied=implied,
            natural_key=key,
            target_id=first.target_id,
            flags=(merged, *flags),
            merged_into=first.where,
        )
        self.changes.append(change)
        return change

    def _accept_before(self, planned, change):
        """Accept ``change`` at the place of the accepted ``planned``, which moves one on."""
        index = self._position[(planned.kind, planned.natural_key)]
        for name, position in self._position.items():
            if position >= index:
                self._position[name] = position + 1
        self.changes.insert(index, change)
        self._position[(change.kind, change.natural_key)] = index
        self.planned[change.kind][change.natural_key] = change

    def _replace(self, planned, updates, flags):
        """Replace an accepted create with one whose fields ``updates`` ({name: value}) set."""
        kind = KINDS[planned.kind]
        fields = [(name, old, new) for name, old, new in planned.fields if name not in updates]
        fields += [(name, None, value) for name, value in updates.items()]
        amended = replace(planned, fields=_in_order(kind, fields), flags=tuple(flags))
        self.changes[self._position[(planned.kind, planned.natural_key)]] = amended
        self.planned[planned.kind][planned.natural_key] = amended


def with_flags(notes, flags):
    """A new record's notes followed by what to check about it, within the notes' length."""
    lines = [str(notes)] if notes else []
    lines.append(str(_l("To check before showing it on the policy:")))
    lines += ["- " + str(flag) for flag in flags]
    text = "\n".join(lines)
    return text if len(text) <= NOTES_MAX else text[: NOTES_MAX - 1] + "…"


def _in_order(kind, fields):
    """(name, old, new) triples sorted in the kind's field order, as a tuple."""
    order = {name: index for index, name in enumerate(kind.stored_names)}
    return tuple(sorted(fields, key=lambda item: order.get(item[0], len(order))))
