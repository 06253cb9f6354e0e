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
    from bench.dataset import add_cookies
    from inventory.export import export
    from inventory.importing import import_inventory
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
            add_cookies(db.session, args.cookies, purposes_per_cookie=2)
            print(f"Inserted {args.cookies:,} cookies in {time.perf_counter() - started:.1f} s (setup, not measured).")

            for fmt in ("csv", "csv-excel", "xlsx", "json"):
                target = tmp / f"export.{fmt}"

                def step(fmt=fmt, target=target):
                    db.session.expire_all()
                    with target.open("wb") as out:
                        export(fmt, out)
                    return target.stat().st_size

                seconds, peak, size = measure(step)
                rows.append(
                    (f"export {fmt}", f"{args.cookies:,} cookies", seconds, peak, f"{size / 2**20:.1f} MiB file")
                )

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
                rows.append(
                    ("import OCD, applied", f"{report.rows:,} rows", seconds, peak, _counts(report.counts("cookie")))
                )
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
    print(
        f"Process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB. "
        f"Python {sys.version.split()[0]}, SQLite, {os.cpu_count()} CPUs."
    )
    print("Peak MiB: tracemalloc's peak of Python allocations during the step (a second, untimed run).")
    print(f"Rerun: .venv/bin/python bench/bench_export.py --cookies {args.cookies}")


def _counts(counts):
    return ", ".join(f"{n} {action}" for action, n in counts.items() if n)


if __name__ == "__main__":
    main()
