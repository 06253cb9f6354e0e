"""A scan: Chromium (through Playwright) visits the site's pages in each scenario and records
what it sets and contacts. Pure observation: comparing with the inventory is ``compare``.

    result = scan(ScanOptions(url="https://www.example.org/"), progress=print)

Each scenario runs in a fresh browser profile, with third-party cookies allowed as in a
regular Chrome profile (a Playwright "incognito" context blocks them, which would hide the
trackers the legal team most needs to see). The browser reaches the network only through
``scanner.proxy`` and never carries the back office's cookies or credentials.
"""

import contextlib
import json
import logging
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import URLError
from urllib.request import ProxyHandler, build_opener

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from rules.language import LANGUAGES

from .addresses import AddressRefused, Resolver, check_url
from .banners import candidates
from .discovery import MAX_SITEMAPS, SITEMAP_BYTES, Frontier, robots_sitemaps, same_site, site_host, sitemap_locations
from .proxy import GuardProxy

log = logging.getLogger(__name__)

SCENARIOS = ("none", "refuse", "accept")
SCENARIO_NAMES = {
    "none": _l("No choice made"),
    "refuse": _l("Refuse all"),
    "accept": _l("Accept all"),
}
MAX_PAGES = 200
MAX_ITEMS = 5000  # items observed in one scan, at most (a page could create millions of keys)
BANNER_SECONDS = 6  # how long to look for the banner's button on the first page
SETTLE_MS = 3000  # after "load", how long a page may keep the network busy before we read it anyway
_LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-client-side-phishing-detection",
    "--disable-features=OptimizationHints,MediaRouter,Translate",
    # Some consent managers hide their banner from automated browsers (navigator.webdriver).
    "--disable-blink-features=AutomationControlled",
    # Let the proxy see loopback hosts too (Chromium sends them direct by default).
    "--proxy-bypass-list=<-loopback>",
]
_STORAGE_SCRIPT = """async () => {
  const out = {origin: location.origin, local: [], session: [], idb: []};
  try { out.local = Object.keys(localStorage).slice(0, 500); } catch (e) {}
  try { out.session = Object.keys(sessionStorage).slice(0, 500); } catch (e) {}
  try { out.idb = (await indexedDB.databases()).map(d => d.name).slice(0, 100); } catch (e) {}
  return out;
}"""
_LINKS_SCRIPT = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href).slice(0, 2000)"


@dataclass
class ScanOptions:
    url: str
    max_pages: int = 20
    time_limit: int = 300  # seconds, the whole scan
    page_timeout: int = 20  # seconds, one page's load
    scenarios: tuple = SCENARIOS
    accept_selector: str | None = None
    refuse_selector: str | None = None
    consent_manager: str | None = None  # the site's declared manager: its buttons are tried first
    chromium: str = "/usr/bin/chromium"
    resolver: Resolver = field(default_factory=Resolver)
    extra_args: tuple = ()


def bilingual(message):
    """A message in both languages ({"fr": …, "en": …}): a scan's notes are stored once and
    read later in whichever language the reader uses."""
    texts = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            texts[lang] = str(message)
    return texts


def said(texts, lang):
    """A stored message in ``lang`` (older or plain strings as they are)."""
    return texts.get(lang) or texts.get("fr", "") if isinstance(texts, dict) else (texts or "")


class ScanFailed(Exception):
    """The scan could not run at all (no browser, start address refused); ``message`` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def party_of(domain, base_host):
    """ "first" when ``domain`` is the site's host, one of its subdomains or a parent of it."""
    domain = (domain or "").lstrip(".").lower()
    if not domain:
        return "first"
    return "first" if same_site("http://" + domain, base_host) or base_host.endswith("." + domain) else "third"


