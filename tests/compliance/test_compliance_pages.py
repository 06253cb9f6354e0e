"""Where the compliance findings show: the Compliance page (counts, filter, links), the top of
a record's form, a badge in the lists, the overview; errors block publication until fixed or
waived by an administrator with a reason kept with the version. The sample policy passes."""

from sqlalchemy import select

from inventory.publication.versions import prepare
from models import PolicyVersion, Provider, db
from tests.helpers import flashes, fresh, html_of, make_cookie, visible_text


def _us_tracker():
    provider = Provider(name="Tracker Inc", country="US", role="controller")
    db.session.add(provider)
    db.session.commit()
    make_cookie(name="trk", domain="tracker.example", party="third", provider=provider)
    fresh()
    return fresh().scalars(select(Provider.id).where(Provider.name == "Tracker Inc")).one()


def test_the_sample_policy_passes_every_error_rule(app):
    findings = prepare(fresh()).findings
    assert [f.rule for f in findings if f.severity == "error"] == []


def test_the_compliance_page_counts_filters_and_links_to_the_record(app, viewer_client):
    provider_id = _us_tracker()
    page = viewer_client.get("/admin/compliance/")
    text = visible_text(page)
    assert "2 erreurs" in text  # no privacy link, no transfer safeguard
    assert "provider-privacy-link" in text and "transfer-safeguard" in text
    assert f"/admin/provider/edit/?id={provider_id}" in html_of(page)
    only = visible_text(viewer_client.get("/admin/compliance/?rule=transfer-safeguard"))
    assert "transfer-safeguard" in only and "provider-privacy-link —" not in only
    assert "RGPD, art. 44 à 49" in only


def test_a_record_s_form_and_list_show_its_findings(app, editor_client):
    provider_id = _us_tracker()
    form = visible_text(editor_client.get(f"/admin/provider/edit/?id={provider_id}"))
    assert "établi hors de l’Espace économique européen" in form
    listing = html_of(editor_client.get("/admin/provider/"))
    assert "compliance-badge" in listing
    overview = visible_text(editor_client.get("/admin/"))
    assert "Conformité : 2 erreurs" in overview


def test_an_error_blocks_publishing_until_an_administrator_waives_it_with_a_reason(app, publisher_client, admin_client):
    provider_id = _us_tracker()
    fresh()

    def publish(client, **extra):
        page = client.get("/admin/publication/")
        assert page.status_code == 200
        data = {"note_fr": "Nouveau traceur", "expected_current": "1", "csrf_token": client.csrf, **extra}
        return client.post("/admin/publication/publish", data=data)

    refused = publish(publisher_client)
    assert (
        refused.status_code == 422
        and fresh().scalar(select(PolicyVersion.number).order_by(PolicyVersion.number.desc())) == 1
    )
    key_privacy = f"provider-privacy-link:providers:{provider_id}"
    key_transfer = f"transfer-safeguard:providers:{provider_id}"
    # A publisher cannot waive; an administrator must give a reason for each.
    assert "waive" not in html_of(publisher_client.get("/admin/publication/"))
    assert (
        publish(
            publisher_client,
            waive=[key_privacy, key_transfer],
            **{f"reason:{key_privacy}": "x", f"reason:{key_transfer}": "x"},
        ).status_code
        == 422
    )
    no_reason = publish(
        admin_client, waive=[key_privacy, key_transfer], **{f"reason:{key_privacy}": "Lien en cours d’ajout"}
    )
    assert no_reason.status_code == 422
    done = publish(
        admin_client,
        waive=[key_privacy, key_transfer],
        **{
            f"reason:{key_privacy}": "Lien en cours d’ajout",
            f"reason:{key_transfer}": "Clauses types signées le 2 décembre",
        },
    )
    assert done.status_code == 302, flashes(done)
    version = fresh().scalars(select(PolicyVersion).order_by(PolicyVersion.number.desc())).first()
    assert version.number == 2
    reasons = {w["rule"]: w["reason"] for w in version.waivers if "reason" in w}
    assert reasons == {
        "provider-privacy-link": "Lien en cours d’ajout",
        "transfer-safeguard": "Clauses types signées le 2 décembre",
    }
    assert all(w["by"] == "admin@example.com" for w in version.waivers if "reason" in w)
    # Shown in the back office, never on the public page.
    assert "Clauses types signées le 2 décembre" in visible_text(admin_client.get("/admin/publication/"))
    assert "Clauses types" not in admin_client.get("/fr/cookies").get_data(as_text=True)
