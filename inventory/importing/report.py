"""What an import reads and what it plans: rows, their place in the file, problems, changes."""

from collections import Counter
from dataclasses import dataclass, field
from types import MappingProxyType

from flask_babel import lazy_gettext as _l

from ..kinds import KINDS

ACTIONS = ("create", "update", "unchanged", "rejected")
# What became of each row of the file (``ImportReport.outcomes``): created clean, created with
# flags for review, merged into an earlier row's record, updated, unchanged or rejected.
OUTCOMES = ("created", "flagged", "merged", "updated", "unchanged", "rejected")

# A value the source does not give (column absent): left as it is on update, default on create.
MISSING = type("Missing", (), {"__repr__": lambda self: "MISSING", "__bool__": lambda self: False})()
_EMPTY = MappingProxyType({})

# A JSON "\ud800" or an XLSX "_xD800_" gives Python a lone surrogate: no UTF-8 encoder (the
# database's, the page's) accepts it, so such a text never goes further than a row's problem.
SURROGATE = _l("This text contains an invalid character (a lone UTF-16 surrogate); please retype it.")


class LongNumber:
    """A JSON integer with more digits than any field holds, kept as its text: Python would
    refuse to convert the longest ones (over 4,300 digits), and none fits a database column.
    Not a str, so that no text field takes it; ``str()`` gives its digits."""

    __slots__ = ("digits",)

    def __init__(self, digits):
        self.digits = digits

    def __str__(self):
        return self.digits

    def __repr__(self):
        return f"LongNumber({self.digits[:20]}…, {len(self.digits)} characters)"


