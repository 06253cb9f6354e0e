"""Country names from their ISO 3166-1 alpha-2 codes, in a Babel locale's language."""

# Babel's territories that are not countries a provider can be established in.
_NOT_COUNTRIES = {"ZZ", "EU", "EZ", "UN", "QO"}


def country_name(code, locale):
    if not code:
        return ""
    return locale.territories.get(code, code) if locale is not None else code


def country_codes(locale):
    """Every country code, sorted by its name in ``locale``."""
    territories = locale.territories
    codes = (code for code in territories if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES)
    return sorted(codes, key=lambda code: territories[code].casefold())
