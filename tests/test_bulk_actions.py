"""The cookie list's bulk actions: show on the policy, hide from it, set the category, set the
provider. Each changes exactly the selected cookies in one transaction (one change set, one
RecordChange per changed cookie, each version moved on, the policy's revision moved once), is
refused to viewers, needs the CSRF token, ignores ids no cookie can have, and leaves a cookie
saved or deleted since the list was loaded as it is, with a message."""

import re

import pytest
from sqlalchemy import func, select

from inventory.history import recording
from models import Category, ChangeSet, Cookie, Provider, RecordChange, db
from tests.backoffice_requests import changed_tables, database_state
from tests.helpers import flashes, fresh, html_of, make_cookie, publish_draft, revision, use_english, visible_text

ACTION_URL = "/admin/cookie/action/"


@pytest.fixture
def hidden(app):
    """Three cookies hidden from the policy, as an Open Cookie Database import leaves them."""
    return [make_cookie(name=f"ocd_cookie_{n}", shown_on_policy=False).id for n in range(3)]


@pytest.fixture
def editor(editor_client):
    return use_english(editor_client)


def act(client, action, ids, token=True, **extra):
    data = {"action": action, "rowid": [str(ident) for ident in ids], "url": "/admin/cookie/", **extra}
    if token:
        data["csrf_token"] = client.csrf if token is True else token
    return client.post(ACTION_URL, data=data)


def messages_after(client, response):
    assert response.status_code == 302, html_of(response)[:500]
    return flashes(client.get(response.headers["Location"]))


def cookies_by_id():
    return {cookie.id: cookie for cookie in fresh().scalars(select(Cookie))}


def state(cookie):
    return (cookie.shown_on_policy, cookie.category_id, cookie.provider_id, cookie.version)


def change_sets():
    return fresh().scalar(select(func.count()).select_from(ChangeSet))


def last_changes():
    """The RecordChanges of the latest change set: {record id: change}."""
    session = fresh()
    latest = session.scalar(select(func.max(ChangeSet.id)))
    changes = session.scalars(select(RecordChange).where(RecordChange.change_set_id == latest)).all()
    return {change.record_id: change for change in changes}


def policy_names(client, lang="fr"):
    """The cookie names the public policy page shows (each in a ``<code>``)."""
    response = client.get(f"/{lang}/cookies")
    assert response.status_code == 200
    return set(re.findall(r"<code>([^<]+)</code>", html_of(response)))


def assert_changed_exactly(before, selected, field, value):
    """The selected cookies have ``field`` == ``value`` and a new version; every other
    cookie is as it was."""
    after = cookies_by_id()
    assert set(after) == set(before)
    for ident, old in before.items():
        new = after[ident]
        if ident in selected:
            assert getattr(new, field) == value
            assert new.version == old[3] + 1
        else:
            assert state(new) == old, new.name


def assert_one_change_set(selected, field, before_value, after_value, who="editor@example.com"):
    changes = last_changes()
    assert set(changes) == set(selected)
    for change in changes.values():
        assert change.model == "cookie" and change.action == "update"
        assert change.before[field] == before_value and change.after[field] == after_value
        assert change.change_set.user_email == who
        assert change.change_set.source == "admin"


# --- Each action changes exactly the selected cookies, and records it ---------------------------


def test_show_puts_exactly_the_selected_cookies_on_the_policy(editor, client, hidden):
    selected = hidden[:2]
    before = {ident: state(cookie) for ident, cookie in cookies_by_id().items()}
    sets, rev = change_sets(), revision()
    assert not {"ocd_cookie_0", "ocd_cookie_1", "ocd_cookie_2"} & policy_names(client)

    messages = messages_after(editor, act(editor, "show", selected))

    assert ("success", "2 cookies are now shown on the policy.") in messages
    assert_changed_exactly(before, selected, "shown_on_policy", True)
    assert change_sets() == sets + 1
    assert revision() == rev + 1
    assert_one_change_set(selected, "shown_on_policy", False, True)
    assert not {"ocd_cookie_0", "ocd_cookie_1"} & policy_names(client)  # until published
    publish_draft()
    shown = policy_names(client)
    assert {"ocd_cookie_0", "ocd_cookie_1"} <= shown and "ocd_cookie_2" not in shown
    assert {"ocd_cookie_0", "ocd_cookie_1"} <= policy_names(client, "en")


