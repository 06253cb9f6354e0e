"""The command line: ``flask seed`` and ``flask users create|list``."""

import pytest
from sqlalchemy import delete, select

from models import Category, Cookie, InventoryState, Provider, Purpose, SiteSettings, User, db
from tests.conftest import INVENTORY_TABLES, PASSWORD, login
from tests.helpers import charte_rows, count, fresh, publish_draft, row_named

MODELS = (Category, Provider, Purpose, Cookie, SiteSettings)


def counts():
    return {model.__name__: count(model) for model in MODELS}


def empty_inventory():
    for name in INVENTORY_TABLES:
        if name in db.metadata.tables:
            db.session.execute(delete(db.metadata.tables[name]))
    db.session.commit()


# --- flask seed -----------------------------------------------------------------------------


def test_seed_on_an_empty_database_loads_the_sample_charte(runner):
    empty_inventory()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "Seed loaded: 4 categories, 1 providers, 4 purposes, 4 cookies, 1 settings." in result.output
    assert counts() == {"Category": 4, "Provider": 1, "Purpose": 4, "Cookie": 4, "SiteSettings": 1}


def test_seed_twice_is_idempotent(runner, client):
    empty_inventory()
    assert runner.invoke(args=["seed"]).exit_code == 0
    first = counts()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "Seed loaded: nothing new." in result.output
    assert counts() == first
    assert sorted(row["name"].split()[0] for row in charte_rows(client.get("/en/cookies"))) == [
        "cookies_preferences",
        "csrftoken",
        "django_language",
        "sessionid",
    ]


def test_seed_without_sample_loads_only_the_categories(runner):
    empty_inventory()
    result = runner.invoke(args=["seed", "--no-sample"])
    assert result.exit_code == 0, result.output
    assert counts() == {"Category": 4, "Provider": 0, "Purpose": 0, "Cookie": 0, "SiteSettings": 0}
    assert sorted(fresh().scalars(select(Category.key))) == ["marketing", "necessary", "preferences", "statistics"]


def test_seed_does_not_overwrite_an_edited_cookie(runner, client):
    cookie = db.session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    cookie.service_fr = "Connexion au portail"
    cookie.service_en = "Portal sign-in"
    cookie.lifetime_unit, cookie.lifetime_amount = "hours", 12
    db.session.commit()
    before = counts()

    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert counts() == before
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    assert (cookie.service_fr, cookie.lifetime_unit, cookie.lifetime_amount) == ("Connexion au portail", "hours", 12)
    publish_draft()  # the edit, kept by the seed, is what is published
    row = row_named(client.get("/en/cookies"), "sessionid")
    assert (row["service"], row["lifetime"]) == ("Portal sign-in", "12 hours")


def test_seed_does_not_overwrite_edited_categories_or_settings(runner):
    category = db.session.scalars(select(Category).where(Category.key == "marketing")).one()
    category.name_fr = "Publicité ciblée"
    settings = db.session.scalars(select(SiteSettings)).one()
    settings.site_name = "Mon site"
    db.session.commit()
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert fresh().scalars(select(Category).where(Category.key == "marketing")).one().name_fr == "Publicité ciblée"
    assert fresh().scalars(select(SiteSettings)).one().site_name == "Mon site"
    assert count(SiteSettings) == 1


def test_seed_does_not_bring_back_a_renamed_purpose_or_provider(runner):
    """An edited sample purpose or provider is the editor's: seeding again adds no stray copy."""
    purpose = db.session.scalars(
        select(Purpose).where(Purpose.description_fr == "Se souvenir de la langue du visiteur")
    ).one()
    purpose.description_fr = "Retenir la langue choisie"
    provider = db.session.scalars(select(Provider)).one()
    provider.name = "Opendatasoft SAS"
    db.session.commit()
    before = counts()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert counts() == before
    assert count(Purpose, Purpose.description_fr == "Se souvenir de la langue du visiteur") == 0
    assert [p.name for p in fresh().scalars(select(Provider))] == ["Opendatasoft SAS"]


def test_seed_does_not_move_the_revision_when_nothing_is_new(runner):
    revision = fresh().get(InventoryState, 1).revision
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert fresh().get(InventoryState, 1).revision == revision


# --- flask users ------------------------------------------------------------------------------


def test_users_create_reads_the_password_from_stdin_and_the_account_works(app, runner, restore_accounts):
    result = runner.invoke(
        args=["users", "create", "Legal@Example.com", "--role", "editor"], input="correct horse battery staple\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created legal@example.com (editor)." in result.output
    assert "correct horse" not in result.output

    client = app.test_client()
    response = login(client, "legal@example.com", "correct horse battery staple")
    assert response.status_code == 302
    assert client.get("/admin/cookie/").status_code == 200
    response = client.post("/admin/provider/new/", data={"name": "Created by CLI user", "csrf_token": client.csrf})
    assert response.status_code == 302
    assert count(Provider, Provider.name == "Created by CLI user") == 1


def test_users_create_as_viewer_gives_read_only_access(app, runner, restore_accounts):
    result = runner.invoke(args=["users", "create", "reader@example.com", "--role", "viewer"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    login(client, "reader@example.com")
    assert client.get("/admin/cookie/").status_code == 200
    client.post("/admin/provider/new/", data={"name": "Not allowed", "csrf_token": client.csrf})
    assert count(Provider, Provider.name == "Not allowed") == 0


def test_users_create_defaults_to_editor(runner, restore_accounts):
    result = runner.invoke(args=["users", "create", "someone@example.com"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "(editor)" in result.output
    user = fresh().scalars(select(User).where(User.email == "someone@example.com")).one()
    assert user.role_name == "editor"


@pytest.mark.parametrize(
    "args, password, message",
    [
        (["short@example.com"], "too short", "Password must be at least 12 characters"),
        (["short@example.com"], "", "Password must be at least 12 characters"),
        (["editor@example.com"], PASSWORD, "An account already exists for editor@example.com."),
        (["EDITOR@example.com"], PASSWORD, "An account already exists for editor@example.com."),
        (["not-an-address"], PASSWORD, "Invalid e-mail address"),
        (["same@example.com"], "same@example.com", "The password must not be your e-mail address."),
    ],
)
def test_users_create_refuses_with_a_clear_message(app, runner, restore_accounts, args, password, message):
    before = count(User)
    result = runner.invoke(args=["users", "create", *args], input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert count(User) == before


def test_users_create_refuses_an_unknown_role(runner, restore_accounts):
    result = runner.invoke(args=["users", "create", "boss@example.com", "--role", "owner"], input=PASSWORD + "\n")
    assert result.exit_code != 0
    assert "owner" in result.output
    assert count(User, User.email == "boss@example.com") == 0


def test_users_list_shows_each_account_with_role_and_status(runner, restore_accounts):
    user = fresh().scalars(select(User).where(User.email == "viewer@example.com")).one()
    user.active = False
    db.session.commit()
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "admin@example.com\tadmin\tactive" in lines
    assert "editor@example.com\teditor\tactive" in lines
    assert "viewer@example.com\tviewer\tdeactivated" in lines
    assert lines == sorted(lines)