def storable(text):
    """True when ``text`` can be written as UTF-8 (it holds no lone surrogate)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(text):
    """``text`` with any lone surrogate replaced, fit for a message or a page."""
    return text if storable(text) else text.encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True)
class Where:
    """A place in an imported file: a spreadsheet row (numbered as the spreadsheet shows it,
    header = 1), optionally in a sheet, or the n-th entry (1-based) of a JSON section."""

    file: str
    row: int | None = None
    sheet: str | None = None
    section: str | None = None

    @property
    def label(self):
        if self.section is not None:
            return _l("entry %(number)d of “%(section)s”", number=self.row, section=self.section)
        if self.sheet is not None:
            if self.row is None:
                return _l("sheet “%(sheet)s”", sheet=self.sheet)
            return _l("sheet “%(sheet)s”, row %(row)d", sheet=self.sheet, row=self.row)
        if self.row is not None:
            return _l("row %(row)d", row=self.row)
        return ""


@dataclass(frozen=True)
class Problem:
    """Why a row (or the whole file) is rejected: file, row, column and a message to act on."""

    where: Where
    message: object
    column: str | None = None

    def __str__(self):
        parts = [self.where.file or "-"]
        label = str(self.where.label)
        if label:
            parts.append(label)
        if self.column:
            parts.append(str(_l("column “%(column)s”", column=self.column)))
        return ", ".join(parts) + ": " + str(self.message)


@dataclass
class Record:
    """One row of a source, as a reader builds it: raw values keyed by stored name (see
    ``Kind.stored_names``; a cookie's ``purposes`` as (French, English or MISSING) pairs).

    ``columns`` names the source column of each field (for messages). ``create_only`` values
    are used when the row creates its object and ignored when it updates one (timestamps,
    the Open Cookie Database's texts); ``fill_empty`` values only fill a field that is empty
    in the database (``provider_privacy_policy_url``).

    Rows imported for review (the Open Cookie Database) may also carry: ``flags``, messages
    saying what to check, written into a new record's notes and shown in the report;
    ``placeholders``, raw values used only when the row creates its record, with their
    ``create_flags``; ``variants``, {name: value} overrides each giving one more record of the
    same row (one cookie per domain of a cell); ``merge_duplicates``: a row with the key of an
    earlier one is merged into it (``merge_flag`` then goes to the earlier record).
    """

    kind: str
    where: Where
    values: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    create_only: dict = field(default_factory=dict)
    fill_empty: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    # Open Cookie Database: purposes may match an existing purpose by its English text.
    match_purpose_by_english: bool = False
    flags: list = field(default_factory=list)
    placeholders: dict = field(default_factory=dict)
    create_flags: list = field(default_factory=list)
    variants: list = field(default_factory=list)
    merge_duplicates: bool = False
    merge_flag: object = None

    def column(self, name):
        return self.columns.get(name, name)


@dataclass(frozen=True)
class Change:
    """What the import does with one record: create, update, leave unchanged or reject.

    ``key`` is the record as people read it (“_ga” (example.com)); ``natural_key`` the tuple
    of its kind's key fields (``()`` for the settings). ``implied`` changes are not rows of
    the file: a provider or purpose created because a cookie row names it. ``fields`` holds
    (stored name, old value, new value) triples in the kind's field order, for create and
    update. For applying: ``target_id`` (update), ``values`` (create: every value the new
    record gets; update: those that change), derived from ``fields`` so that a plan holds
    each value once, and ``restore`` (timestamps, on creation). ``flags``: what to check
    about a row imported for review; ``merged_into``: where the row this one was merged into
    is (its action is then "unchanged": the earlier row's change carries the merge).
    """

    kind: str
    key: str
    action: str
    where: Where
    fields: tuple = ()
    problems: tuple = ()
    implied: bool = False
    natural_key: tuple = ()
    target_id: int | None = None
    restore: MappingProxyType = field(default_factory=lambda: _EMPTY)
    flags: tuple = ()
    merged_into: Where | None = None

    @property
    def outcome(self):
        """What became of the row: one of OUTCOMES."""
        if self.merged_into is not None:
            return "merged"
        if self.action == "create":
            return "flagged" if self.flags else "created"
        return {"update": "updated"}.get(self.action, self.action)

    @property
    def values(self):
        return MappingProxyType({name: new for name, _, new in self.fields})

    def describe(self):
        label = str(self.where.label)
        place = f" ({label})" if label else ""
        check = "" if not self.flags else " — to check: " + "; ".join(_short(str(flag), 200) for flag in self.flags)
        if self.merged_into is not None:
            return f"merge {self.kind} {self.key}{place} into {self.merged_into.label}{check}"
        if self.action == "rejected":
            return f"reject {self.kind} {self.key}{place}: " + "; ".join(
                str(p.message) if p.column is None else f"{p.column}: {p.message}" for p in self.problems
            )
        if self.action == "update":
            detail = ", ".join(f"{name} {_short(old)} → {_short(new)}" for name, old, new in self.fields)
            return f"update {self.kind} {self.key}{place}: {detail}{check}"
        return f"{self.action} {self.kind} {self.key}{place}{check}"


def _short(value, limit=60):
    if isinstance(value, (list, tuple)):
        value = " | ".join(map(str, value))
    text = "∅" if value is None or value == "" else str(value)
    text = text.replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class ImportReport:
    """The plan of an import (dry run) or its outcome.

    ``rows`` is the number of rows (or JSON entries) read from the file; every one of them has
    exactly one non-implied change, so the counts of ``counts(implied=False)`` add up to it.
    ``changes`` is the list of ``Change`` in planning order; ``problems`` are file-level:
    nothing could be planned (unreadable file, wrong format…) or the database refused it.
    """

    filename: str
    format: str | None = None
    rows: int = 0
    changes: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    dry_run: bool = True
    skip_invalid: bool = False
    applied: bool = False

    @property
    def rejected(self):
        return [change for change in self.changes if change.action == "rejected"]

    @property
    def ok(self):
        """True when the file and every row were accepted."""
        return not self.problems and not self.rejected

    @property
    def all_problems(self):
        return self.problems + [problem for change in self.rejected for problem in change.problems]

    def counts(self, kind=None, implied=None):
        """{action: how many changes} for every action of ACTIONS, optionally of one kind."""
        counter = Counter(dict.fromkeys(ACTIONS, 0))
        for change in self.changes:
            if kind is not None and change.kind != kind:
                continue
            if implied is not None and change.implied != implied:
                continue
            counter[change.action] += 1
        return dict(counter)

    def outcomes(self):
        """{outcome: how many rows} for every outcome of OUTCOMES: what became of each row of
        the file (a record a row only implies, such as its provider, is not a row); the counts
        add up to ``rows`` once the file is planned."""
        counter = Counter(dict.fromkeys(OUTCOMES, 0))
        for change in self.changes:
            if not change.implied:
                counter[change.outcome] += 1
        return dict(counter)

    def summary(self):
        """Plain lines for a terminal: the outcome, counts per kind, then each change."""
        lines = []
        if self.problems:
            status = "refused"
        elif self.dry_run:
            status = "dry run, nothing written"
        elif self.applied:
            status = "applied" + (f", {len(self.rejected)} rejected rows skipped" if self.rejected else "")
        else:
            status = "refused, nothing written"
        lines.append(f"{self.filename} ({self.format or 'unknown format'}): {self.rows} rows, {status}.")
        for problem in self.problems:
            lines.append(f"  error: {problem}")
        for kind in KINDS:
            counts = self.counts(kind)
            if any(counts.values()):
                lines.append(f"  {kind}: " + ", ".join(f"{counts[action]} {action}" for action in ACTIONS))
        outcomes = self.outcomes()
        if outcomes["flagged"] or outcomes["merged"]:
            lines.append("  rows: " + ", ".join(f"{outcomes[outcome]} {outcome}" for outcome in OUTCOMES))
        for change in self.changes:
            if change.action != "unchanged" or change.merged_into is not None:
                lines.append("  " + change.describe())
        return lines
