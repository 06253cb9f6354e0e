"""The number of SQL statements a page costs does not grow with the inventory: the same at
10 and at 1,000 cookies, for the charte (rendered or from memory) and every back-office list."""
from sqlalchemy import event, func, select

from bench.dataset import add_cookies
from charte.cache import page_cache
from models import Cookie, db

ADMIN_PAGES = (
    "/admin/",
    "/admin/cookie/",
    "/admin/provider/",
    "/admin/purpose/",
    "/admin/category/",
    "/admin/cookie/?search=bench",
    "/admin/cookie/?search=audience",  # a purpose's text: a to-many join
    "/admin/cookie/?flt0_2=third",  # set by
    "/admin/cookie/?flt0_5=1",  # English text missing
    "/admin/cookie/?sort=1",  # by provider
)


def statements_per_page(client):
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    def cost(path, before=None):
        client.get(path)  # warm: what is done once per process is not what we count
        if before:
            before()
        sent.clear()
        response = client.get(path)
        assert response.status_code == 200, path
        return len(sent)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        clear = page_cache(client.application).clear
        counts = {
            "charte, rendered": cost("/fr/cookies", before=clear),
            "charte, from memory": cost("/fr/cookies"),
        }
        for path in ADMIN_PAGES:
            counts[path] = cost(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return counts


def cookies():
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Cookie))


def test_statements_do_not_grow_with_the_inventory(editor_client):
    add_cookies(db.session, 10 - cookies())
    assert cookies() == 10
    small = statements_per_page(editor_client)

    add_cookies(db.session, 1000 - cookies())
    assert cookies() == 1000
    large = statements_per_page(editor_client)

    assert large == small
    assert small["charte, from memory"] <= 2