class _Observer:
    """What one scan saw, merged across scenarios: items keyed by what they are, each with
    the first page each scenario saw it on."""

    def __init__(self, base_host):
        self.base_host = base_host
        self.items = {}
        self.hosts = {}
        self.page = None
        self.scenario = None

    def _see(self, key, values):
        item = self.items.get(key)
        if item is None:
            if len(self.items) >= MAX_ITEMS:
                return
            item = self.items[key] = values | {"seen": {}}
        item["seen"].setdefault(self.scenario, self.page)

    def forget(self, scenario):
        """Drop what ``scenario`` saw: without its banner button, it is not what that choice does."""
        for store in (self.items, self.hosts):
            for key in list(store):
                store[key]["seen"].pop(scenario, None)
                if not store[key]["seen"]:
                    del store[key]

    def request(self, request):
        host = site_host(request.url) if request.url.startswith(("http:", "https:")) else ""
        if not host or party_of(host, self.base_host) == "first":
            return
        entry = self.hosts.setdefault(host, {"host": host, "party": "third", "seen": {}, "kinds": []})
        entry["seen"].setdefault(self.scenario, self.page)
        if request.resource_type not in entry["kinds"] and len(entry["kinds"]) < 10:
            entry["kinds"].append(request.resource_type)
        if request.resource_type == "image":
            key = ("pixel", host, host, "")
            self._see(key, {"kind": "pixel", "name": host, "domain": host, "path": "", "party": "third"})

    def cookies(self, cookies, now):
        for cookie in cookies:
            expires = cookie.get("expires", -1)
            lifetime = None if expires is None or expires < 0 else max(0, int(expires - now))
            domain = cookie["domain"]
            key = ("http_cookie", cookie["name"], domain, cookie["path"])
            values = {
                "kind": "http_cookie",
                "name": cookie["name"][:255],
                "domain": domain,
                "path": cookie["path"],
                "lifetime_seconds": lifetime,
                "http_only": cookie.get("httpOnly", False),
                "secure": cookie.get("secure", False),
                "same_site": cookie.get("sameSite"),
                "party": party_of(domain, self.base_host),
            }
            self._see(key, values)
            # The longest lifetime seen is what the policy must state.
            item = self.items.get(key)
            if item is not None and lifetime is not None and (item.get("lifetime_seconds") or 0) < lifetime:
                item["lifetime_seconds"] = lifetime

    def storage(self, found):
        host = site_host(found.get("origin") or "")
        if not host:
            return
        for kind, names in (("local_storage", found["local"]), ("session_storage", found["session"])):
            for name in names:
                self._see((kind, name, host, ""), self._storage_values(kind, name, host))
        for name in found["idb"]:
            self._see(("indexed_db", name, host, ""), self._storage_values("indexed_db", name, host))

    def _storage_values(self, kind, name, host):
        return {
            "kind": kind,
            "name": str(name)[:255],
            "domain": host,
            "path": "",
            "party": party_of(host, self.base_host),
        }


def _user_agent(chromium):
    """Chromium's own user agent without "HeadlessChrome", which some sites treat as a bot."""
    try:
        version = subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise ScanFailed(
            _l("The browser cannot be started (%(path)s): %(error)s", path=chromium, error=error)
        ) from None
    major = next((word.split(".")[0] for word in version.split() if word[:1].isdigit()), "130")
    return f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{major}.0.0.0 Safari/537.36"


def _fetch_text(opener, url, deadline):
    try:
        with opener.open(url, timeout=max(1, min(10, deadline - time.monotonic()))) as response:
            if response.status != 200:
                return ""
            return response.read(SITEMAP_BYTES).decode("utf-8", "replace")
    except (URLError, OSError, ValueError):
        return ""


def _sitemap_pages(proxy_url, start, deadline, limit):
    """Pages the site's sitemaps name (through the proxy, so the same checks apply)."""
    opener = build_opener(ProxyHandler({"http": proxy_url, "https": proxy_url}))
    scheme_host = start.split("/", 3)
    root = "/".join(scheme_host[:3])
    sitemaps = [root + "/sitemap.xml"] + robots_sitemaps(_fetch_text(opener, root + "/robots.txt", deadline))
    pages, read = [], 0
    while sitemaps and read < MAX_SITEMAPS and len(pages) < limit and time.monotonic() < deadline:
        url = sitemaps.pop(0)
        read += 1
        for location in sitemap_locations(_fetch_text(opener, url, deadline)):
            (sitemaps if location.lower().split("?")[0].endswith(".xml") else pages).append(location)
    return pages


