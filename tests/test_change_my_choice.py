"""How visitors change their cookie choice, as the policy tells them (issue 13): a button where
the policy is embedded with the site's consent manager, a link to the site's settings page when
the settings give one, and never a promise of a control that is not there."""

from sqlalchemy import select

from models import SiteSettings, db
from tests.helpers import publish_draft, visible_text

NO_PROMISE = "Cookie settings”"


def settings(**values):
    row = db.session.scalars(select(SiteSettings)).one()
    for name, value in values.items():
        setattr(row, name, value)
    db.session.commit()


def test_with_nothing_set_the_policy_promises_no_control_it_does_not_have(client):
    for lang in ("fr", "en"):
        page = client.get(f"/{lang}/cookies").get_data(as_text=True)
        assert "Paramètres des cookies" not in page and NO_PROMISE not in page
        assert "data-consent-manager" not in page
    assert "delete the cookies of Datajoule in your browser" in visible_text(client.get("/en/cookies"))
    assert "supprimez les cookies de Datajoule dans votre navigateur" in visible_text(client.get("/fr/cookies"))


def test_the_policy_links_to_the_sites_settings_page_once_published(client):
    settings(consent_settings_url="https://app.datajoule.fr/cookies/settings")
    assert "cookies/settings" not in client.get("/fr/cookies").get_data(as_text=True)  # the draft only
    publish_draft()
    page = client.get("/fr/cookies").get_data(as_text=True)
    assert (
        '<a href="https://app.datajoule.fr/cookies/settings" rel="noopener noreferrer">ouvrir les paramètres cookies de Datajoule</a>'
        in page
    )


def test_the_button_is_only_where_the_policy_is_embedded_with_the_sites_consent_manager(client):
    settings(consent_manager="klaro")
    publish_draft()
    assert "data-consent-manager" not in client.get("/en/cookies").get_data(as_text=True)
    fragment = client.get("/embed/en/policy.html").get_data(as_text=True)
    assert (
        '<button type="button" class="change-choice" data-consent-manager="klaro">Change my cookie choices</button>'
        in fragment
    )


def test_the_settings_offer_the_supported_consent_managers_and_refuse_others(editor_client):
    import pytest

    from rules.validation import InventoryError

    row = db.session.scalars(select(SiteSettings)).one()
    page = editor_client.get(f"/admin/settings/edit/?id={row.id}").get_data(as_text=True)
    assert "Gestionnaire de consentement" in page and "Klaro (klaro.show())" in page
    with pytest.raises(InventoryError):
        row.consent_manager = "evil"
    db.session.rollback()


def test_the_settings_form_refuses_a_consent_duration_out_of_bounds_and_keeps_the_old_one(editor_client):
    from models import SiteSettings
    from tests.forms import form_fields
    from tests.helpers import fresh, html_of

    row = db.session.scalars(select(SiteSettings)).one()
    url = f"/admin/settings/edit/?id={row.id}"
    data = form_fields(editor_client.get(url).get_data(as_text=True))
    assert data["consent_months"] == "6"
    for bad in ("14", "0"):
        response = editor_client.post(url, data={**data, "consent_months": bad})
        assert response.status_code == 200
        assert "Écrivez un nombre de 1 à 13." in html_of(response)
    assert fresh().scalars(select(SiteSettings)).one().consent_months == 6
    response = editor_client.post(url, data={**data, "consent_months": "12"})
    assert response.status_code == 302
    assert fresh().scalars(select(SiteSettings)).one().consent_months == 12


def test_the_policy_says_where_the_banner_settings_are_in_the_site_owner_s_words(client):
    settings(
        consent_settings_where_fr="le lien « Cookies » en bas de chaque page",
        consent_settings_where_en="the “Cookies” link at the bottom of every page",
    )
    publish_draft()
    french = visible_text(client.get("/fr/cookies")).replace("\u00a0", " ").replace("\u202f", " ")
    assert "aussi simplement que vous l’avez donné : le lien « Cookies » en bas de chaque page." in french
    assert "supprimez les cookies de Datajoule" not in french
    english = visible_text(client.get("/en/cookies"))
    assert "as easy as giving consent: the “Cookies” link at the bottom of every page." in english


def test_the_words_shown_on_the_english_page_without_english_are_marked_french(client):
    settings(consent_settings_where_fr="le lien « Cookies » en bas de chaque page")
    publish_draft()
    page = client.get("/en/cookies").get_data(as_text=True)
    assert '<span lang="fr">le lien «\u00a0Cookies\u00a0» en bas de chaque page</span>' in page


def test_a_link_to_the_settings_page_wins_over_the_words(client):
    settings(
        consent_settings_url="https://app.datajoule.fr/cookies/settings",
        consent_settings_where_fr="le lien « Cookies » en bas de chaque page",
    )
    publish_draft()
    page = client.get("/fr/cookies").get_data(as_text=True)
    assert 'href="https://app.datajoule.fr/cookies/settings"' in page and "en bas de chaque page" not in page


def test_the_words_without_english_block_publication_unless_published_in_french_only(app):
    from inventory.publication.versions import prepare
    from tests.helpers import fresh

    settings(consent_settings_where_fr="le lien « Cookies » en bas de chaque page")
    findings = [f for f in prepare(fresh()).findings if f.rule == "missing-english" and f.section == "publisher"]
    assert len(findings) == 1 and findings[0].waivable


def test_a_publisher_publishes_the_words_in_french_only_from_the_publication_page(publisher_client):
    import re

    from models import PolicyVersion
    from tests.helpers import count, html_of

    settings(consent_settings_where_fr="le lien « Cookies » en bas de chaque page")
    page = html_of(publisher_client.get("/admin/publication/"))
    value = re.search(r'name="french_only" value="(publisher:[^"]*)"', page).group(1)
    data = {"csrf_token": publisher_client.csrf, "expected_current": "1", "note_fr": "Réglages", "french_only": [value]}
    assert publisher_client.post("/admin/publication/publish", data=data).status_code == 302
    assert count(PolicyVersion) == 2
    assert "en bas de chaque page" in visible_text(publisher_client.get("/en/cookies"))