def test_hide_takes_exactly_the_selected_cookies_off_the_policy(admin_client, client):
    use_english(admin_client)
    by_name = {cookie.name: cookie.id for cookie in cookies_by_id().values()}
    selected = [by_name["sessionid"], by_name["csrftoken"]]
    before = {ident: state(cookie) for ident, cookie in cookies_by_id().items()}
    rev = revision()
    assert {"sessionid", "csrftoken"} <= policy_names(client)

    messages = messages_after(admin_client, act(admin_client, "hide", selected))

    assert ("success", "2 cookies are now hidden from the policy.") in messages
    assert_changed_exactly(before, selected, "shown_on_policy", False)
    assert revision() == rev + 1
    assert_one_change_set(selected, "shown_on_policy", True, False, who="admin@example.com")
    assert {"sessionid", "csrftoken"} <= policy_names(client)  # until published
    publish_draft()
    names = policy_names(client)
    assert not {"sessionid", "csrftoken"} & names and "django_language" in names


def test_a_cookie_already_in_that_state_is_counted_not_changed(editor, hidden):
    shown = next(c.id for c in cookies_by_id().values() if c.shown_on_policy)
    version = cookies_by_id()[shown].version
    messages = messages_after(editor, act(editor, "show", [hidden[0], shown]))
    assert ("success", "1 cookie is now shown on the policy.") in messages
    assert ("info", "1 selected cookie needed no change.") in messages
    assert cookies_by_id()[shown].version == version
    assert set(last_changes()) == {hidden[0]}


def test_set_category_asks_for_the_category_then_changes_exactly_the_selected_cookies(editor, hidden):
    selected = hidden[:2]
    statistics = fresh().scalars(select(Category).where(Category.key == "statistics")).one()
    necessary_id = cookies_by_id()[hidden[0]].category_id
    before = {ident: state(cookie) for ident, cookie in cookies_by_id().items()}

    page = act(editor, "set_category", selected)
    assert page.status_code == 200
    html = html_of(page)
    assert "2 cookies selected:" in visible_text(html) and "ocd_cookie_0" in html and "ocd_cookie_2" not in html
    assert '<label for="bulk-choice">New category</label>' in html
    assert re.search(r'<select[^>]*id="bulk-choice"[^>]*name="choice"[^>]*required', html)
    assert f'<option value="{statistics.id}">' in html
    assert 'name="csrf_token"' in html and 'value="set_category"' in html
    assert re.findall(r'name="rowid" value="(\d+)"', html) == [str(ident) for ident in selected]
    assert cookies_by_id()[hidden[0]].category_id == necessary_id  # the page changes nothing

    rev = revision()
    messages = messages_after(editor, act(editor, "set_category", selected, choice=str(statistics.id)))
    assert ("success", f"2 cookies are now in the category {statistics.name_en}.") in messages
    assert_changed_exactly(before, selected, "category_id", statistics.id)
    assert revision() == rev + 1
    assert_one_change_set(selected, "category_id", necessary_id, statistics.id)


def test_set_provider_changes_exactly_the_selected_cookies(editor, hidden):
    matomo = Provider(name="Matomo")
    db.session.add(matomo)
    db.session.commit()
    matomo_id = matomo.id
    old_provider = cookies_by_id()[hidden[0]].provider_id
    selected = [hidden[0], hidden[2]]
    before = {ident: state(cookie) for ident, cookie in cookies_by_id().items()}

    html = html_of(act(editor, "set_provider", selected))
    assert "New provider" in html and f'<option value="{matomo_id}">Matomo</option>' in html

    messages = messages_after(editor, act(editor, "set_provider", selected, choice=str(matomo_id)))
    assert ("success", "2 cookies are now set by Matomo.") in messages
    assert_changed_exactly(before, selected, "provider_id", matomo_id)
    assert_one_change_set(selected, "provider_id", old_provider, matomo_id)


@pytest.mark.parametrize("choice", ["", "abc", "0", "-3", "2147483648", "99999999999999999999", "123456"])
def test_a_missing_or_unknown_choice_shows_the_page_again_with_an_error(editor, hidden, choice):
    before = database_state()
    response = act(editor, "set_category", hidden, choice=choice)
    assert response.status_code == 200
    html = html_of(response)
    assert 'aria-invalid="true"' in html and "Choose the cookie&#39;s category." in html
    assert changed_tables(before, database_state()) == []


