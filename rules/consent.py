"""How long a visitor's choice about cookies is kept before they are asked again. The CNIL
recommends six months for a consent or a refusal (guidelines of 17 September 2020, §3) and
caps trackers' lifetimes at 13 months; the site settings say how many months, the policy
states it, and the consent-manager configurations keep the choice that long."""

CONSENT_MONTHS = 6
MAX_CONSENT_MONTHS = 13


def consent_months(publisher):
    """The months a published version's publisher says (versions published before the setting
    existed said six, in their text)."""
    return (publisher or {}).get("consent_months") or CONSENT_MONTHS


def consent_days(publisher):
    """The same as the whole days the consent managers count: 6 months = 182 days."""
    return consent_months(publisher) * 365 // 12
