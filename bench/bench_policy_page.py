"""The policy page at real size on a phone: DOMContentLoaded and load, CPU slowed 4 times.

    .venv/bin/python bench/bench_policy_page.py     # about a minute

It fills a temporary SQLite database with the whole Open Cookie Database (../shared/data), every
cookie shown, serves it with the development server on 127.0.0.1, and loads /fr/cookies in
Debian's Chromium with a phone's viewport and Chrome DevTools' CPU throttling (4x), three
times, after one warm-up load. Baseline in the same run: a page of the same size in bytes made
of one plain paragraph, served by the same server, so that the figure is the page's own cost.
"""

import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

OCD = ROOT.parent / "shared" / "data" / "open-cookie-database" / "open-cookie-database.csv"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def build_app(folder):
    from sqlalchemy import update

    from app import create_app
    from bench.dataset import publish_inventory
    from inventory.importing import import_inventory
    from inventory.seed import load_seed
    from models import Cookie, db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "SECRET_KEY": "bench",
            "CHARTE_SIGNAL_FILE": f"{folder}/signal",
        }
    )
    with app.app_context():
        db.create_all()
        load_seed()
        import_inventory(OCD.read_bytes(), filename=OCD.name, dry_run=False, skip_invalid=True)
        db.session.execute(update(Cookie).values(shown_on_policy=True))
        db.session.commit()
        count = db.session.query(Cookie).count()
        db.session.remove()
    publish_inventory(app, "The whole Open Cookie Database", marked_as_translated=True)

    size = {}

    @app.get("/bench-baseline")
    def baseline():
        return "<!DOCTYPE html><html lang=fr><title>x</title><p>" + "x" * size["bytes"] + "</p>"

    return app, count, size


def measure(page, url):
    page.goto(url, wait_until="load")  # warm-up
    runs = []
    for _ in range(3):
        page.goto(url, wait_until="load")
        runs.append(
            page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.domContentLoadedEventEnd, n.loadEventEnd, n.transferSize] }"
            )
        )
    return runs


def main():
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        app, count, size = build_app(folder)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with app.test_client() as client:
            size["bytes"] = len(client.get("/fr/cookies").data)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)
            page = context.new_page()
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
            results = {
                "/fr/cookies": measure(page, base + "/fr/cookies"),
                "baseline": measure(page, base + "/bench-baseline"),
            }
            browser.close()
        server.shutdown()
    print(f"Policy with {count} cookies, {size['bytes'] / 1024:.0f} KiB of HTML; phone viewport, CPU x4")
    print(f"{'page':<14} {'DOMContentLoaded (ms)':<28} {'load (ms)':<24}")
    for name, runs in results.items():
        dcl = ", ".join(f"{run[0]:.0f}" for run in runs)
        load = ", ".join(f"{run[1]:.0f}" for run in runs)
        print(f"{name:<14} {dcl:<28} {load:<24}")
    best = min(run[0] for run in results["/fr/cookies"])
    print(
        f"best DOMContentLoaded {best:.0f} ms (target < 1500 ms); baseline best {min(r[0] for r in results['baseline']):.0f} ms"
    )


if __name__ == "__main__":
    main()