class _Run:
    def __init__(self, options, progress):
        self.options = options
        self.progress = progress or (lambda state: None)
        self.deadline = time.monotonic() + options.time_limit
        self.base_host = site_host(options.url)
        self.observer = _Observer(self.base_host)
        self.pages = {}  # url -> {"url", "status", "note"}
        self.scenarios = []
        self.notes = []
        self.done = 0

    def left(self):
        return self.deadline - time.monotonic()

    def report(self, scenario, current, total):
        self.progress({"scenario": scenario, "done": self.done, "total": total, "current": current})

    def visit(self, page, url):
        """Load ``url``; False when it did not load within its timeout (noted)."""
        timeout = max(1.0, min(self.options.page_timeout, self.left()))
        try:
            response = page.goto(url, wait_until="load", timeout=timeout * 1000)
        except Exception as error:  # Playwright's TimeoutError and network errors alike
            timed_out = "Timeout" in type(error).__name__
            self.pages.setdefault(url, {"url": url})
            self.pages[url].update(
                status="timeout" if timed_out else "error",
                note=bilingual(
                    _l("Did not finish loading within %(seconds)d s: skipped.", seconds=int(timeout))
                    if timed_out
                    else _l("Could not be loaded: %(error)s", error=str(error).splitlines()[0][:200])
                ),
            )
            return False
        entry = self.pages.setdefault(url, {"url": url})
        entry.setdefault("status", "ok")
        if response is not None and response.status >= 400:
            entry.update(status="error", note=bilingual(_l("The server answered %(status)d.", status=response.status)))
        self.settle(page)
        return True

    def settle(self, page):
        """Wait for the network to go quiet, at most SETTLE_MS; a page still busy (a chat
        widget, a long poll) is read as it is."""
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=max(1, min(SETTLE_MS, self.left() * 1000)))

    def read(self, context, page):
        self.observer.cookies(context.cookies(), time.time())
        for frame in page.frames:
            try:
                self.observer.storage(frame.evaluate(_STORAGE_SCRIPT))
            except Exception:  # a frame that navigated away or was detached meanwhile
                continue

    def click_banner(self, page, scenario):
        """The selector clicked, or None when no banner button was found in time."""
        banners = candidates(self.options.accept_selector, self.options.refuse_selector, self.options.consent_manager)
        until = time.monotonic() + min(BANNER_SECONDS, max(0, self.left()))
        while time.monotonic() < until:
            for banner in banners:
                selector = banner.accept if scenario == "accept" else banner.refuse
                if not selector:
                    continue
                try:
                    button = page.locator(selector).first
                    if button.is_visible():
                        button.click(timeout=3000)
                        self.settle(page)
                        return selector
                except Exception:  # a selector the page's markup makes invalid or a detached node
                    continue
            page.wait_for_timeout(250)
        return None

    def scenario(self, playwright, key, frontier, user_agent, proxy_url):
        profile = Path(tempfile.mkdtemp(prefix="cookie-scan-"))
        try:
            (profile / "Default").mkdir()
            # A regular profile's setting: third-party cookies allowed (see the module's docstring).
            (profile / "Default" / "Preferences").write_text(
                json.dumps({"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}})
            )
            context = playwright.chromium.launch_persistent_context(
                str(profile),
                executable_path=self.options.chromium,
                headless=True,
                args=_LAUNCH_ARGS + list(self.options.extra_args),
                proxy={"server": proxy_url},
                user_agent=user_agent,
                locale="fr-FR",
                service_workers="block",
                accept_downloads=False,
            )
        except Exception as error:
            shutil.rmtree(profile, ignore_errors=True)
            raise ScanFailed(
                _l(
                    "The browser cannot be started (%(path)s): %(error)s",
                    path=self.options.chromium,
                    error=str(error).splitlines()[0][:300],
                )
            ) from None
        summary = {"key": key, "status": "done", "button": None, "pages": 0}
        self.scenarios.append(summary)
        self.observer.scenario = key
        try:
            context.on("request", self.observer.request)
            page = context.new_page()
            index = 0
            while index < len(frontier.queued):
                url = frontier.queued[index]
                index += 1
                if self.pages.get(url, {}).get("status") == "timeout":
                    self.done += 1
                    continue  # it never loaded in an earlier scenario: not waited for again
                total = len(frontier.queued) * len(self.options.scenarios)
                if self.left() <= 1:
                    summary["status"] = "time_limit"
                    break
                self.report(key, url, total)
                self.observer.page = url
                loaded = self.visit(page, url)
                if loaded and key != "none" and summary["button"] is None:
                    summary["button"] = self.click_banner(page, key)
                    if summary["button"] is None:
                        summary["status"] = "button_not_found"
                        self.observer.forget(key)
                        break
                if not loaded:
                    # A page still loading or showing an error would interrupt the next one.
                    page.close()
                    page = context.new_page()
                else:
                    summary["pages"] += 1
                    if key == "none":
                        for link in page.evaluate(_LINKS_SCRIPT):
                            frontier.add(link)
                    self.read(context, page)
                self.done += 1
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def _in_own_thread(function):
    """Run ``function`` in a thread of its own, in this thread's app context, and return
    when it ends (re-raising what it raised): Playwright's sync API refuses a thread that
    already runs an asyncio loop (a caller's own Playwright, an async server)."""
    app = current_app._get_current_object() if has_app_context() else None
    failure = []

    def target():
        try:
            if app is None:
                function()
            else:
                with app.app_context():
                    function()
        except BaseException as error:  # handed to the caller's thread
            failure.append(error)

    thread = threading.Thread(target=target, name="scan-browser", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def scan(options, progress=None):
    """Scan ``options.url``; returns the observations as a JSON-able dict. Raises ScanFailed
    when the scan cannot start (address refused, no browser)."""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    try:
        _, host, port = check_url(options.url)
        options.resolver.resolve(host, port)
    except AddressRefused as refused:
        raise ScanFailed(refused.message) from None
    max_pages = max(1, min(options.max_pages, MAX_PAGES))
    run = _Run(options, progress)
    user_agent = _user_agent(options.chromium)
    with GuardProxy(options.resolver) as proxy:
        frontier = Frontier(options.url, max_pages)
        for url in _sitemap_pages(proxy.url, options.url, run.deadline, max_pages):
            frontier.add(url)

        def browse():
            with sync_playwright() as playwright:
                for key in options.scenarios:
                    if run.left() <= 1:
                        run.scenarios.append({"key": key, "status": "time_limit", "button": None, "pages": 0})
                        continue
                    run.scenario(playwright, key, frontier, user_agent, proxy.url)

        _in_own_thread(browse)
        # The browser's own background requests (updates, safe browsing) are no concern of the site's.
        contacted = set(run.observer.hosts) | {site_host(url) for url in frontier.queued}
        refused = [
            {"host": host, "message": bilingual(message)}
            for host, message in proxy.refused
            if site_host("http://" + host) in contacted
        ]
    if run.left() <= 1:
        run.notes.append(
            bilingual(
                _l(
                    "The time limit (%(seconds)d s) was reached before every page was visited.",
                    seconds=options.time_limit,
                )
            )
        )
    for url in frontier.queued:
        run.pages.setdefault(url, {"url": url, "status": "not_visited", "note": None})
    return {
        "url": options.url,
        "site_host": run.base_host,
        "scenarios": run.scenarios,
        "pages": [run.pages[url] for url in frontier.queued],
        "items": sorted(run.observer.items.values(), key=lambda i: (i["kind"], i["name"], i["domain"], i["path"])),
        "hosts": sorted(run.observer.hosts.values(), key=lambda h: h["host"]),
        "refused": refused,
        "notes": run.notes,
        "seconds": round(time.monotonic() - started, 1),
    }
