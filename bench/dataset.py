"""A synthetic inventory of any size, for benchmarks and scale tests.

Cookies go in through Core inserts (fast at 100,000 rows); providers and purposes go
through the ORM in the same transaction, so the commit moves the inventory revision like
any other change. Values vary the way a real inventory does: several providers and
purposes, every category, some English texts missing, session and timed lifetimes, one
note in a thousand that starts like a spreadsheet formula.

The one bulk cookie inserter of the project: the benchmarks (bench_charte.py,
bench_export.py) and the tests (tests/test_query_counts.py, tests/inventory/) use it.
"""

from sqlalchemy import func, insert, select

from models import Category, Cookie, Provider, Purpose, cookie_purposes
from rules.lifetime import to_minutes

BATCH = 5000
UNITS = (("days", 14), ("months", 6), ("months", 13), ("years", 1), ("session", None), ("hours", 2))
KINDS = ("http_cookie", "http_cookie", "local_storage", "session_storage", "pixel")


def add_cookies(session, count, *, prefix="bench", purposes_per_cookie=None, name_format="_{prefix}_{number:06d}"):
    """Add ``count`` cookies (with their providers and purposes) and commit.

    Cookies are numbered on from the number already stored, so that calling this again adds
    new names. ``purposes_per_cookie``: that many purposes each (default: one or two);
    ``name_format``: the cookie names, from ``prefix`` and ``number``."""
    if count <= 0:
        return
    categories = session.scalars(select(Category.id).order_by(Category.position, Category.id)).all()
    start = session.scalar(select(func.count()).select_from(Cookie))
    n_providers = min(1000, max(3, count // 20))
    n_purposes = min(500, max(3, count // 40, purposes_per_cookie or 0))
    providers = [
        Provider(
            name=f"{prefix} provider {start + i}",
            website=f"https://provider{start + i}.example.com",
            privacy_policy_url=f"https://provider{start + i}.example.com/privacy" if i % 2 else None,
            country=("FR", "US", "DE", "IE")[i % 4],
        )
        for i in range(n_providers)
    ]
    purposes = [
        Purpose(
            description_fr=f"{prefix} finalité {start + i} : mesurer l'audience et retenir les préférences",
            description_en=None
            if i % 7 == 0
            else f"{prefix} purpose {start + i}: measure audience and remember preferences",
        )
        for i in range(n_purposes)
    ]
    session.add_all(providers + purposes)
    session.flush()

    table = Cookie.__table__
    rows = []

    def write(rows):
        ids = session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all()
        links = []
        for cookie_id in ids:
            first = (cookie_id * 7) % n_purposes
            for k in range(purposes_per_cookie or 1 + cookie_id % 2):
                links.append({"cookie_id": cookie_id, "purpose_id": purposes[(first + k) % n_purposes].id})
        session.execute(insert(cookie_purposes), links)

    for i in range(start, start + count):
        unit, amount = UNITS[i % len(UNITS)]
        rows.append(
            {
                "name": name_format.format(prefix=prefix, number=i),
                "domain": f".site{i % 97}.example.com",
                "is_pattern": False,
                "provider_id": providers[i % n_providers].id,
                "category_id": categories[i % len(categories)],
                "service_fr": f"Service {i % 500} (mesure d'audience)",
                "service_en": None if i % 10 == 0 else f"Service {i % 500} (audience measurement)",
                "lifetime_unit": unit,
                "lifetime_amount": amount,
                "lifetime_minutes": to_minutes(unit, amount),
                "party": "third" if i % 3 else "first",
                "storage_kind": KINDS[i % len(KINDS)],
                "shown_on_policy": i % 50 != 0,
                "is_sample": False,
                "notes": "=1+1" if i % 1000 == 999 else None,
                "version": 1,
            }
        )
        if len(rows) == BATCH:
            write(rows)
            rows = []
    if rows:
        write(rows)
    session.commit()


def publish_inventory(app, note, *, marked_as_translated=False):
    """Publish the inventory as it is (texts without English in French only) and return the
    seconds it took: the snapshot, the checks, both renderings and their compression.
    ``marked_as_translated``: texts imported with the "[EN] " mark (the Open Cookie Database has
    no French) stand as translated first, which no publication would let through otherwise."""
    import time

    from sqlalchemy import update

    from inventory.publication.checks import Options
    from inventory.publication.versions import prepare, publish
    from models import db, writing
    from rules.language import UNTRANSLATED

    with app.app_context(), app.test_request_context("/"):
        if marked_as_translated:
            for column in (Cookie.service_fr, Purpose.description_fr):
                db.session.execute(update(column.class_).values({column: func.replace(column, UNTRANSLATED, "")}))
            db.session.commit()
        waived = {(f.section, f.key) for f in prepare(db.session).findings if f.waivable}
        db.session.rollback()
        with writing():
            started = time.perf_counter()
            publish(db.session, note_fr=note, options=Options(french_only=waived))
            seconds = time.perf_counter() - started
        db.session.remove()
    return seconds