# --- Who may, and with what token ---------------------------------------------------------------


def test_viewers_are_offered_no_action_and_refused_when_they_post_one(viewer_client, hidden):
    html = html_of(viewer_client.get("/admin/cookie/"))
    assert "data-model-action" not in html and "listed_versions" not in html
    provider = fresh().scalar(select(Provider.id))
    before = database_state()
    for action, extra in [
        ("show", {}),
        ("hide", {}),
        ("set_category", {}),
        ("set_provider", {}),
        ("set_provider", {"choice": str(provider)}),
        ("delete", {}),
    ]:
        response = act(viewer_client, action, hidden, **extra)
        assert response.status_code == 403, action
    assert changed_tables(before, database_state()) == []


def test_editors_are_offered_the_actions_in_order(editor):
    html = html_of(editor.get("/admin/cookie/"))
    offered = re.findall(r'data-model-action="(\w+)">([^<]+)<', html)
    assert offered == [
        ("show", "Show on the policy"),
        ("hide", "Hide from the policy"),
        ("set_category", "Set category…"),
        ("set_provider", "Set provider…"),
        ("delete", "Delete"),
    ]
    assert "Show the selected cookies on the policy?" in html


@pytest.mark.parametrize("action", ["show", "hide", "set_category", "set_provider"])
def test_every_action_needs_the_sessions_token(app, editor, hidden, action):
    provider = Provider(name="Matomo")
    db.session.add(provider)
    db.session.commit()
    choice = {
        "set_category": str(fresh().scalar(select(Category.id).where(Category.key == "marketing"))),
        "set_provider": str(fresh().scalar(select(Provider.id).where(Provider.name == "Matomo"))),
    }
    extra = {"choice": choice[action]} if action in choice else {}
    ids = [c.id for c in cookies_by_id().values()]
    foreign = app.test_client()
    from tests.conftest import csrf_token_from

    foreign_token = csrf_token_from(html_of(foreign.get("/account/login")))
    for token in (None, foreign_token):
        before = database_state()
        response = act(editor, action, ids, token=token or False, **extra)
        assert "Traceback" not in html_of(response)
        assert changed_tables(before, database_state()) == [], (action, token)
    before = database_state()
    act(editor, action, ids, **extra)
    assert "cookie" in changed_tables(before, database_state())


# --- Bounded and hostile selections -------------------------------------------------------------


HOSTILE = ["abc", "", "1e3", "-1", "0", "2147483648", "-2147483649", "99999999999999999999", "１", "1.5", "\x00"]


@pytest.mark.parametrize("action", ["show", "set_category"])
def test_ids_no_cookie_can_have_are_ignored(editor, hidden, action):
    extra = {}
    if action == "set_category":
        extra["choice"] = str(fresh().scalar(select(Category.id).where(Category.key == "marketing")))
    response = act(editor, action, [*HOSTILE, hidden[0], hidden[0]], **extra)
    messages = messages_after(editor, response)
    assert not any(kind == "warning" for kind, _ in messages), messages
    assert set(last_changes()) == {hidden[0]}
    assert len(last_changes()) == 1


@pytest.mark.parametrize("action", ["show", "hide", "set_category", "set_provider"])
def test_a_selection_of_only_hostile_ids_changes_nothing(editor, hidden, action):
    before = database_state()
    messages = messages_after(editor, act(editor, action, HOSTILE))
    assert ("danger", "No cookie was selected: nothing was changed.") in messages
    assert changed_tables(before, database_state()) == []


@pytest.mark.parametrize("action", ["show", "set_category"])
def test_more_than_ten_thousand_ids_are_refused(editor, hidden, action):
    before = database_state()
    ids = [*hidden, *range(10**6, 10**6 + 10_000 - len(hidden) + 1)]
    assert len(ids) == 10_001
    messages = messages_after(editor, act(editor, action, ids))
    assert ("danger", "Nothing was changed: a bulk action takes at most 10,000 cookies at a time.") in messages
    assert changed_tables(before, database_state()) == []


def test_ten_thousand_ids_are_taken(editor, hidden):
    ids = [*hidden, *range(10**6, 10**6 + 10_000 - len(hidden))]
    messages = messages_after(editor, act(editor, "show", ids))
    assert ("success", "3 cookies are now shown on the policy.") in messages
    assert ("warning", "9,997 selected cookies no longer exist (deleted meanwhile) and were skipped.") in messages


