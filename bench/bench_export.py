"""Benchmark: export 100,000 cookies (CSV, Excel CSV, XLSX, JSON) and import the whole Open
Cookie Database (dry run and real), against SQLite in a temporary directory.

    .venv/bin/python bench/bench_export.py                 # 100,000 cookies
    .venv/bin/python bench/bench_export.py --cookies 20000 # quicker
    .venv/bin/python bench/bench_export.py --ocd PATH      # another Open Cookie Database CSV

Each step runs twice: once timed, once under tracemalloc for the peak of Python allocations
(tracemalloc slows code down, so its run is not the one timed). The output file's size is
shown too: a streamed export's peak stays far below it. A benchmark, not a test: it asserts
nothing about time.
"""
import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_OCD = ROOT.parent / "shared" / "data" / "open-cookie-database" / "open-cookie-database.csv"


def insert_cookies(db, count):
    """``count`` cookies through Core inserts, spread over 50 providers, 200 purposes, 4 categories."""
    from sqlalchemy import insert, select

    from models import Category, Cookie, Provider, Purpose, cookie_purposes
    from rules.lifetime import to_minutes

    categories = db.session.scalars(select(Category.id).order_by(Category.id)).all()
    providers = [Provider(name=f"Provider {i}", website=f"https://provider{i}.example.com") for i in range(50)]
    purposes = [Purpose(description_fr=f"Finalité numéro {i} : mesurer, retenir, sécuriser", description_en=f"Purpose {i}") for i in range(200)]
    db.session.add_all(providers + purposes)
    db.session.flush()
    table = Cookie.__table__
    batch = []

    def flush(rows, start):
        ids = db.session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all()
        links = [
            {"cookie_id": cookie_id, "purpose_id": purposes[(start + n + k) % 200].id}
            for n, cookie_id in enumerate(ids)
            for k in range(2)
        ]
        db.session.execute(insert(cookie_purposes), links)

    for i in range(count):
        batch.append(
            {
                "name": f"_cookie_{i:06d}",
                "domain": f"sub{i % 97}.example.com",
                "is_pattern": False,
                "provider_id": providers[i % 50].id,
                "category_id": categories[i % len(categories)],
                "service_fr": f"Service {i % 500} (mesure d'audience)",
                "service_en": f"Service {i % 500} (audience measurement)",
                "lifetime_unit": "months",
                "lifetime_amount": 1 + i % 13,
                "lifetime_minutes": to_minutes("months", 1 + i % 13),
                "party": "third" if i % 3 else "first",
                "storage_kind": "http_cookie",
                "shown_on_policy": True,
                "is_sample": False,
                "notes": "=1+1" if i % 1000 == 0 else None,
            }
        )
        if len(batch) == 5000:
            flush(batch, i + 1 - len(batch))
            batch = []
    if batch:
        flush(batch, count - len(batch))
    db.session.commit()


def measure(step):
    """(seconds, peak MiB of Python allocations, result) of ``step()`` run twice."""
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cookies", type=int, default=100_000)
    parser.add_argument("--ocd", type=Path, default=DEFAULT_OCD)
    args = parser.parse_args()

    from app import create_app
    from inventory.export import export
    from inventory.importer import import_inventory
    from inventory.seed import load_seed
    from models import db

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            load_seed(sample=False)
            started = time.perf_counter()
            insert_cookies(db, args.cookies)
            print(f"Inserted {args.cookies:,} cookies in {time.perf_counter() - started:.1f} s (setup, not measured).")

            for fmt in ("csv", "csv-excel", "xlsx", "json"):
                target = tmp / f"export.{fmt}"

                def step(fmt=fmt, target=target):
                    db.session.expire_all()
                    with target.open("wb") as out:
                        export(fmt, out)
                    return target.stat().st_size

                seconds, peak, size = measure(step)
                rows.append((f"export {fmt}", f"{args.cookies:,} cookies", seconds, peak, f"{size / 2**20:.1f} MiB file"))

            if args.ocd.exists():
                data = args.ocd.read_bytes()
                db.session.remove()
                db.drop_all()
                db.create_all()
                load_seed(sample=False)

                def dry_run():
                    db.session.remove()
                    return import_inventory(data, filename=args.ocd.name)

                seconds, peak, report = measure(dry_run)
                counts = report.counts("cookie")
                rows.append(("import OCD, dry run", f"{report.rows:,} rows", seconds, peak, _counts(counts)))

                def real():
                    db.session.remove()
                    for name in ("cookie_purpose", "cookie", "purpose", "provider"):
                        db.session.execute(db.metadata.tables[name].delete())
                    db.session.commit()
                    return import_inventory(data, filename=args.ocd.name, dry_run=False, skip_invalid=True)

                seconds, peak, report = measure(real)
                rows.append(("import OCD, applied", f"{report.rows:,} rows", seconds, peak, _counts(report.counts("cookie"))))
            else:
                print(f"Open Cookie Database not found at {args.ocd}: import not measured.")
            db.session.remove()
            db.engine.dispose()

    import resource

    print()
    print(f"{'step':<22} {'size':>16} {'seconds':>9} {'peak MiB':>9}  notes")
    print("-" * 92)
    for name, size, seconds, peak, notes in rows:
        print(f"{name:<22} {size:>16} {seconds:>9.2f} {peak:>9.1f}  {notes}")
    print("-" * 92)
    print(f"Process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB. "
          f"Python {sys.version.split()[0]}, SQLite, {os.cpu_count()} CPUs.")
    print("Peak MiB: tracemalloc's peak of Python allocations during the step (a second, untimed run).")
    print(f"Rerun: .venv/bin/python bench/bench_export.py --cookies {args.cookies}")


def _counts(counts):
    return ", ".join(f"{n} {action}" for action, n in counts.items() if n)


if __name__ == "__main__":
    main()
