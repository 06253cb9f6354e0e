"""How long a visitor's choice about cookies is kept before they are asked again. The CNIL
recommends about six months for a consent or a refusal (guidelines of 17 September 2020, §3);
the policy text says so and the consent-manager configurations use the same figure."""

CONSENT_DAYS = 182