# --- No lost edits ------------------------------------------------------------------------------


def test_a_cookie_deleted_meanwhile_is_skipped_with_a_message(editor, hidden):
    gone = hidden[1]
    session = fresh()
    with recording("cli"):
        session.delete(session.get(Cookie, gone))
        session.commit()
    messages = messages_after(editor, act(editor, "show", [hidden[0], gone]))
    assert ("success", "1 cookie is now shown on the policy.") in messages
    assert ("warning", "1 selected cookie no longer exists (deleted meanwhile) and was skipped.") in messages
    assert set(last_changes()) == {hidden[0]}


def test_a_deleted_selection_on_the_choice_page_goes_back_to_the_list(editor, hidden):
    session = fresh()
    with recording("cli"):
        session.delete(session.get(Cookie, hidden[0]))
        session.commit()
    messages = messages_after(editor, act(editor, "set_category", [hidden[0]]))
    assert ("warning", "1 selected cookie no longer exists (deleted meanwhile) and was skipped.") in messages


def listed_versions(client, url="/admin/cookie/?page_size=100"):
    html = html_of(client.get(url))
    return re.search(r'name="listed_versions" value="([^"]*)"', html).group(1)


def edit_meanwhile(ident, **changes):
    session = fresh()
    with recording("cli"):
        cookie = session.get(Cookie, ident)
        for name, value in changes.items():
            setattr(cookie, name, value)
        session.commit()


def test_the_list_carries_the_version_of_each_row(editor, hidden):
    pairs = dict(pair.split(":") for pair in listed_versions(editor).split())
    assert {int(ident): int(version) for ident, version in pairs.items()} == {
        c.id: c.version for c in cookies_by_id().values()
    }


def test_a_cookie_saved_by_someone_after_the_list_was_loaded_is_left_as_it_is(editor, hidden):
    versions = listed_versions(editor)
    edit_meanwhile(hidden[0], service_fr="Revu par une collègue", shown_on_policy=False)
    edited = state(cookies_by_id()[hidden[0]])

    messages = messages_after(editor, act(editor, "show", hidden, listed_versions=versions))

    assert ("success", "2 cookies are now shown on the policy.") in messages
    assert (
        "warning",
        "1 cookie was changed by someone else after you loaded the list and was left as it is: "
        "ocd_cookie_0 (example.org). Reload the list to see the change, then try again.",
    ) in messages
    assert state(cookies_by_id()[hidden[0]]) == edited
    assert set(last_changes()) == set(hidden[1:])


def test_the_choice_page_carries_the_lists_versions_on(editor, hidden):
    versions = listed_versions(editor)
    marketing = fresh().scalar(select(Category.id).where(Category.key == "marketing"))
    html = html_of(act(editor, "set_category", hidden[:2], listed_versions=versions))
    carried = re.search(r'name="listed_versions" value="([^"]*)"', html).group(1)
    assert {pair.split(":")[0] for pair in carried.split()} == {str(ident) for ident in hidden[:2]}
    edit_meanwhile(hidden[1], notes="Vu avec le juridique")

    messages = messages_after(
        editor, act(editor, "set_category", hidden[:2], listed_versions=carried, choice=str(marketing))
    )

    assert any(kind == "warning" and "ocd_cookie_1" in text for kind, text in messages)
    assert cookies_by_id()[hidden[0]].category_id == marketing
    assert cookies_by_id()[hidden[1]].category_id != marketing


@pytest.mark.parametrize(
    "versions", ["x:y 1: :2 ::", "2147483648:1 1:99999999999999999999", "\x00" * 10, "1:1 " * 20_000]
)
def test_hostile_listed_versions_are_ignored(editor, hidden, versions):
    messages = messages_after(editor, act(editor, "show", hidden, listed_versions=versions))
    assert ("success", "3 cookies are now shown on the policy.") in messages


def test_the_french_back_office_speaks_french(editor_client, hidden):
    """The messages are in the user's language: a French user gets the French catalog's text."""
    messages = messages_after(editor_client, act(editor_client, "show", hidden[:1]))
    assert messages == [("success", "1 cookie est désormais affiché sur la charte.")]
