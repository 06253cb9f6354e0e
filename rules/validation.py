"""Field rules shared by the models, the back office forms and the importers.

Each rule takes a raw value and returns it normalised, or raises
InventoryError with a message the legal team can act on. The models apply
them through ``@validates`` (the last guard), and the admin forms run the same
rules so that the error shows next to the field.
"""

import re
import unicodedata
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l


class InventoryError(ValueError):
    """A value breaks an inventory rule; ``message`` is shown to the user."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)


# Control characters (category Cc) other than the ones multi-line text needs.
_ALLOWED_IN_MULTILINE = {"\n", "\t"}


# Bidirectional overrides and isolates: invisible, and they can reverse the text that follows.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _has_control_chars(value, multiline):
    for ch in value:
        if ch in _BIDI_CONTROLS:
            return True
        category = unicodedata.category(ch)
        if category == "Cc":
            if multiline and ch in _ALLOWED_IN_MULTILINE:
                continue
            return True
        if category == "Cs":  # a lone surrogate: UTF-8 (and so the database) cannot store it
            return True
    return False


def text(max_length, required=False, multiline=False):
    """A free text rule: trimmed, no control characters, bounded length."""

    def rule(value):
        if value is None:
            value = ""
        if not isinstance(value, str):
            value = str(value)
        if multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        value = value.strip()
        if _has_control_chars(value, multiline):
            raise InventoryError(_l("This text contains invisible control characters; please retype it."))
        if len(value) > max_length:
            raise InventoryError(
                _l("This text is too long (%(length)d characters, at most %(max)d).", length=len(value), max=max_length)
            )
        if required and not value:
            raise InventoryError(_l("This field is required."))
        return value if value or required else None

    return rule


def url(required=False):
    """An absolute http(s) address."""
    base = text(500, required=required)

    def rule(value):
        value = base(value)
        if not value:
            return value
        if any(ch.isspace() for ch in value):
            raise InventoryError(_l("A web address cannot contain spaces."))
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise InventoryError(_l("Enter a full web address starting with https:// or http://."))
        return value

    return rule


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(required=False):
    base = text(254, required=required)

    def rule(value):
        value = base(value)
        if value and not _EMAIL.match(value):
            raise InventoryError(_l("Enter a valid e-mail address, such as dpo@example.com."))
        return value

    return rule


_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def key(value):
    """A stable identifier such as ``statistics``: lowercase letters, digits, - and _."""
    value = text(40, required=True)(value).lower()
    if not _KEY.match(value):
        raise InventoryError(
            _l("Use lowercase letters, digits, '-' or '_', starting with a letter (for example: statistics).")
        )
    return value


_DOMAIN = re.compile(r"^\.?[\w-]+(\.[\w-]+)*$", re.UNICODE)


def domain(value):
    """A host name such as ``.example.com``; empty means the site's own domain."""
    value = (text(253)(value) or "").lower()
    if value and not _DOMAIN.match(value):
        raise InventoryError(_l("Enter a domain such as example.com or .example.com, without http:// or a path."))
    return value


# A cookie's Path attribute (RFC 6265 §4.1.1): starts with "/", no ";" nor space.
_PATH = re.compile(r"^/[^;\s]*$")


def cookie_path(value):
    """The path a cookie is set for, such as ``/`` (the whole site, the default) or ``/shop``."""
    value = text(255)(value) or "/"
    if not _PATH.match(value):
        raise InventoryError(
            _l("Enter a path starting with /, such as / for the whole site or /shop, without spaces or “;”.")
        )
    return value


def whole_number(minimum, maximum):
    """A whole number between ``minimum`` and ``maximum`` included."""

    def rule(value):
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(str(value).strip())
            except ValueError:
                raise InventoryError(_l("Write a whole number.")) from None
        if not minimum <= value <= maximum:
            raise InventoryError(
                _l("Write a number from %(minimum)d to %(maximum)d.", minimum=minimum, maximum=maximum)
            )
        return value

    return rule


_COUNTRY = re.compile(r"^[A-Z]{2}$")


def country(value):
    """An ISO 3166-1 alpha-2 code, such as FR; empty when unknown."""
    value = text(2)(value)
    if not value:
        return None
    value = value.upper()
    if not _COUNTRY.match(value):
        raise InventoryError(_l("Choose a country from the list."))
    return value


def optional_whole_number(minimum, maximum):
    """A whole number between ``minimum`` and ``maximum``, or None (not stated)."""
    number = whole_number(minimum, maximum)

    def rule(value):
        return None if value in (None, "") else number(value)

    return rule


def optional_choice(choices):
    """One of ``choices``, or "" (not stated); None and an empty cell are ""."""
    pick = one_of(choices)

    def rule(value):
        return "" if value in (None, "") else pick(value)

    return rule


def email_or_url(value):
    """An e-mail address (dpo@example.com) or a web address (a contact form)."""
    value = text(500)(value)
    if not value:
        return value
    if value.lower().startswith(("http://", "https://")):
        return url()(value)
    try:
        return email()(value)
    except InventoryError:
        raise InventoryError(
            _l("Enter an e-mail address, such as dpo@example.com, or the address of a contact form.")
        ) from None


def one_of(choices):
    def rule(value):
        if value not in choices:
            raise InventoryError(_l("Choose one of the proposed values."))
        return value

    return rule
