"""Every user-facing string exists in French and English, and the committed .mo files match."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import i18n  # noqa: E402


def test_catalogs_complete_and_compiled():
    assert i18n.problems() == []


def test_every_source_string_is_in_both_catalogs():
    source = {m.id if isinstance(m.id, str) else tuple(m.id) for m in i18n.extract() if m.id}
    for lang in i18n.LANGUAGES:
        catalog = {m.id if isinstance(m.id, str) else tuple(m.id) for m in i18n.load(lang, "messages") if m.id}
        missing = sorted(map(str, source - catalog))
        assert not missing, f"{lang}: strings not in the catalog (run `make translations`): {missing[:10]}"


def test_french_plural_forms_cover_large_numbers(app):
    from rules.language import force_language, ngettext
    from rules.typography import NNBSP

    with app.test_request_context(), force_language("fr"):
        assert ngettext("%(num)s month", "%(num)s months", 1) == "1 mois"
        assert ngettext("%(num)s year", "%(num)s years", 2) == "2 ans"
        assert ngettext("%(num)s day", "%(num)s days", 1000000) == f"1{NNBSP}000{NNBSP}000 jours"


def test_the_french_catalog_follows_french_typography():
    """No-break spaces before ; : ! ? and inside « », typographic apostrophes (rules/typography.py)."""
    from rules.typography import french

    for domain in i18n.DOMAINS:
        for message in i18n.load("fr", domain):
            if not message.id:
                continue  # the catalog's header
            for text in message.string if isinstance(message.string, tuple) else (message.string,):
                assert text == french(text), f"{domain}: {text!r} should read {french(text)!r}"
