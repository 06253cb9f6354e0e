"""How long a cookie lives: either the browser session or an amount of a unit."""

import math
import re

from flask_babel import lazy_gettext as _l

from .language import force_language, ngettext
from .validation import InventoryError

SESSION = "session"
UNITS = ("session", "minutes", "hours", "days", "months", "years")

# Minutes per unit, with the calendar averages CNIL and browsers use
# (a month is a twelfth of 365.25 days).
_MINUTES = {
    "minutes": 1,
    "hours": 60,
    "days": 1440,
    "months": 1440 * 365.25 / 12,
    "years": 1440 * 365.25,
}

UNIT_LABELS = {
    "session": _l("Session (deleted when the browser closes)"),
    "minutes": _l("Minutes"),
    "hours": _l("Hours"),
    "days": _l("Days"),
    "months": _l("Months"),
    "years": _l("Years"),
}

MAX_AMOUNT = 1000


def check(unit, amount):
    """Validate a (unit, amount) pair; return it normalised."""
    if unit not in UNITS:
        raise InventoryError(_l("Choose a lifetime unit."), field="lifetime_unit")
    if unit == SESSION:
        return unit, None
    if amount is None or amount == "":
        raise InventoryError(
            _l("Enter how many %(unit)s the cookie lives.", unit=UNIT_LABELS[unit].lower()), field="lifetime_amount"
        )
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        raise InventoryError(_l("The lifetime must be a whole number."), field="lifetime_amount") from None
    if not 1 <= amount <= MAX_AMOUNT:
        raise InventoryError(_l("The lifetime must be between 1 and %(max)d.", max=MAX_AMOUNT), field="lifetime_amount")
    return unit, amount


def to_minutes(unit, amount):
    """Comparable length in minutes; None for a session cookie."""
    if unit == SESSION or amount is None:
        return None
    return round(_MINUTES[unit] * amount)


THIRTEEN_MONTHS = to_minutes("months", 13)


def describe(unit, amount):
    """Localised text such as "13 mois" / "13 months" for the current locale."""
    if unit == SESSION or amount is None:
        return str(_l("Session"))
    if unit == "minutes":
        return ngettext("%(num)s minute", "%(num)s minutes", amount)
    if unit == "hours":
        return ngettext("%(num)s hour", "%(num)s hours", amount)
    if unit == "days":
        return ngettext("%(num)s day", "%(num)s days", amount)
    if unit == "months":
        return ngettext("%(num)s month", "%(num)s months", amount)
    return ngettext("%(num)s year", "%(num)s years", amount)


class Descriptions:
    """``describe`` in a given language, worked out once per (unit, amount, language): an
    export or a policy of thousands of cookies has only a few distinct lifetimes."""

    def __init__(self):
        self._texts = {}

    def __call__(self, unit, amount, lang):
        key = (unit, amount, lang)
        if key not in self._texts:
            with force_language(lang):
                self._texts[key] = str(describe(unit, amount))
        return self._texts[key]


# --- Free-text durations ("2 years", "Session", "13 mois") from imported lists -------------------

# Words for "deleted when the browser closes", in English and French, lowercased.
_SESSION_WORDS = {
    "session",
    "sessions",
    "session cookie",
    "end of session",
    "end of session (browser)",
    "browser session",
    "until the browser is closed",
    "fin de session",
    "fin de la session",
}

# Words for "no end": the model has no such lifetime, so these are refused with a clear reason.
_NO_END_WORDS = {
    "persistent",
    "permanent",
    "forever",
    "unlimited",
    "no expiration",
    "never",
    "never expires",
    "persistant",
    "illimité",
    "illimitée",
}

# Spelling -> (unit, multiplier). Seconds become minutes rounded up and weeks become days,
# so the declared lifetime is never shorter than the real one.
_UNIT_WORDS = {}
for _words, _unit, _factor in (
    (("s", "sec", "secs", "second", "seconds", "seconde", "secondes"), "seconds", 1),
    (("min", "mins", "minute", "minutes"), "minutes", 1),
    (("h", "hr", "hrs", "hour", "hours", "heure", "heures"), "hours", 1),
    (("d", "day", "days", "jour", "jours", "j"), "days", 1),
    (("w", "wk", "wks", "week", "weeks", "semaine", "semaines"), "days", 7),
    (("mo", "month", "months", "mois"), "months", 1),
    (("y", "yr", "yrs", "year", "years", "an", "ans", "année", "années", "annee", "annees"), "years", 1),
):
    for _word in _words:
        _UNIT_WORDS[_word] = (_unit, _factor)

_AFTER_LAST_ACTIVITY = re.compile(r"\s+(after (the )?last (activity|visit)|après la dernière visite)$")
_DURATION = re.compile(r"^(\d{1,9})\s*([^\W\d_]+)\.?$")

# When an amount exceeds MAX_AMOUNT, it moves to the next unit, rounded up: unit -> (next, per).
_LARGER = {"minutes": ("hours", 60), "hours": ("days", 24), "months": ("years", 12)}


def parse_duration(value):
    """(unit, amount) for a free-text duration such as "2 years", "Session" or "3 weeks".

    Raises InventoryError naming the text when it is not one plain duration (a range,
    a condition, "persistent", "unknown"…): such a lifetime needs a person's decision.
    """
    raw = "" if value is None else str(value)
    text = " ".join(raw.replace("\u200b", " ").split()).strip().lower().rstrip(".")
    if not text:
        raise InventoryError(_l("The lifetime is empty."), field="lifetime")
    if text in _SESSION_WORDS:
        return SESSION, None
    if text in _NO_END_WORDS:
        raise InventoryError(
            _l(
                "“%(text)s” has no fixed end: enter the longest time the cookie can live (for example 13 months).",
                text=raw.strip(),
            ),
            field="lifetime",
        )
    # "2 years after last activity": the usual renewed lifetime, counted from the last visit.
    text = _AFTER_LAST_ACTIVITY.sub("", text)
    match = _DURATION.match(text)
    unit_factor = _UNIT_WORDS.get(match.group(2)) if match else None
    if unit_factor is None:
        raise InventoryError(
            _l(
                "“%(text)s” is not a duration such as “2 years”, “13 months”, “30 minutes” or “session”.",
                text=raw.strip()[:80],
            ),
            field="lifetime",
        )
    unit, factor = unit_factor
    amount = int(match.group(1)) * factor
    if unit == "seconds":
        unit, amount = "minutes", -(-amount // 60)
    if unit == "days" and amount > MAX_AMOUNT:
        if amount % 365 == 0:
            unit, amount = "years", amount // 365
        else:
            unit, amount = "months", math.ceil(amount / (365.25 / 12))
    while unit in _LARGER and amount > MAX_AMOUNT:
        unit, per = _LARGER[unit]
        amount = -(-amount // per)
    if amount < 1:
        raise InventoryError(
            _l("“%(text)s” is not a lifetime: it must be at least one minute.", text=raw.strip()), field="lifetime"
        )
    return check(unit, amount)
