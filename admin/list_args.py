"""A list page's query arguments (filters, sort, search), written and read through the view's
public filter and column lists, so that no link depends on a filter's position."""

from dataclasses import dataclass

from flask import flash
from flask_babel import lazy_gettext as _l

# Each word of a search costs the database several LIKEs (six, and two subqueries, for the
# cookies): 999 words made a statement SQLite refused and PostgreSQL took seconds over.
SEARCH_MAX_WORDS = 10
SEARCH_MAX_CHARS = 200
SEARCH_LIMITED = _l(
    "The search is limited to %(words)d words and %(chars)d characters: only its beginning was used.",
    words=SEARCH_MAX_WORDS,
    chars=SEARCH_MAX_CHARS,
)
# The largest page number a list reads: its offset stays far within a 64-bit integer.
MAX_PAGE = 10**9
# What an id column holds (``Integer``: 32 bits on PostgreSQL): no record has an id beyond, and
# PostgreSQL refuses even to compare a larger number with one.
MAX_ID = 2**31 - 1


def stored_integer(value):
    """``value`` as an int when it is a whole number an id column could hold, else None."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if -MAX_ID - 1 <= number <= MAX_ID else None


def bounded_page(page):
    """A list's page number (0-based) within 0..MAX_PAGE."""
    return min(max(page or 0, 0), MAX_PAGE)


def limited_search(search):
    """(``search`` cut to SEARCH_MAX_CHARS characters and SEARCH_MAX_WORDS words, whether it
    was cut)."""
    if not search:
        return search, False
    words = search[:SEARCH_MAX_CHARS].split()
    limited = " ".join(words[:SEARCH_MAX_WORDS])
    return limited, len(search) > SEARCH_MAX_CHARS or len(words) > SEARCH_MAX_WORDS


def read_search(search):
    """The search a list page or its export uses: limited, with a message when it was cut."""
    limited, cut = limited_search(search)
    if cut:
        flash(str(SEARCH_LIMITED), "warning")
    return limited or None


def filter_arg(view, name, operation=None):
    """The query argument that applies ``view``'s filter called ``name`` (and, when several
    filters share that name, ``operation``), as the first active filter: ``flt0_<key>``."""
    for index, flt in enumerate(view.get_filters() or ()):
        if str(flt.name) == str(name) and (operation is None or str(flt.operation()) == str(operation)):
            return f"flt0_{view.get_filter_arg(index, flt)}"
    raise LookupError(f"The {view.endpoint} list has no filter {name!s}")


@dataclass
class ListArgs:
    sort_column: object
    sort_desc: bool
    search: str | None
    filters: list


def read_list_args(view, args):
    """The sort, search and filters that ``args`` (a list page's query string) ask of ``view``,
    as its ``get_list`` takes them."""
    filters_by_key = {view.get_filter_arg(i, flt): (i, flt) for i, flt in enumerate(view.get_filters() or ())}
    chosen = []
    for arg, value in args.items():
        position, _, key = arg[3:].partition("_")
        if not arg.startswith("flt") or key not in filters_by_key:
            continue
        index, flt = filters_by_key[key]
        if flt.validate(value):
            chosen.append((position, (index, str(flt.name), value)))
        else:
            flash(view.get_invalid_value_msg(value, flt), "error")
    chosen.sort(key=lambda item: item[0])

    sort_column = None
    columns = view.get_list_columns()
    sort = args.get("sort", None, type=int)
    if sort is not None and 0 <= sort < len(columns):
        sort_column = columns[sort][0]
    return ListArgs(
        sort_column=sort_column,
        sort_desc=bool(args.get("desc", None, type=int)),
        search=read_search(args.get("search", None)),
        filters=[flt for _, flt in chosen],
    )
