"""Two editors open the same record and both save: the second save is refused with a
message naming who changed what meanwhile, and the first save is kept."""

import pytest
from sqlalchemy import select

from models import Category, Cookie, Provider, Purpose, SiteSettings, User, db
from tests.conftest import login
from tests.forms import form_fields
from tests.helpers import visible_text


def form_of(client, url):
    return form_fields(client.get(url).get_data(as_text=True))


@pytest.fixture
def second_editor(app):
    from account.users import create_user
    from tests.conftest import PASSWORD

    if db.session.scalars(select(User).where(User.email == "editor2@example.com")).first() is None:
        create_user("editor2@example.com", PASSWORD, "editor")
    client = app.test_client()
    assert login(client, "editor2@example.com").status_code == 302
    return client


CASES = [
    (
        Cookie,
        "cookie",
        lambda: db.session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one(),
        "service_fr",
    ),
    (Provider, "provider", lambda: db.session.scalars(select(Provider)).first(), "name"),
    (Purpose, "purpose", lambda: db.session.scalars(select(Purpose).order_by(Purpose.id)).first(), "description_fr"),
    (
        Category,
        "category",
        lambda: db.session.scalars(select(Category).where(Category.key == "marketing")).one(),
        "name_fr",
    ),
    (SiteSettings, "settings", lambda: db.session.scalars(select(SiteSettings)).one(), "site_name"),
]


@pytest.mark.parametrize("model, endpoint, pick, field", CASES, ids=[c[1] for c in CASES])
def test_the_second_save_is_refused_and_the_first_kept(editor_client, second_editor, model, endpoint, pick, field):
    record = pick()
    url = f"/admin/{endpoint}/edit/?id={record.id}"
    first, second = form_of(editor_client, url), form_of(second_editor, url)
    assert first["expected_version"] == str(record.version)

    first[field] = "Premier texte"
    first["csrf_token"] = editor_client.csrf
    assert editor_client.post(url, data=first).status_code == 302

    second[field] = "Second texte"
    second["csrf_token"] = second_editor.csrf
    refused = second_editor.post(url, data=second)
    assert refused.status_code == 200
    message = visible_text(refused)
    assert "n’ont PAS été enregistrées" in message
    assert "editor@example.com" in message
    assert "Second texte" in refused.get_data(as_text=True)  # the second editor's typing is not lost

    db.session.expire_all()
    assert getattr(db.session.get(model, record.id), field) == "Premier texte"

    # Saving again, knowingly, replaces it.
    again = form_of_response(refused)
    again["csrf_token"] = second_editor.csrf
    assert second_editor.post(url, data={**second, "expected_version": again["expected_version"]}).status_code == 302
    db.session.expire_all()
    assert getattr(db.session.get(model, record.id), field) == "Second texte"


def form_of_response(response):
    return form_fields(response.get_data(as_text=True))
