"""French typography: no-break spaces before ; : ! ? and inside « », typographic apostrophes.

Applied to catalog strings (tests/test_translations.py keeps the French catalog so) and, by
the same function, to editors' texts. It never touches what is not prose: a ":" inside a URL
or a time has no space before it, and an apostrophe is only changed between two letters.
"""

import re

NBSP = "\u00a0"  # before a colon, inside « »
NNBSP = "\u202f"  # before ; ! ?

_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_BEFORE_COLON = re.compile(r"(?:(?<=[^\W_])|(?<=[)»\]])|[ \u00a0\u202f]+)(?=:(?:\s|$))")
_BEFORE_OTHERS = re.compile(r"(?:(?<=[^\W_\d])|(?<=[)»\]])|[ \u00a0\u202f]+)(?=[;!?](?:\s|$|[»)]))")
_OPENING = re.compile(r"«[ \u00a0\u202f]*")
_CLOSING = re.compile(r"[ \u00a0\u202f]*»")


def french(text):
    if not text:
        return text
    text = _APOSTROPHE.sub("\u2019", text)
    text = _BEFORE_COLON.sub(NBSP, text)
    text = _BEFORE_OTHERS.sub(NNBSP, text)
    text = _OPENING.sub("«" + NBSP, text)
    return _CLOSING.sub(NBSP + "»", text)
