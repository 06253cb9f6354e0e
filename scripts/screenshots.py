"""Screenshots for the README (docs/*.png), from a throw-away database with the sample charte.

.venv/bin/python scripts/screenshots.py
"""

import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from models import db  # noqa: E402

PASSWORD = "screenshot password 123"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main():
    folder = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'shots.db'}", "SECRET_KEY": "shots"})
    with app.app_context():
        db.create_all()
        from account.users import create_user
        from inventory.seed import load_seed

        load_seed()
        create_user("editor@example.com", PASSWORD, "editor")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    out = ROOT / "docs"
    out.mkdir(exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1500}, locale="fr-FR")
        page.goto(base + "/fr/cookies#ours")
        page.locator("#ours").screenshot(path=str(out / "charte-fr.png"))
        page.goto(base + "/en/cookies")
        page.screenshot(path=str(out / "charte-en.png"))
        page.goto(base + "/account/login")
        page.fill("input[name=email]", "editor@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")
        page.set_viewport_size({"width": 1280, "height": 560})
        page.goto(base + "/admin/cookie/")
        page.screenshot(path=str(out / "admin-cookies.png"))
        browser.close()
    server.shutdown()
    shutil.rmtree(folder)
    print("wrote", ", ".join(str(p.relative_to(ROOT)) for p in sorted(out.glob("*.png"))))


if __name__ == "__main__":
    main()
