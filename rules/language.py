"""The one FR/EN rule: French is the policy's language of reference, English falls back to it."""

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
# The Babel locale each language is formatted in: the English texts spell British
# (personalisation, recognise), so dates and times read British too ("5 December 2026").
FORMAT_LOCALES = {"fr": "fr", "en": "en_GB"}


def in_language(lang, french, english):
    """(text, is_fallback) in ``lang``: English falls back to the French text, and says so."""
    if lang == "en":
        if english:
            return english, False
        return french, True
    return french, False


# For code with no ``lang`` at hand (a model's ``__str__`` in a back-office form): the web
# layer installs the page language (app.py, from Flask-Babel); elsewhere it is French.
_page_language = None


def set_page_language_resolver(resolver):
    global _page_language
    _page_language = resolver


def page_language():
    lang = _page_language() if _page_language else None
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def in_page_language(french, english):
    return in_language(page_language(), french, english)


# Put before an English text standing in for a French one until someone translates it (the
# Open Cookie Database has no French): visible, searchable, never passed off as French.
UNTRANSLATED = "[EN] "


def force_language(lang):
    """Flask-Babel's ``force_locale`` for one of our languages, formatted in its ``FORMAT_LOCALES``."""
    from flask_babel import force_locale

    return force_locale(FORMAT_LOCALES.get(lang, lang))


def ngettext(singular, plural, num, /, **variables):
    """Flask-Babel's ``ngettext`` with the count grouped the language's way (French 2 167, English
    2,167): the catalog's counts are ``%(num)s``, never ``%(num)d``."""
    from flask_babel import format_number, get_translations

    variables.setdefault("num", format_number(num))
    return get_translations().ungettext(singular, plural, num) % variables


def lazy_ngettext(singular, plural, num, /, **variables):
    """``ngettext`` in the language of the moment it is read, for texts built before a request."""
    from flask_babel import LazyString

    return LazyString(ngettext, singular, plural, num, **variables)


def count_ngettext(base):
    """The templates' ``ngettext`` (Jinja's ``base``) with its count grouped as ``ngettext`` does."""
    from flask_babel import format_number
    from jinja2 import pass_context

    @pass_context
    def grouped(context, singular, plural, count, /, **variables):
        variables.setdefault("num", format_number(count))
        return base(context, singular, plural, count, **variables)

    return grouped
