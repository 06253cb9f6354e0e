"""A list page's query arguments (filters, sort, search), written and read through the view's
public filter and column lists, so that no link depends on a filter's position."""

from dataclasses import dataclass

from flask import flash


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
        search=args.get("search", None),
        filters=[flt for _, flt in chosen],
    )
