"""A small site to scan, on this machine: ``site.localhost`` sets cookies and storage and
loads ``tracker.localhost``, a third party with a cookie and a pixel.

    .venv/bin/python -m tests.scan_site --port 8765

serves both on 127.0.0.1:8765; scan http://site.localhost:8765/ with
SCANNER_HOST_RESOLVER_RULES="MAP *.localhost 127.0.0.1" and
SCANNER_ALLOWED_NETWORKS=127.0.0.1/32 (README, Scanning the site). Host names under
``.localhost`` because Chromium treats them as secure origins over plain http, so the tracker
can set the ``SameSite=None; Secure`` cookie a real tracker sets over https.

What each page does, for the tests (tests/scanner/) and the benchmark (bench/bench_scan.py):
- every page: ``sid`` (HttpOnly, from the server, session), ``ui_lang`` (JavaScript, 30 days),
  the localStorage key ``theme``, the sessionStorage key ``visit``, the IndexedDB database
  ``offline-cache``, the marketing cookie ``_gcl_au`` (90 days, Google Ads in the Open Cookie Database) set before any choice, and
  ``tracker.localhost``'s pixel, whose answer sets ``trk_uid`` (390 days, third party);
- the banner (orestbida/cookieconsent v3 markup): "accept" sets ``consent=all`` and the
  statistics cookie ``_pk_id.1`` (13 months) on this and every later page; "refuse" sets
  ``consent=necessary``;
- ``/pages/N`` links to the next pages (``PAGES`` of them), ``/sitemap.xml`` lists a few,
  ``robots.txt`` names it; ``/slow`` never finishes loading; ``/to-private`` redirects to
  127.0.0.2.
"""

import argparse
import time

from flask import Flask, Response, redirect, request

PAGES = 30
_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<h1>{title}</h1>
<nav>{links}</nav>
<img src="//tracker.localhost:{port}/pixel.gif?page={path}" width="1" height="1" alt="">
<div id="cc-main" hidden>
  <div class="cm">
    <p>Nous utilisons des cookies.</p>
    <button type="button" class="cm__btn" data-role="all">Tout accepter</button>
    <button type="button" class="cm__btn cm__btn--secondary" data-role="necessary">Tout refuser</button>
  </div>
</div>
<script>
const year = 60 * 60 * 24 * 365;
document.cookie = "ui_lang=fr; max-age=" + 60 * 60 * 24 * 30 + "; path=/";
document.cookie = "_gcl_au=1.1.123; max-age=" + 60 * 60 * 24 * 90 + "; path=/";
localStorage.setItem("theme", "dark");
sessionStorage.setItem("visit", "1");
indexedDB.open("offline-cache");
function accepted() {{
  document.cookie = "_pk_id.1=abc; max-age=" + Math.round(year * 13 / 12) + "; path=/";
}}
const choice = (document.cookie.match(/(?:^|; )consent=([^;]*)/) || [])[1];
const banner = document.getElementById("cc-main");
if (!choice) banner.hidden = false;
if (choice === "all") accepted();
banner.addEventListener("click", (event) => {{
  const role = event.target.dataset.role;
  if (!role) return;
  document.cookie = "consent=" + role + "; max-age=" + 60 * 60 * 24 * 182 + "; path=/";
  if (role === "all") accepted();
  banner.hidden = true;
}});
</script>
</body></html>"""


def create_app():
    app = Flask(__name__)

    def port():
        return request.host.rpartition(":")[2] or "80"

    def tracker():
        return request.host.split(":")[0].startswith("tracker.")

    def page(path, title, links):
        html = _PAGE.format(
            title=title,
            port=port(),
            path=path,
            links=" ".join(f'<a href="{href}">{text}</a>' for href, text in links),
        )
        response = Response(html, mimetype="text/html")
        if "sid" not in request.cookies:
            response.set_cookie("sid", "s3ss10n", httponly=True, samesite="Lax")
        return response

    @app.get("/")
    def index():
        if tracker():
            return Response("tracker", mimetype="text/plain")
        return page("/", "Accueil", [("/pages/1", "Page 1"), ("/about", "À propos"), ("mailto:x@example.org", "mail")])

    @app.get("/about")
    def about():
        return page("/about", "À propos", [("/", "Accueil")])

    @app.get("/pages/<int:number>")
    def numbered(number):
        links = [(f"/pages/{n}", f"Page {n}") for n in (number + 1, number + 2) if n <= PAGES]
        return page(f"/pages/{number}", f"Page {number}", links)

    @app.get("/sitemap.xml")
    def sitemap():
        host = request.host_url.rstrip("/")
        urls = "".join(f"<url><loc>{host}{path}</loc></url>" for path in ("/", "/about", "/legal"))
        xml = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        return Response(xml, mimetype="application/xml")

    @app.get("/robots.txt")
    def robots():
        return Response(f"User-agent: *\nSitemap: {request.host_url}sitemap.xml\n", mimetype="text/plain")

    @app.get("/legal")
    def legal():
        return page("/legal", "Mentions légales", [("/slow", "Lente"), ("/to-private", "Interne")])

    @app.get("/slow")
    def slow():
        def body():
            yield "<!doctype html><title>Lente</title>"
            time.sleep(60)  # never finishes within a scan's page timeout
            yield "</html>"

        return Response(body(), mimetype="text/html")

    @app.get("/to-private")
    def to_private():
        return redirect(f"http://127.0.0.2:{port()}/secret")

    @app.get("/secret")
    def secret():
        return Response("internal", mimetype="text/plain")

    @app.get("/pixel.gif")
    def pixel():
        gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
        response = Response(gif, mimetype="image/gif")
        if tracker():
            response.set_cookie("trk_uid", "u1", max_age=390 * 86400, samesite="None", secure=True)
        return response

    return app


def serve(port=0):
    """(server, port): the fixture site in a background thread (tests, benchmark)."""
    import logging
    import threading

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", port, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_port


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The scanner's fixture site (tests/scan_site.py).")
    parser.add_argument("--port", type=int, default=8765)
    port = parser.parse_args().port
    print(f"Fixture site: http://site.localhost:{port}/ (and tracker.localhost:{port}); Ctrl+C stops it.")
    create_app().run(host="127.0.0.1", port=port, threaded=True)
