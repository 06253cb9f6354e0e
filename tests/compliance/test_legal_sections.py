"""The policy's legal sections, rendered from the data in both languages: the controller and
DPO, each provider's role, transfers outside the EU (only when there are any), the legal
basis per cookie and the data's retention per purpose, the visitor's rights, the complaint to
the CNIL at its complaint page."""

import re

import pytest

from models import Provider, SiteSettings, db
from tests.helpers import fresh, make_cookie, publish_draft, visible_text

TEXTS = {
    "fr": {
        "rights": "Vos droits",
        "post-mortem": "loi Informatique et Libertés, art. 85",
        "complaint": "Adresser une plainte à la CNIL",
        "basis": "Exempté de consentement : authentification",
        "security": "Exempté de consentement : sécurité",
        "retention": "12 mois",
        "role": "Son rôle : Sous-traitant agissant pour le site.",
        "dpo": "Notre délégué à la protection des données : dpo@example.com",
        "transfers": "Transferts hors de l’Union européenne",
        "dpf": "Cadre de protection des données UE–États-Unis",
    },
    "en": {
        "rights": "Your rights",
        "post-mortem": "loi Informatique et Libertés, art. 85",
        "complaint": "Lodge a complaint with the CNIL",
        "basis": "Exempt from consent: authentication",
        "security": "Exempt from consent: security",
        "retention": "12 months",
        "role": "Its role: Processor acting for the site.",
        "dpo": "Our data protection officer: dpo@example.com",
        "transfers": "Transfers outside the European Union",
        "dpf": "EU-US Data Privacy Framework",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_sample_policy_states_its_legal_facts(client, lang):
    page = client.get(f"/{lang}/cookies")
    text = visible_text(page).replace("\u00a0", " ").replace("\u202f", " ")
    words = TEXTS[lang]
    for key in ("rights", "post-mortem", "complaint", "basis", "security", "retention", "role", "dpo"):
        assert words[key].replace("\u00a0", " ") in text, key
    assert 'href="https://www.cnil.fr/fr/adresser-une-plainte"' in page.get_data(as_text=True)
    assert words["transfers"] not in text  # no provider outside the EEA


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_provider_outside_the_eea_brings_the_transfers_section(app, client, lang):
    provider = Provider(
        name="Tracker Inc",
        country="US",
        role="controller",
        transfer_safeguard="dpf",
        privacy_policy_url="https://t.example/privacy",
    )
    db.session.add(provider)
    db.session.commit()
    make_cookie(name="trk", domain="tracker.example", party="third", provider=provider)
    settings = SiteSettings.current(fresh())
    settings.complaint_url = "https://www.cnil.fr/fr/plaintes"
    db.session.commit()
    publish_draft()
    page = client.get(f"/{lang}/cookies")
    text = visible_text(page)
    assert TEXTS[lang]["transfers"] in text and TEXTS[lang]["dpf"] in text and "Tracker Inc" in text
    assert 'href="https://www.cnil.fr/fr/plaintes"' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "lang, basis",
    [("fr", "Exempté de consentement : sécurité"), ("en", "Exempt from consent: security")],  # spaces as read
)
def test_each_exempt_cookie_names_its_exemption_in_its_row(client, lang, basis):
    from tests.helpers import row_named

    assert row_named(client.get(f"/{lang}/cookies"), "csrftoken")["basis"] == basis


@pytest.mark.parametrize(
    "lang, line",
    [("fr", "Garder le panier d’une page à l’autre : 1 mois"), ("en", "Keep the basket between pages: 1 month")],
)
def test_a_purpose_typed_with_a_final_period_reads_well_in_the_retention_list(app, client, lang, line):
    from models import Purpose

    db.session.add(
        Purpose(
            description_fr="Garder le panier d'une page à l'autre.",
            description_en="Keep the basket between pages.",
            retention_months=1,
        )
    )
    db.session.commit()
    make_cookie(
        name="basket",
        purposes=[db.session.query(Purpose).filter_by(description_en="Keep the basket between pages.").one()],
    )
    publish_draft()
    html = client.get(f"/{lang}/cookies").get_data(as_text=True)
    retentions = re.search(r'<ul class="retentions">(.*?)</ul>', html, re.S).group(1)
    items = [visible_text(item).replace("\u00a0", " ") for item in re.findall(r"<li>(.*?)</li>", retentions, re.S)]
    assert line in items
