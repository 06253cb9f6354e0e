"""An import writes everything or nothing: a rejected row, or a failure while writing row k,
leaves the database exactly as it was (same export checksum, same revision), unless rejected
rows are skipped on purpose, and then they are listed and the rest is written."""

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text

from inventory.importing import import_inventory
from models import Cookie, InventoryState, db
from tests.inventory.conftest import checksum, cookie_row, csv_bytes

ROWS = 10


def rows_with_bad(k):
    rows = [cookie_row(name=f"cookie_{index}") for index in range(1, ROWS + 1)]
    rows[k - 1] = cookie_row(name=f"cookie_{k}", lifetime_unit="fortnights")
    return rows


def revision():
    db.session.expire_all()
    return db.session.get(InventoryState, 1).revision


@pytest.mark.parametrize("k", [1, 5, ROWS])
def test_a_rejected_row_k_means_nothing_is_written(app, k):
    before, rev = checksum(), revision()
    report = import_inventory(csv_bytes(rows_with_bad(k)), filename="batch.csv", dry_run=False)
    assert not report.applied
    [rejected] = report.rejected
    assert str(rejected.problems[0]) == f"batch.csv, row {k + 1}, column “lifetime_unit”: Choose a lifetime unit."
    assert rejected.where.row == k + 1
    assert checksum() == before and revision() == rev


@contextmanager
def database_refuses_cookie(name):
    """A trigger that makes the database refuse to insert the cookie ``name``: a failure the
    plan cannot foresee, in the middle of writing."""
    if db.session.get_bind().dialect.name == "postgresql":
        statements = [
            "CREATE FUNCTION refuse_cookie() RETURNS trigger AS $$ BEGIN"
            f" IF NEW.name = '{name}' THEN RAISE EXCEPTION 'simulated failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_cookie BEFORE INSERT ON cookie FOR EACH ROW EXECUTE FUNCTION refuse_cookie()",
        ]
        cleanup = ["DROP TRIGGER refuse_cookie ON cookie", "DROP FUNCTION refuse_cookie()"]
    else:
        statements = [
            f"CREATE TRIGGER refuse_cookie BEFORE INSERT ON cookie WHEN NEW.name = '{name}'"
            " BEGIN SELECT RAISE(ABORT, 'simulated failure'); END"
        ]
        cleanup = ["DROP TRIGGER refuse_cookie"]
    for statement in statements:
        db.session.execute(text(statement))
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        for statement in cleanup:
            db.session.execute(text(statement))
        db.session.commit()


@pytest.mark.parametrize("k", [1, 5, ROWS])
def test_a_failure_while_writing_row_k_rolls_everything_back(app, k):
    before, rev = checksum(), revision()
    rows = [cookie_row(name=f"cookie_{index}") for index in range(1, ROWS + 1)]
    with database_refuses_cookie(f"cookie_{k}"):
        report = import_inventory(csv_bytes(rows), filename="batch.csv", dry_run=False)
    assert not report.applied
    assert str(report.problems[0]) == (
        "batch.csv: The database refused the import, nothing was written: a row conflicts with data already in the inventory"
    )
    assert checksum() == before and revision() == rev


def test_skip_invalid_writes_the_valid_rows_and_lists_the_rejected_ones(app):
    rows = rows_with_bad(5) + [cookie_row(name="cookie_3")]  # a duplicate of row 4
    report = import_inventory(csv_bytes(rows), filename="batch.csv", dry_run=False, skip_invalid=True)
    assert report.applied
    assert [(c.where.row, c.problems[0].column) for c in report.rejected] == [(6, "lifetime_unit"), (12, "name")]
    assert "Duplicate of row 4" in str(report.rejected[1].problems[0])
    assert report.counts("cookie") == {"create": 9, "update": 0, "unchanged": 0, "rejected": 2}
    names = {name for name in db.session.scalars(select(Cookie.name)) if name.startswith("cookie_")}
    assert names == {f"cookie_{index}" for index in range(1, ROWS + 1)} - {"cookie_5"}


def test_a_row_rejected_for_a_new_purpose_does_not_create_that_purpose(app):
    rows = [cookie_row(name="ok"), cookie_row(name="bad", purposes_fr="Nouvelle finalité", lifetime_amount="abc")]
    report = import_inventory(csv_bytes(rows), filename="p.csv", dry_run=False, skip_invalid=True)
    assert report.applied
    assert "Nouvelle finalité" not in {c.key.strip("“”") for c in report.changes if c.kind == "purpose"}
    assert db.session.scalar(select(func.count()).select_from(Cookie).where(Cookie.name == "bad")) == 0
