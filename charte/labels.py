"""The policy's column names for the phone layout, where each cookie is a card: written once in
a small stylesheet instead of beside every cell of every row (a tenth of a large page)."""

from flask_babel import lazy_gettext as _l

from rules.language import force_language

COLUMN_LABELS = (
    ("td:nth-of-type(1)", _l("Provider")),
    ("td:nth-of-type(2)", _l("Service and location")),
    ("th", _l("Cookie name")),
    ("td:nth-of-type(3)", _l("Purposes")),
    ("td:nth-of-type(4)", _l("Lifetime")),
    ("td:nth-of-type(5)", _l("Set by")),
    ("td:nth-of-type(6)", _l("Type")),
)


def _css_string(text):
    """A CSS string that no text can break out of: anything but letters, digits and spaces escaped."""
    return '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in str(text)) + '"'


def labels_css(lang):
    with force_language(lang):
        rules = "\n".join(
            f"@media screen and (max-width: 46rem) {{ table.cookies tbody {cell}::before {{ content: {_css_string(label)}; }} }}"
            for cell, label in COLUMN_LABELS
        )
    return rules + "\n"
