"""Benchmark: published versions, on SQLite (the embedded default) under gunicorn.

    .venv/bin/python bench/bench_publication.py            # about 6 minutes
    .venv/bin/python bench/bench_publication.py --quick    # a shorter try

What it measures, each against what issue 10 asks:
- serving the current version at 2,264 and 10,000 cookies, identity and gzip, against a
  baseline app returning the same bytes and headers from memory under the same gunicorn
  settings (bench/baseline_app.py), run alternately with it: the ratio of requests per second;
- the wire bytes of the 10,000-cookie page with gzip and brotli, against identity;
- publishing 10,000 cookies: the snapshot, both renderings, their compression (in-process);
- the archive page with 1,000 versions: p50/p99, from memory and made anew (bypass header);
- the diff of two 10,000-cookie versions (in-process), and its page made anew.
It prints figures and asserts nothing.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import Gunicorn, get, wrk  # noqa: E402

SECRET = "bench-secret-key-not-for-production"
SALT = "bench-password-salt"


def make_app(url):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "SECURITY_PASSWORD_SALT": SALT})


def prepare(url):
    from flask_migrate import upgrade

    from inventory.publication.versions import ensure_first_version
    from inventory.seed import load_seed
    from models import db

    app = make_app(url)
    with app.app_context():
        upgrade()
        load_seed()
        ensure_first_version(db.session)
        db.session.remove()
    return app


def grow_and_publish(app, size, note):
    """Bring the inventory to ``size`` cookies and publish it; returns the publication's
    seconds (snapshot, checks, both renderings and their compression)."""
    from sqlalchemy import func, select

    from bench.dataset import add_cookies, publish_inventory
    from models import Cookie, db

    with app.app_context():
        add_cookies(db.session, size - db.session.scalar(select(func.count()).select_from(Cookie)))
        db.session.remove()
    return publish_inventory(app, note)


def serve_against_baseline(server, workdir, path, encoding, args):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    get(server.port, path, headers)
    response, body = get(server.port, path, headers)
    assert response.status == 200, response.status
    (workdir / "body").write_bytes(body)
    skip = {"server", "date", "connection", "content-length", "transfer-encoding"}
    (workdir / "headers.json").write_text(
        json.dumps([(k, v) for k, v in response.getheaders() if k.lower() not in skip])
    )
    wrk_headers = [f"Accept-Encoding: {encoding}"] if encoding else []
    baseline = Gunicorn(
        "bench.baseline_app:app",
        {"BASELINE_BODY": str(workdir / "body"), "BASELINE_HEADERS": str(workdir / "headers.json")},
        workdir / "baseline.log",
    )
    runs = {"baseline": [], "app": []}
    with baseline:
        wrk(baseline.url(path), duration=1, connections=args.connections, headers=wrk_headers)
        wrk(server.url(path), duration=1, connections=args.connections, headers=wrk_headers)
        for _ in range(args.rounds):
            runs["baseline"].append(
                wrk(baseline.url(path), duration=args.duration, connections=args.connections, headers=wrk_headers)
            )
            runs["app"].append(
                wrk(server.url(path), duration=args.duration, connections=args.connections, headers=wrk_headers)
            )
    best = {kind: max(found, key=lambda r: r["rps"]) for kind, found in runs.items()}
    errors = sum(r["non2xx"] + r["socket_errors"] for found in runs.values() for r in found)
    return len(body), best, errors


def many_versions(app, count):
    """``count`` more versions, each changing one purpose text (a small inventory: what
    matters here is the number of versions the archive lists)."""
    from sqlalchemy import select

    from bench.dataset import publish_inventory
    from models import Purpose, db

    for n in range(count):
        with app.app_context():
            purpose = db.session.scalars(select(Purpose).order_by(Purpose.id).limit(1)).one()
            purpose.description_fr = f"Finalité, révision {n}"
            purpose.description_en = f"Purpose, revision {n}"
            db.session.commit()
            db.session.remove()
        publish_inventory(app, f"Révision {n} de la finalité")
        if n % 100 == 99:
            print(f"    {n + 1} versions", flush=True)


def time_diff(app, older, newer, rounds=3):
    from charte.changes import describe
    from inventory.publication.versions import document_of, version_number
    from models import db

    with app.app_context(), app.test_request_context("/"):
        a, b = document_of(version_number(db.session, older)), document_of(version_number(db.session, newer))
        best = None
        for _ in range(rounds):
            started = time.perf_counter()
            lines = describe(a, b, "fr")
            seconds = time.perf_counter() - started
            best = seconds if best is None else min(best, seconds)
        db.session.remove()
    return best, len(lines)


def change_some_cookies(app, every):
    """Change the service text of one cookie in ``every`` (the next version's diff)."""
    from sqlalchemy import update

    from models import Cookie, db

    with app.app_context():
        db.session.execute(
            update(Cookie).where(Cookie.id % every == 0).values(service_fr=Cookie.service_fr + " (revu)")
        )
        db.session.commit()
        db.session.remove()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 s rounds, 100 archived versions")
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--versions", type=int, default=1000)
    args = parser.parse_args()
    if args.quick:
        args.duration, args.rounds, args.versions = 2, 1, 100
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-publication-") as folder:
        workdir = Path(folder)
        url = f"sqlite:///{workdir / 'bench.db'}"
        env = {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "SECURITY_PASSWORD_SALT": SALT,
            "CHARTE_SIGNAL_FILE": str(workdir / "charte.signal"),
            "CHARTE_CACHE_BYPASS_HEADER": "1",
        }
        os.environ.update(env)
        app = prepare(url)

        print(f"Serving the current version (wrk -t2 -c{args.connections} -d{args.duration}s, best of {args.rounds}):")
        sizes = {}
        for size in (2264, 10000):
            published = grow_and_publish(app, size, f"{size} cookies")
            print(
                f"  published {size:,} cookies in {published:.2f} s (snapshot, 2 renderings, gzip and brotli)",
                flush=True,
            )
            with Gunicorn("wsgi:app", env, workdir / "app.log") as server:
                for encoding in (None, "gzip"):
                    nbytes, best, errors = serve_against_baseline(server, workdir, "/fr/cookies", encoding, args)
                    sizes[size, encoding] = nbytes
                    ratio = best["app"]["rps"] / best["baseline"]["rps"]
                    print(
                        f"  {size:>6,} cookies {encoding or 'identity':<8} {nbytes / 1024:>7.0f} KiB  "
                        f"baseline {best['baseline']['rps']:>7.0f}/s  app {best['app']['rps']:>7.0f}/s  "
                        f"ratio {ratio:.2f}  app p50 {best['app']['p50']:.1f} ms p99 {best['app']['p99']:.1f} ms  "
                        f"errors {errors}",
                        flush=True,
                    )
                _, brotli_body = get(server.port, "/fr/cookies", {"Accept-Encoding": "br"})
                sizes[size, "br"] = len(brotli_body)
        identity = sizes[10000, None]
        print(
            f"Wire bytes at 10,000 cookies: identity {identity:,}, gzip {sizes[10000, 'gzip']:,} "
            f"(1/{identity / sizes[10000, 'gzip']:.1f}), brotli {sizes[10000, 'br']:,} (1/{identity / sizes[10000, 'br']:.1f})"
        )

        change_some_cookies(app, 10)
        published = grow_and_publish(app, 10000, "One cookie in ten reworded")
        print(f"Published a 10,000-cookie version with 1,000 changed cookies in {published:.2f} s")
        from inventory.publication.versions import current_version
        from models import db

        with app.app_context():
            newest = current_version(db.session).number
            db.session.remove()
        seconds, lines = time_diff(app, newest - 1, newest)
        print(f"Diff of two 10,000-cookie versions: {seconds:.2f} s ({lines:,} changed records)")
        with Gunicorn("wsgi:app", env, workdir / "app.log") as server:
            changes = wrk(
                server.url(f"/fr/cookies/versions/{newest}/changes"),
                duration=args.duration,
                connections=1,
                threads=1,
                headers=["X-Charte-Cache-Bypass: 1"],
            )
            print(f"  its page made anew: p50 {changes['p50']:.0f} ms p99 {changes['p99']:.0f} ms")

    # The archive at 1,000 versions, on a small inventory of its own.
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as folder:
        workdir = Path(folder)
        url = f"sqlite:///{workdir / 'bench.db'}"
        env = {**env, "DATABASE_URL": url, "CHARTE_SIGNAL_FILE": str(workdir / "charte.signal")}
        os.environ.update(env)
        app = prepare(url)
        started = time.perf_counter()
        print(f"Publishing {args.versions:,} versions:", flush=True)
        many_versions(app, args.versions - 1)
        print(f"  {args.versions:,} versions in {time.perf_counter() - started:.0f} s")
        with Gunicorn("wsgi:app", env, workdir / "app.log") as server:
            response, body = get(server.port, "/fr/cookies/versions")
            assert response.status == 200
            stored = wrk(server.url("/fr/cookies/versions"), duration=args.duration, connections=args.connections)
            fresh = wrk(
                server.url("/fr/cookies/versions"),
                duration=args.duration,
                connections=1,
                threads=1,
                headers=["X-Charte-Cache-Bypass: 1"],
            )
        print(
            f"Archive page with {args.versions:,} versions ({len(body) / 1024:.0f} KiB): from memory p50 {stored['p50']:.1f} ms "
            f"p99 {stored['p99']:.1f} ms ({stored['rps']:.0f}/s at {args.connections} connections); made anew p50 "
            f"{fresh['p50']:.1f} ms p99 {fresh['p99']:.1f} ms"
        )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
