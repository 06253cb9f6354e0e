"""Out-of-range parameters anywhere in the back office (a page number, an id or a sort index
beyond any integer the database holds, a date in the year 9999, a filter's value the size of a
page) get a normal page, 400 or 404: never a 500. Walked as an administrator, who may reach
every page, on SQLite and PostgreSQL."""

from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from admin import back_office_view
from models import RecordChange, db
from tests.helpers import fresh

HUGE = "99999999999999999999999"  # more than a 64-bit integer
BEYOND_INT4 = str(2**32)  # more than PostgreSQL's integer columns hold
NEGATIVE_HUGE = "-" + HUGE
MODEL_VIEWS = ("cookie", "provider", "purpose", "category", "settings", "users")
ANSWERS = {200, 302, 400, 404}


def _answers(client, calls):
    """[(call, status)] of the calls that did not get a normal page, 400 or 404."""
    wrong = []
    for method, url, data in calls:
        try:
            if method == "GET":
                status = client.get(url).status_code
            else:
                status = client.post(url, data={**(data or {}), "csrf_token": client.csrf}).status_code
        except Exception as error:  # TESTING lets the exception of a 500 through
            status = f"500 ({type(error).__name__}: {str(error)[:80]})"
            db.session.rollback()
        if status not in ANSWERS:
            wrong.append((method, url[:120], status))
    return wrong


def _list_queries(view):
    """Query strings of a list page: the page, its size, the sort, the search, each filter."""
    queries = [
        {"page": HUGE},
        {"page": NEGATIVE_HUGE},
        {"page": BEYOND_INT4},
        {"page": "1e999"},
        {"page_size": HUGE},
        {"page_size": NEGATIVE_HUGE},
        {"sort": HUGE},
        {"sort": NEGATIVE_HUGE},
        {"sort": "0", "desc": HUGE},
        {"search": "x" * 5000},
        {"search": " ".join(["cookie"] * 999)},
        {"search": HUGE},
        {flt_position(HUGE, "0"): "1"},
    ]
    for index, flt in enumerate(view.get_filters() or ()):
        key = view.get_filter_arg(index, flt)
        for value in (HUGE, NEGATIVE_HUGE, "9999-12-31", "x" * 5000, f"{HUGE},{HUGE}"):
            queries.append({f"flt0_{key}": value})
    return queries


def flt_position(position, key):
    return f"flt{position}_{key}"


@pytest.mark.parametrize("endpoint", MODEL_VIEWS)
def test_list_pages_and_their_exports_answer_out_of_range_parameters_without_a_500(app, admin_client, endpoint):
    view = back_office_view(app, endpoint)
    base = f"/admin/{view.endpoint}/"
    calls = [("GET", base + "?" + urlencode(query), None) for query in _list_queries(view)]
    for export_type in getattr(view, "export_types", ()) if view.can_export else ():
        calls += [
            ("GET", f"{base}export/{export_type}/?" + urlencode(query), None) for query in _list_queries(view)[:12]
        ]
    wrong = _answers(admin_client, calls)
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.parametrize("endpoint", MODEL_VIEWS)
def test_record_pages_and_writes_answer_out_of_range_ids_without_a_500(app, admin_client, endpoint):
    base = f"/admin/{endpoint}/"
    calls = []
    for ident in (HUGE, NEGATIVE_HUGE, BEYOND_INT4, "1e999", "abc"):
        calls += [
            ("GET", f"{base}details/?id={ident}", None),
            ("GET", f"{base}edit/?id={ident}", None),
            ("POST", f"{base}edit/?id={ident}", {"name": "x"}),
            ("POST", f"{base}delete/", {"id": ident}),
            ("POST", f"{base}action/", {"action": "delete", "rowid": [ident]}),
            ("POST", f"{base}action/", {"action": "delete", "rowid": ["1", ident]}),
            ("POST", f"{base}ajax/update/", {"list_form_pk": ident, "name": "x"}),
        ]
    wrong = _answers(admin_client, calls)
    assert not wrong, "\n".join(map(str, wrong))


def test_history_answers_out_of_range_parameters_without_a_500(app, admin_client):
    change_id = db.session.scalar(select(func.max(RecordChange.id)))
    fresh()
    queries = [
        {"page": HUGE},
        {"page": NEGATIVE_HUGE},
        {"to": "9999-12-31"},
        {"from": "9999-12-31"},
        {"from": "0001-01-01"},
        {"to": "0001-01-01"},
        {"from": "9999-12-31", "to": "9999-12-31"},
        {"model": HUGE},
        {"user": "x" * 5000},
        {"record": "x" * 5000},
        {"record": " ".join(["cookie"] * 999)},
    ]
    calls = [("GET", "/admin/history/?" + urlencode(query), None) for query in queries]
    for model in ("cookie", "provider", "purpose", "category", "settings"):
        calls.append(("GET", f"/admin/history/{model}/{HUGE}", None))
        calls.append(("GET", f"/admin/history/{model}/{BEYOND_INT4}", None))
    calls += [
        ("POST", f"/admin/history/restore/{HUGE}", None),
        ("POST", f"/admin/history/restore/{BEYOND_INT4}", None),
        ("POST", f"/admin/history/restore/{change_id}?page={HUGE}", None),
    ]
    wrong = _answers(admin_client, calls)
    assert not wrong, "\n".join(map(str, wrong))


def test_a_page_beyond_the_last_shows_the_list_not_an_error(admin_client):
    """A page number too large for the database is answered like any page past the end."""
    response = admin_client.get(f"/admin/cookie/?page={HUGE}")
    assert response.status_code in (200, 400)
    history = admin_client.get(f"/admin/history/?page={HUGE}")
    assert history.status_code in (200, 400)
