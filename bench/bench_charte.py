"""Benchmark: the charte and the back office under gunicorn, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_charte.py            # the full run (about 14 minutes)
    .venv/bin/python bench/bench_charte.py --quick    # a smaller, shorter run to try it out

For each database it applies the migrations, starts gunicorn with gunicorn.conf.py (2 workers)
on 127.0.0.1 and measures with wrk: the cached policy against a baseline app serving the same
bytes (bench/baseline_app.py), the first render (cache bypassed with a header only this
server honours), the back-office cookie list at 100,000 cookies, and a soak with a save every
second. The README's Performance section says what each figure means. It prints figures and
asserts nothing; the load average is printed with them.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import Gunicorn, get, wrk  # noqa: E402

SECRET = "bench-secret-key-not-for-production"
SALT = "bench-password-salt"
ADMIN_EMAIL = "bench-admin@example.com"
ADMIN_PASSWORD = "a long bench password 42"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/cookie_charte_bench"
SOAK_PREFIX = "Soak "

COOKIE_LUA = """
init = function(args)
  wrk.headers["Cookie"] = args[1]
end
"""

SOAK_LUA = """
local marker_path
local expected = 0
local sent_with = 0
checked, stale, non2xx, unreadable = 0, 0, 0, 0
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  marker_path = args[1]
end

request = function()
  -- The number of the last save whose commit has returned, read as this request is sent.
  local file = io.open(marker_path, "r")
  if file then
    expected = tonumber(file:read("*l")) or expected
    file:close()
  end
  sent_with = expected
  return wrk.format(nil)
end

response = function(status, headers, body)
  checked = checked + 1
  if status ~= 200 then
    non2xx = non2xx + 1
    return
  end
  local shown = tonumber(string.match(body, "@SOAK_PREFIX@(%d+)"))
  if shown == nil then
    unreadable = unreadable + 1
  elseif shown < sent_with then
    stale = stale + 1
  end
end

