"""Who may open and change the back office: anonymous visitors, viewers, editors, administrators."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from models import Category, Cookie, Provider, Purpose, Role, SiteSettings, User, db
from tests.conftest import PASSWORD, login
from tests.helpers import count, fresh, html_of, visible_text

VIEWS = {"cookie": Cookie, "provider": Provider, "purpose": Purpose, "category": Category, "settings": SiteSettings}


def first_id(model):
    return fresh().scalar(select(model.id).order_by(model.id).limit(1))


def admin_urls():
    """Every page of the back office, with a real record for edit and details."""
    urls = ["/admin/"]
    for endpoint, model in VIEWS.items():
        ident = first_id(model)
        urls += [
            f"/admin/{endpoint}/",
            f"/admin/{endpoint}/new/",
            f"/admin/{endpoint}/edit/?id={ident}",
            f"/admin/{endpoint}/details/?id={ident}",
        ]
    return urls


def snapshot():
    """What the inventory holds, to prove that a refused request changed nothing."""
    session = fresh()
    return {
        "cookies": sorted((c.name, c.service_fr, c.lifetime_amount) for c in session.scalars(select(Cookie))),
        "providers": sorted(p.name for p in session.scalars(select(Provider))),
        "purposes": sorted(p.description_fr for p in session.scalars(select(Purpose))),
        "categories": sorted((c.key, c.name_fr) for c in session.scalars(select(Category))),
        "settings": sorted(s.site_name for s in session.scalars(select(SiteSettings))),
    }


# --- Anonymous visitors ------------------------------------------------------------------------


def test_every_admin_page_sends_anonymous_visitors_to_the_login_page(app, client):
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        location = urlsplit(response.headers["Location"])
        assert location.path == "/account/login", url
        assert parse_qs(location.query)["next"] == [url], url


def test_admin_without_trailing_slash_also_requires_login(client):
    response = client.get("/admin", follow_redirects=True)
    assert response.request.path == "/account/login"


def test_anonymous_posts_change_nothing(app, client):
    before = snapshot()
    cookie_id, purpose_id = first_id(Cookie), first_id(Purpose)
    for url, data in [
        ("/admin/purpose/new/", {"description_fr": "Anonyme"}),
        (f"/admin/purpose/edit/?id={purpose_id}", {"description_fr": "Anonyme"}),
        ("/admin/cookie/delete/", {"id": cookie_id}),
        ("/admin/cookie/action/", {"action": "delete", "rowid": cookie_id}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code in (302, 400, 403), url
    assert snapshot() == before


def test_the_login_page_then_sends_the_user_where_they_were_going(app):
    client = app.test_client()
    response = client.get("/admin/provider/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    from tests.conftest import csrf_token_from

    token = csrf_token_from(html_of(page))
    response = client.post(
        response.headers["Location"],
        data={"email": "viewer@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/provider/")


def test_a_wrong_password_does_not_log_in(app):
    client = app.test_client()
    response = login(client, "editor@example.com", "not the password at all")
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


# --- Viewers read --------------------------------------------------------------------------


def test_a_viewer_can_read_every_list_and_record(app, viewer_client):
    for url in admin_urls():
        if "/new/" in url or "/edit/" in url:
            continue
        response = viewer_client.get(url)
        assert response.status_code == 200, url
    assert "sessionid" in visible_text(viewer_client.get("/admin/cookie/"))


def test_a_viewer_is_not_offered_create_edit_or_delete(app, viewer_client):
    html = html_of(viewer_client.get("/admin/cookie/"))
    assert "/admin/cookie/new/" not in html
    assert "/admin/cookie/edit/" not in html
    assert "/admin/cookie/delete/" not in html


def test_an_editor_is_offered_create_edit_and_delete(app, editor_client):
    html = html_of(editor_client.get("/admin/cookie/"))
    assert "/admin/cookie/new/" in html
    assert "/admin/cookie/edit/" in html
    assert "/admin/cookie/delete/" in html


@pytest.mark.parametrize("endpoint", sorted(VIEWS))
def test_a_viewer_cannot_open_the_create_and_edit_forms(app, viewer_client, endpoint):
    for url in (f"/admin/{endpoint}/new/", f"/admin/{endpoint}/edit/?id={first_id(VIEWS[endpoint])}"):
        response = viewer_client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert urlsplit(response.headers["Location"]).path == f"/admin/{endpoint}/", url


def test_a_viewer_cannot_create_edit_or_delete(app, viewer_client):
    before = snapshot()
    token = viewer_client.csrf
    cookie_id, purpose_id, provider_id = first_id(Cookie), first_id(Purpose), first_id(Provider)
    requests = [
        ("/admin/purpose/new/", {"description_fr": "Par un lecteur"}),
        ("/admin/provider/new/", {"name": "Lecteur"}),
        (f"/admin/purpose/edit/?id={purpose_id}", {"description_fr": "Modifié par un lecteur"}),
        (f"/admin/provider/edit/?id={provider_id}", {"name": "Modifié"}),
        ("/admin/cookie/delete/", {"id": cookie_id}),
        ("/admin/purpose/delete/", {"id": purpose_id}),
        ("/admin/cookie/action/", {"action": "delete", "rowid": cookie_id}),
    ]
    for url, data in requests:
        response = viewer_client.post(url, data={**data, "csrf_token": token})
        assert response.status_code in (302, 403), url
    assert snapshot() == before


@pytest.mark.parametrize("role_client", ["editor_client", "admin_client"])
def test_editors_and_admins_can_create_edit_and_delete(app, request, role_client):
    client = request.getfixturevalue(role_client)
    response = client.post("/admin/provider/new/", data={"name": "Matomo", "csrf_token": client.csrf})
    assert response.status_code == 302
    provider_id = fresh().scalar(select(Provider.id).where(Provider.name == "Matomo"))
    assert provider_id is not None

    response = client.post(
        f"/admin/provider/edit/?id={provider_id}",
        data={"name": "Matomo Analytics", "country": "NZ", "csrf_token": client.csrf},
    )
    assert response.status_code == 302
    assert fresh().get(Provider, provider_id).name == "Matomo Analytics"

    response = client.post("/admin/provider/delete/", data={"id": provider_id, "csrf_token": client.csrf})
    assert response.status_code == 302
    assert count(Provider, Provider.id == provider_id) == 0


def test_a_logged_in_account_without_a_role_is_refused(app, restore_accounts):
    from flask_security.utils import hash_password

    from account.security import security

    with app.app_context(), app.test_request_context():
        user = security.datastore.create_user(email="norole@example.com", password=hash_password(PASSWORD))
        db.session.commit()
        assert user.roles == []
    client = app.test_client()
    assert login(client, "norole@example.com").status_code == 302
    response = client.get("/admin/cookie/")
    assert response.status_code == 403
    assert "Traceback" not in html_of(response)


def test_a_deactivated_account_cannot_log_in(app, restore_accounts):
    user = fresh().scalars(select(User).where(User.email == "editor@example.com")).one()
    user.active = False
    db.session.commit()
    client = app.test_client()
    login(client, "editor@example.com")
    assert client.get("/admin/").status_code == 302


def test_the_site_settings_cannot_be_deleted_nor_duplicated(app, admin_client):
    assert count(SiteSettings) == 1
    response = admin_client.post(
        "/admin/settings/delete/", data={"id": first_id(SiteSettings), "csrf_token": admin_client.csrf}
    )
    assert response.status_code in (302, 403)
    response = admin_client.post(
        "/admin/settings/new/",
        data={
            "site_name": "Second",
            "site_url": "https://second.example",
            "controller_name": "Second",
            "contact_email": "dpo@second.example",
            "csrf_token": admin_client.csrf,
        },
    )
    assert count(SiteSettings) == 1


# --- Logging out --------------------------------------------------------------------------


def test_logout_by_get_is_refused_and_keeps_the_session(app, editor_client):
    response = editor_client.get("/account/logout")
    assert response.status_code == 405
    assert editor_client.get("/admin/").status_code == 200


def test_logout_by_post_ends_the_session(app, editor_client):
    response = editor_client.post("/account/logout", data={"csrf_token": editor_client.csrf})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/login"
    response = editor_client.get("/admin/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/login"


def test_every_admin_page_offers_the_logout_button(app, editor_client):
    html = html_of(editor_client.get("/admin/"))
    assert '<form method="post" action="/account/logout"' in html


def test_role_labels_are_shown_in_the_interface_language(app):
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert str(fresh().scalars(select(Role).where(Role.name == "viewer")).one()) == "Viewer"
