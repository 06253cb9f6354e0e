"""What a cookie row names: its category (must exist), its provider and its purposes (created
when unknown). Each resolver returns the value the cookie's change holds (the category's key,
the provider's name, the sorted French texts of the purposes), adds the provider and purpose
changes the row implies to ``implied`` and its problems to ``problems``."""

from flask_babel import lazy_gettext as _l

from rules.cells import cell_text
from rules.validation import InventoryError

from ..kinds import PROVIDER, PURPOSE
from .report import MISSING, Problem


def category(planner, rec, f, implied, problems):
    """The category's key, lowercased; it must exist or be accepted earlier in the file."""
    column = rec.column(f.name)
    key = cell_text(rec.values[f.name]).strip().lower()
    if (key,) in planner.rejected["category"]:
        where = planner.rejected["category"][(key,)].label
        problems.append(
            Problem(rec.where, _l("The category “%(key)s” is rejected (%(where)s).", key=key, where=where), column)
        )
    elif planner.current("category", (key,)) is None:
        choices = sorted({k for (k,) in planner.existing["category"]} | {k for (k,) in planner.planned["category"]})
        if choices:
            message = _l(
                "Unknown category “%(key)s”: use one of %(choices)s.", key=key[:40], choices=", ".join(choices)
            )
        else:
            message = _l(
                "Unknown category “%(key)s”: no category exists yet. Create the categories first "
                "(“flask seed” adds the four standard ones).",
                key=key[:40],
            )
        problems.append(Problem(rec.where, message, column))
    return key


def provider(planner, rec, f, implied, problems):
    """The provider's name; an unknown provider is created, and a privacy policy address the
    row brings (``fill_empty``) fills a provider's empty one."""
    column = rec.column(f.name)
    try:
        name = PROVIDER.field("name").read(PROVIDER.model, cell_text(rec.values[f.name]))
    except InventoryError as error:
        problems.append(Problem(rec.where, error.message, column))
        return None
    key = (name,)
    if key in planner.rejected["provider"]:
        where = planner.rejected["provider"][key].label
        problems.append(
            Problem(rec.where, _l("The provider “%(name)s” is rejected (%(where)s).", name=name, where=where), column)
        )
        return name
    url = rec.fill_empty.get(f"{f.name}_privacy_policy_url")
    current = planner.current("provider", key)
    pending = any(c.kind == "provider" and c.natural_key == key for c in implied)
    if current is None and not pending:
        values = {"name": name} | ({"privacy_policy_url": url} if url else {})
        implied.append(planner.change("provider", key, rec, values, implied=True))
    elif url and current is not None and not current.get("privacy_policy_url"):
        planned = planner.planned["provider"].get(key)
        if planned is not None and planned.implied and planned.action == "create":
            # Created by an earlier row without an address: this row brings one.
            planner.amend(planned, {"privacy_policy_url": url})
        elif planned is None:
            implied.append(planner.change("provider", key, rec, {"privacy_policy_url": url}, implied=True))
    return name


def purposes(planner, rec, pairs, implied, problems):
    """The sorted French texts of ``pairs`` ((French, English or MISSING)); an unknown purpose
    is created, and an English text updates a purpose without a row of its own in the file."""
    column_fr = rec.column("purposes")
    column_en = "purposes_en" if column_fr == "purposes_fr" else column_fr
    texts = []
    if not pairs:
        problems.append(Problem(rec.where, _l("A cookie needs at least one purpose."), column_fr))
        return texts
    for french, english in pairs:
        try:
            french = PURPOSE.field("description_fr").read(PURPOSE.model, french)
        except InventoryError as error:
            problems.append(Problem(rec.where, error.message, column_fr))
            continue
        if english is not MISSING:
            try:
                english = PURPOSE.field("description_en").read(PURPOSE.model, english)
            except InventoryError as error:
                problems.append(Problem(rec.where, error.message, column_en))
                continue
        if rec.match_purpose_by_english and english and planner.current("purpose", (french,)) is None:
            # An existing purpose with this English text, translated since or not: use it as it is.
            known = planner.purpose_by_english.get(english)
            if known is not None:
                french, english = known, MISSING
        key = (french,)
        if key in planner.rejected["purpose"]:
            where = planner.rejected["purpose"][key].label
            problems.append(Problem(rec.where, _l("This purpose is rejected (%(where)s).", where=where), column_fr))
            continue
        if french in texts:
            continue
        texts.append(french)
        _purpose(planner, rec, key, english, implied, problems, column_en)
    return sorted(texts)


def _purpose(planner, rec, key, english, implied, problems, column_en):
    current = planner.current("purpose", key)
    pending = next((c for c in implied if c.kind == "purpose" and c.natural_key == key), None)
    if pending is not None:
        if english is not MISSING and pending.values.get("description_en") != english:
            problems.append(
                Problem(rec.where, _l("This purpose is given twice with different English texts."), column_en)
            )
        return
    if current is None:
        values = {"description_fr": key[0], "description_en": None if english is MISSING else english}
        implied.append(planner.change("purpose", key, rec, values, implied=True))
    elif english is not MISSING and current.get("description_en") != english:
        planned = planner.planned["purpose"].get(key)
        if planned is not None and planned.implied:
            where = planned.where.label
            problems.append(
                Problem(
                    rec.where, _l("The English text of this purpose differs from %(where)s.", where=where), column_en
                )
            )
        elif planned is None:
            # A purpose with a row of its own (the XLSX Purposes sheet, JSON) keeps that row's texts.
            implied.append(planner.change("purpose", key, rec, {"description_en": english}, implied=True))


RESOLVE = {"category": category, "provider": provider}