done = function(summary, latency, requests)
  local totals = {checked = 0, stale = 0, non2xx = 0, unreadable = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + (thread:get(key) or 0)
    end
  end
  io.write(string.format("SOAK checked=%d stale=%d non2xx=%d unreadable=%d\\n",
    totals.checked, totals.stale, totals.non2xx, totals.unreadable))
end
""".replace("@SOAK_PREFIX@", SOAK_PREFIX)


# --- Databases -------------------------------------------------------------------------------


@contextmanager
def sqlite_database(workdir):
    yield f"sqlite:///{workdir / 'bench.db'}"


@contextmanager
def postgres_database(url):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))

    drop()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    try:
        yield target.render_as_string(hide_password=False)
    finally:
        drop()
        admin.dispose()


def prepare(url):
    """Migrations, the sample inventory, a soak cookie listed first, an administrator."""
    from flask_migrate import upgrade

    from account.users import create_user
    from app import create_app
    from inventory.seed import load_seed
    from models import Category, Cookie, Provider, Purpose, db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "SECURITY_PASSWORD_SALT": SALT})
    with app.app_context():
        upgrade()
        load_seed()
        necessary = db.session.query(Category).filter_by(key="necessary").one()
        purpose = db.session.query(Purpose).order_by(Purpose.id).first()
        # "AAA" sorts first: the soak's check finds its text at the top of the page.
        provider = Provider(name="AAA soak provider")
        db.session.add(
            Cookie(
                name="aaa_soak",
                provider=provider,
                category=necessary,
                purposes=[purpose],
                service_fr=f"{SOAK_PREFIX}000000",
                service_en="Soak",
                lifetime_unit="days",
                lifetime_amount=1,
            )
        )
        db.session.commit()
        create_user(ADMIN_EMAIL, ADMIN_PASSWORD, "admin")
        db.session.remove()
    return app


def grow(app, size):
    from sqlalchemy import func, select

    from bench.dataset import add_cookies, publish_inventory
    from models import Cookie, db

    with app.app_context():
        missing = size - db.session.scalar(select(func.count()).select_from(Cookie))
        started = time.perf_counter()
        add_cookies(db.session, missing)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does within a minute of a bulk load (it is off on some test
            # machines): statistics, without which the planner reads 150,000 purpose links to
            # find fifty cookies' purposes, and the visibility map, which lets count(*) read
            # an index instead of the table.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        db.session.remove()
    # Visitors see what is published: the grown inventory goes out as the next version.
    publish_inventory(app, f"{size} cookies")
    return time.perf_counter() - started


# --- Measures --------------------------------------------------------------------------------


def measure_charte(server, size, workdir, args, results, label):
    url = server.url("/fr/cookies")
    get(server.port, "/fr/cookies")
    response, body = get(server.port, "/fr/cookies")
    assert response.status == 200
    (workdir / "body.html").write_bytes(body)
    skip = {"server", "date", "connection", "content-length", "transfer-encoding"}
    (workdir / "headers.json").write_text(
        json.dumps([(k, v) for k, v in response.getheaders() if k.lower() not in skip])
    )
    baseline = Gunicorn(
        "bench.baseline_app:app",
        {"BASELINE_BODY": str(workdir / "body.html"), "BASELINE_HEADERS": str(workdir / "headers.json")},
        workdir / "baseline.log",
    )
    runs = {"baseline": [], "cached": []}
    with baseline:
        base_url = baseline.url("/fr/cookies")
        wrk(base_url, duration=1, connections=args.connections)  # warm both servers
        wrk(url, duration=1, connections=args.connections)
        for _ in range(args.rounds):
            runs["baseline"].append(wrk(base_url, duration=args.duration, connections=args.connections))
            runs["cached"].append(wrk(url, duration=args.duration, connections=args.connections))
    best = {kind: max(found, key=lambda r: r["rps"]) for kind, found in runs.items()}
    first = wrk(url, duration=args.duration, connections=1, threads=1, headers=["X-Charte-Cache-Bypass: 1"])
    row = {
        "database": label,
        "cookies": size,
        "page_kib": len(body) / 1024,
        "baseline": best["baseline"],
        "cached": best["cached"],
        "ratio": best["cached"]["rps"] / best["baseline"]["rps"],
        "first_render": first,
        "errors": sum(r["non2xx"] + r["socket_errors"] for found in runs.values() for r in found)
        + first["non2xx"]
        + first["socket_errors"],
    }
    results["charte"].append(row)
    print(
        f"  {label:<10} {size:>7,} cookies  {row['page_kib']:>7.0f} KiB  baseline {best['baseline']['rps']:>8.0f}/s  "
        f"cached {best['cached']['rps']:>8.0f}/s  ratio {row['ratio']:.2f}  first render p50 {first['p50']:.0f} ms p99 {first['p99']:.0f} ms",
        flush=True,
    )


def soak(app, server, workdir, args, results, label):
    from sqlalchemy import select

    from bench.dataset import publish_inventory
    from models import Cookie, db

    marker = workdir / "soak-marker"
    marker.write_text("0\n")
    script = workdir / "soak.lua"
    script.write_text(SOAK_LUA)
    stop = threading.Event()
    saves = []

    def editor():
        number = 0
        with app.app_context():
            while not stop.wait(1.0):
                number += 1
                started = time.perf_counter()
                cookie = db.session.scalars(select(Cookie).where(Cookie.name == "aaa_soak")).one()
                cookie.service_fr = f"{SOAK_PREFIX}{number:06d}"
                db.session.commit()
                db.session.remove()
                publish_inventory(app, f"Soak {number}")
                saves.append(time.perf_counter() - started)
                # Only now that the publication has returned do requests have to show it.
                tmp = marker.with_suffix(".tmp")
                tmp.write_text(f"{number}\n")
                os.replace(tmp, marker)
            db.session.remove()

    thread = threading.Thread(target=editor)
    thread.start()
    try:
        found = wrk(
            server.url("/fr/cookies"),
            duration=args.soak_seconds,
            connections=32,
            threads=32,
            script=script,
            script_args=[str(marker)],
        )
    finally:
        stop.set()
        thread.join()
    counts = dict(re.findall(r"(\w+)=(\d+)", re.search(r"SOAK (.*)", found["output"]).group(1)))
    row = {
        "database": label,
        "cookies": args.soak_cookies,
        "seconds": args.soak_seconds,
        "requests": found["requests"],
        "rps": found["rps"],
        "p50": found["p50"],
        "p99": found["p99"],
        "saves": len(saves),
        "save_ms": 1000 * sum(saves) / max(len(saves), 1),
        "errors": found["socket_errors"] + int(counts["non2xx"]),
        "stale": int(counts["stale"]),
        "unreadable": int(counts["unreadable"]),
        "checked": int(counts["checked"]),
    }
    results["soak"].append(row)
    print(
        f"  soak {label}: {row['requests']:,} requests, {row['saves']} saves, errors {row['errors']}, "
        f"stale {row['stale']}, unreadable {row['unreadable']}",
        flush=True,
    )


def login(port):
    """The session cookie of the bench administrator, logged in through the login form."""
    response, body = get(port, "/account/login")
    cookies = _cookies(response)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST",
        "/account/login",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(cookies)},
    )
    answer = connection.getresponse()
    answer.read()
    if answer.status != 302:
        raise RuntimeError(f"login failed: {answer.status}")
    cookies.update(_cookies(answer))
    return _cookie_header(cookies)


def _cookies(response):
    found = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            found[key.strip()] = val
    return found


def _cookie_header(cookies):
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


ADMIN_PAGES = (
    ("first page", "/admin/cookie/"),
    ("search", "/admin/cookie/?search=audience"),
    ("rare search", "/admin/cookie/?search=_ga"),
    ("filter", "/admin/cookie/?flt0_2=third"),
    ("filter + sort", "/admin/cookie/?flt0_1=statistics&sort=1"),
)


def measure_admin(server, size, workdir, args, results, label):
    cookie = login(server.port)
    script = workdir / "cookie.lua"
    script.write_text(COOKIE_LUA)
    for name, path in ADMIN_PAGES:
        response, body = get(server.port, path, {"Cookie": cookie})
        if response.status != 200 or b"model-list" not in body:
            raise RuntimeError(f"{path}: not the cookie list ({response.status})")
        # One editor at a time, then four at once (as many as the server has threads).
        for connections in (1, 4) if name == "first page" else (1,):
            found = wrk(
                server.url(path), duration=args.duration, connections=connections, script=script, script_args=[cookie]
            )
            row = {"database": label, "cookies": size, "page": name, "path": path, "connections": connections, **found}
            results["admin"].append(row)
            print(
                f"  admin {label} {size:,} {name:<14} c{connections} {found['rps']:>6.1f}/s "
                f"p50 {found['p50']:.0f} ms p99 {found['p99']:.0f} ms",
                flush=True,
            )


# --- Report ----------------------------------------------------------------------------------


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}"


def report(results, args, command):
    print()
    print(f"Machine: {machine()}; load average {results['load_before']} before, {os.getloadavg()[0]:.2f} after.")
    print(f"gunicorn.conf.py: 2 workers x {os.environ.get('GUNICORN_THREADS', '2')} threads (gthread), access log on.")
    if args.recheck is not None:
        print(f"CHARTE_RECHECK_SECONDS={args.recheck}")
    print()
    print(
        f"Charte /fr/cookies: wrk -t2 -c{args.connections} -d{args.duration}s, best of {args.rounds} rounds alternating with the baseline;"
    )
    print("first render: wrk -t1 -c1 with the cache bypassed (X-Charte-Cache-Bypass: 1).")
    print()
    header = (
        f"| {'database':<10} | {'cookies':>7} | {'page':>8} | {'baseline req/s':>14} | {'cached req/s':>12} | {'ratio':>5} "
        f"| {'cached p50 / p99':>16} | {'first render p50 / p99':>22} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for row in results["charte"]:
        cached, first = row["cached"], row["first_render"]
        print(
            f"| {row['database']:<10} | {row['cookies']:>7,} | {row['page_kib']:>5.0f} KiB | {row['baseline']['rps']:>14,.0f} "
            f"| {cached['rps']:>12,.0f} | {row['ratio']:>5.2f} | {cached['p50']:>6.1f} / {cached['p99']:>5.1f} ms "
            f"| {first['p50']:>9.0f} / {first['p99']:>5.0f} ms |"
        )
    if results["admin"]:
        print()
        print(
            f"Back office, logged in as an administrator: wrk -d{args.duration}s at 1 connection (one editor), "
            "and 4 (the server's threads)."
        )
        print()
        print(
            f"| {'database':<10} | {'cookies':>7} | {'page':<14} | {'path':<40} | conn. | {'req/s':>6} | {'p50':>7} | {'p99':>7} |"
        )
        print(f"|------------|---------|----------------|{'-' * 42}|-------|--------|---------|---------|")
        for row in results["admin"]:
            print(
                f"| {row['database']:<10} | {row['cookies']:>7,} | {row['page']:<14} | {row['path']:<40} | {row['connections']:>5} "
                f"| {row['rps']:>6.1f} | {row['p50']:>4.0f} ms | {row['p99']:>4.0f} ms |"
            )
    print()
    print("Soak: wrk -t32 -c32 on /fr/cookies while a change is saved every second (ORM, another process).")
    print()
    print(f"| {'database':<10} | {'cookies':>7} | seconds | requests | req/s | p99 | saves | errors | stale |")
    print("|------------|---------|---------|----------|-------|-----|-------|--------|-------|")
    for row in results["soak"]:
        print(
            f"| {row['database']:<10} | {row['cookies']:>7,} | {row['seconds']:>7} | {row['requests']:>8,} | {row['rps']:>5.0f} "
            f"| {row['p99']:.0f} ms | {row['saves']:>5} | {row['errors']:>6} | {row['stale']:>5} |"
        )
    errors = sum(row["errors"] for row in results["charte"])
    print()
    print(f"Errors during the charte runs: {errors}.")
    print(f"Rerun: {command}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--sizes", default="100,1000,10000", help="charte sizes, in cookies")
    parser.add_argument("--admin-cookies", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--soak-seconds", type=int, default=60)
    parser.add_argument("--soak-cookies", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="sizes 100,1000; admin at 10,000; 3 s runs; 15 s soak")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--recheck",
        help="CHARTE_RECHECK_SECONDS for the server (default: the app's, 1 s); 0 measures the strict "
        "mode that reads the revision on every request",
    )
    parser.add_argument(
        "--skip-admin", action="store_true", help="no back-office measures (and no 100,000-cookie load)"
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.admin_cookies, args.duration, args.rounds, args.soak_seconds = "100,1000", 10_000, 3, 1, 15
    sizes = sorted(int(size) for size in args.sizes.split(","))
    if args.soak_cookies not in sizes:
        parser.error("--soak-cookies must be one of --sizes")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")

    command = " ".join([".venv/bin/python", "bench/bench_charte.py", *sys.argv[1:]])
    results = {"charte": [], "admin": [], "soak": [], "load_before": f"{os.getloadavg()[0]:.2f}", "machine": machine()}
    for label in args.databases.split(","):
        with tempfile.TemporaryDirectory(prefix="bench-charte-") as tmp:
            workdir = Path(tmp)
            database = sqlite_database(workdir) if label == "sqlite" else postgres_database(args.postgres_url)
            with database as url:
                print(f"{label}: preparing {url.split('@')[-1]}", flush=True)
                app = prepare(url)
                env = {
                    "DATABASE_URL": url,
                    "SECRET_KEY": SECRET,
                    "SECURITY_PASSWORD_SALT": SALT,
                    "CHARTE_CACHE_BYPASS_HEADER": "1",
                }
                if args.recheck is not None:
                    env["CHARTE_RECHECK_SECONDS"] = args.recheck
                with Gunicorn("wsgi:app", env, workdir / "app.log") as server:
                    for size in sizes:
                        grow(app, size)
                        measure_charte(server, size, workdir, args, results, label)
                        if size == args.soak_cookies:
                            soak(app, server, workdir, args, results, label)
                    if not args.skip_admin:
                        seconds = grow(app, args.admin_cookies)
                        print(
                            f"  {label}: {args.admin_cookies:,} cookies loaded in {seconds:.0f} s (setup)", flush=True
                        )
                        measure_admin(server, args.admin_cookies, workdir, args, results, label)
                from models import db

                with app.app_context():
                    db.engine.dispose()
    report(results, args, command)
    if args.json:
        for row in results["charte"]:
            for key in ("baseline", "cached", "first_render"):
                row[key].pop("output", None)
        for row in results["admin"]:
            row.pop("output", None)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
