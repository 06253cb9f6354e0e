"""Translation catalogs: extract, update, compile and check.

    python scripts/i18n.py update    # extract messages.pot, merge into fr/en .po (en filled from msgids)
    python scripts/i18n.py compile   # .po -> .mo
    python scripts/i18n.py check     # exit 1 on untranslated/fuzzy entries or .mo out of date

Run through `make translations`.
"""

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("fr", "en")
DOMAINS = ("messages", "admin")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "lazy_gettext": None,
    "_l": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
}


def extract():
    """The messages of our own sources, as a catalog."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog(project="cookie-charte", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _po_path(lang, domain):
    return TRANSLATIONS / lang / "LC_MESSAGES" / f"{domain}.po"


def load(lang, domain):
    with open(_po_path(lang, domain), "rb") as handle:
        return read_po(handle, locale=lang, domain=domain)


def save(catalog, lang, domain):
    catalog.fuzzy = False
    catalog.project = "cookie-charte"
    catalog.version = "1"
    catalog.copyright_holder = "cookie-charte contributors"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "cookie-charte contributors"
    catalog.language_team = "French" if lang == "fr" else "English"
    catalog.revision_date = catalog.creation_date
    path = _po_path(lang, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True, sort_output=True, width=100)


def update():
    template = extract()
    with open(TRANSLATIONS / "messages.pot", "wb") as handle:
        write_po(handle, template, no_location=True, sort_output=True, omit_header=True, width=100)
    for lang in LANGUAGES:
        path = _po_path(lang, "messages")
        if path.exists():
            catalog = load(lang, "messages")
        else:
            catalog = Catalog(locale=lang, domain="messages", project="cookie-charte", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if lang == "en":
            for message in catalog:
                if message.id and not _translated(message):
                    message.string = message.id if isinstance(message.id, str) else tuple(message.id)
        _fill_plural_forms(catalog)
        save(catalog, lang, "messages")
    report = problems()
    for line in report:
        print(line)
    return 1 if report else 0


def _fill_plural_forms(catalog):
    """CLDR gives French three plural forms (one, many, other): "many" reads like "other"."""
    for message in catalog:
        if not isinstance(message.string, (tuple, list)):
            continue
        forms = [form for form in message.string if form]
        if len(forms) >= 2:
            forms = forms[: catalog.num_plurals]
            forms += [forms[-1]] * (catalog.num_plurals - len(forms))
            message.string = tuple(forms)


def _translated(message):
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


def problems():
    """Untranslated or fuzzy entries, and .mo files that differ from their .po."""
    found = []
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        lang, domain = po_path.parts[-3], po_path.stem
        catalog = load(lang, domain)
        for message in catalog:
            if not message.id:
                continue
            if message.fuzzy:
                found.append(f"{po_path.relative_to(ROOT)}: fuzzy: {message.id!r}")
            elif not _translated(message):
                found.append(f"{po_path.relative_to(ROOT)}: untranslated: {message.id!r}")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            found.append(f"{mo_path.relative_to(ROOT)}: missing (run make translations)")
            continue
        with open(mo_path, "rb") as handle:
            compiled = read_mo(handle)
        if _entries(compiled) != _entries(catalog):
            found.append(f"{mo_path.relative_to(ROOT)}: out of date with its .po (run make translations)")
    return found


def _entries(catalog):
    return {
        (m.id if isinstance(m.id, str) else tuple(m.id)): (m.string if isinstance(m.string, str) else tuple(m.string))
        for m in catalog
        if m.id and not m.fuzzy
    }


def compile_all():
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        catalog = load(po_path.parts[-3], po_path.stem)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.read_bytes() != buffer.getvalue():
            mo_path.write_bytes(buffer.getvalue())
            print(f"compiled {mo_path.relative_to(ROOT)}")
    return 0


def check():
    report = problems()
    for line in report:
        print(line)
    return 1 if report else 0


if __name__ == "__main__":
    commands = {"update": update, "compile": compile_all, "check": check}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    sys.exit(commands[sys.argv[1]]())
