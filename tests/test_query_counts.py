"""The number of SQL statements a page costs does not grow with the inventory: the same at
10 and at 1,000 cookies, for the charte (rendered or from memory) and every back-office list."""

from bench.dataset import add_cookies
from models import Cookie, db
from public.cache import page_cache
from tests.helpers import count, statements_sent

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
    with statements_sent() as sent:

        def cost(path, before=None):
            client.get(path)  # warm: what is done once per process is not what we count
            if before:
                before()
            sent.clear()
            response = client.get(path)
            assert response.status_code == 200, path
            return len(sent)

        clear = page_cache(client.application).clear
        counts = {
            "charte, rendered": cost("/fr/cookies", before=clear),
            "charte, from memory": cost("/fr/cookies"),
        }
        for path in ADMIN_PAGES:
            counts[path] = cost(path)
    return counts


def test_statements_do_not_grow_with_the_inventory(editor_client):
    add_cookies(db.session, 10 - count(Cookie))
    assert count(Cookie) == 10
    small = statements_per_page(editor_client)

    add_cookies(db.session, 1000 - count(Cookie))
    assert count(Cookie) == 1000
    large = statements_per_page(editor_client)

    assert large == small
    assert small["charte, from memory"] <= 2
