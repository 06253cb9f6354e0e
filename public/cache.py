"""Public pages (the published policy, its archive, its JSON) served from memory.

What visitors see moves only when a version is published (or the site's archive setting
changes): the state is the site's current version and that setting. A page is served from
this worker's memory while the state is the one it was made at; the state is read again only
when the host's change signal (signal.py) moved, or every ``CHARTE_RECHECK_SECONDS``.
``cached_response`` makes and stores a page; ``CachedPages``, a WSGI middleware before Flask,
answers a stored page without going through Flask, with a fresh CSP nonce. Each page is kept
as identity, gzip and brotli bytes made once, and served in the best one the client accepts,
with ``Vary: Accept-Encoding`` and an ETag per encoding; 304s; ``public, no-cache``.
"""

import functools
import hashlib
import os
import queue
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC

from flask import Response, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import SecurityError
from werkzeug.http import http_date, parse_accept_header, parse_date, parse_etags
from werkzeug.wsgi import get_host

from inventory.changes import inventory_changed
from inventory.publication.versions import compressed, policy_published
from models import PolicyVersion, SiteSettings, db

from .signal import ChangeSignal

# bench/bench_charte.py times first renders with this header; it is ignored unless the
# server runs with CHARTE_CACHE_BYPASS_HEADER=1.
BYPASS_HEADER = "X-Charte-Cache-Bypass"

# Headers that belong to one response, never copied from the rendered one.
_OWN_HEADERS = {
    "content-length",
    "content-encoding",
    "date",
    "etag",
    "last-modified",
    "set-cookie",
    "content-security-policy",
    "vary",
}


# --- Reading the state -----------------------------------------------------------------------

# The site's current version (id, number, publication time) and whether its archive is
# public: one row, or none before setup.
_STATE = (
    select(PolicyVersion.id, PolicyVersion.number, PolicyVersion.published_at, SiteSettings.archive_public)
    .select_from(SiteSettings)
    .outerjoin(PolicyVersion, PolicyVersion.site_id == SiteSettings.id)
    .order_by(SiteSettings.id, PolicyVersion.number.desc())
    .limit(1)
)
NOTHING_PUBLISHED = (None, 0, None, True)


@dataclass(frozen=True)
class State:
    version_id: int | None
    number: int
    published_at: object
    archive_public: bool


class StateReader:
    """Reads the inventory state on connections kept out of the pool for that alone.

    The usual path (a session checking a connection out of the pool, pinging it, resetting
    it on return) cost five times the query itself on PostgreSQL. The connections run in
    autocommit: one statement, one round trip, and no snapshot held open that would never
    see the next change (app.py emits no BEGIN for them on SQLite). A connection that fails
    is thrown away and the read tried once more on a fresh one (the database may have
    restarted)."""

    def __init__(self, engine):
        self.engine = engine
        self.idle = queue.SimpleQueue()
        event.listen(engine, "engine_disposed", self.close)

    def _connect(self):
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    @staticmethod
    def _read(connection):
        with connection.begin():
            return connection.execute(_STATE).first()

    def read(self):
        """The current ``State``."""
        try:
            connection = self.idle.get_nowait()
        except queue.Empty:
            connection = self._connect()
        try:
            row = self._read(connection)
        except DBAPIError as error:
            connection.close()
            if not error.connection_invalidated:
                raise
            connection = self._connect()
            try:
                row = self._read(connection)
            except BaseException:
                connection.close()
                raise
        except BaseException:
            connection.close()
            raise
        self.idle.put(connection)
        return State(*row) if row else State(*NOTHING_PUBLISHED)

    def close(self, engine=None):
        """Close the kept connections: the engine is being disposed of, and its old pool
        already is, so they are closed rather than given back to it."""
        while True:
            try:
                connection = self.idle.get_nowait()
            except queue.Empty:
                return
            connection.invalidate()
            connection.close()


# --- Pages -----------------------------------------------------------------------------------

ENCODINGS = ("br", "gzip")  # in the order preferred when the client accepts several equally


@dataclass
class Page:
    state: State
    body: bytes
    digest: str
    mimetype: str
    # {"gzip": bytes, "br": bytes}
    encoded: dict
    # What Flask's after_request functions added (security headers), and the CSP split
    # around the nonce it was given, for a fresh nonce per response.
    headers: list = field(default_factory=list)
    csp: tuple | None = None
    tag: str = ""
    _wire: dict = field(default_factory=dict, repr=False)

    @functools.cached_property
    def last_modified(self):
        published_at = self.state.published_at
        return published_at.replace(tzinfo=UTC) if published_at else None

    @functools.cached_property
    def last_modified_header(self):
        return http_date(self.last_modified) if self.last_modified else None

    def wire(self, accept_encoding):
        """(bytes, etag, headers of a 200, headers of a 304) for the middleware, made once per
        encoding: only the CSP (its nonce) differs from one response to the next."""
        encoding = best_encoding(accept_encoding or "")
        found = self._wire.get(encoding)
        if found is None:
            _, body, etag = self.representation(accept_encoding)
            common = [*self.headers, ("Vary", "Accept-Encoding"), ("ETag", f'"{etag}"')]
            full = list(common)
            if encoding:
                full.append(("Content-Encoding", encoding))
            if self.last_modified:
                full.append(("Last-Modified", self.last_modified_header))
            full.append(("Content-Length", str(len(body))))
            not_modified = [(k, v) for k, v in common if k.lower() != "content-type"]
            found = self._wire[encoding] = (body, etag, full, not_modified)
        return found

    def representation(self, accept_encoding):
        """(encoding or None, bytes, etag) for a client's Accept-Encoding header."""
        encoding = best_encoding(accept_encoding or "")
        if encoding is None:
            return None, self.body, self.tag
        return encoding, self.encoded[encoding], f"{self.tag}-{encoding}"


@functools.lru_cache(maxsize=64)
def best_encoding(accept_encoding):
    """ "br", "gzip" or None (identity) for an Accept-Encoding header (RFC 9110 12.5.3)."""
    accepted = parse_accept_header(accept_encoding)
    best, quality = None, 0
    for encoding in ENCODINGS:
        q = accepted.quality(encoding)
        if q > quality:
            best, quality = encoding, q
    return best


def build_page(state, key, content, mimetype, encoded=None):
    """A page from its bytes (or text), with its compressed forms (made here unless given)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    digest = hashlib.blake2b(data, digest_size=8).hexdigest()
    if encoded is None:
        gz, br = compressed(data)
        encoded = {"gzip": gz, "br": br}
    kind, lang = key[0], key[1]
    tag = f"{kind}-{lang or 'all'}-v{state.number}-{digest}"
    return Page(state=state, body=data, digest=digest, mimetype=mimetype, encoded=encoded, tag=tag)


class PageCache:
    """The pages of one worker, a few at most: the current policy in each language, the
    archive, the feeds, and the last archived versions asked for."""

    def __init__(self, max_pages=16):
        self.max_pages = max_pages
        self.reader = None
        self.signal = None
        self.recheck = 0.0
        # (signal bytes seen before the last read, monotonic time of the next forced read, state)
        self._seen = None
        self._pages = OrderedDict()
        self._lock = threading.Lock()
        self._render_locks = {}

    def clear(self):
        with self._lock:
            self._pages.clear()
            self._seen = None

    def configure(self, engine, signal_path, recheck):
        if self.reader is None or self.reader.engine is not engine:
            self.reader = StateReader(engine)
            self._seen = None
        self._use_signal(signal_path)
        self.recheck = recheck

    def _use_signal(self, path):
        if path and (self.signal is None or self.signal.path != path):
            self.signal = ChangeSignal(path)
            self._seen = None
        elif not path:
            self.signal = None

    def forget(self, config):
        """The state may have moved (a publication, a settings change): read it again on the
        next request, and tell the host's other processes. Pages made at another state are
        not served, so they need not be dropped here."""
        self._seen = None
        self._use_signal(config.get("CHARTE_SIGNAL_FILE"))
        if self.signal is not None:
            self.signal.bump()

    def state(self):
        """The current ``State``: the last one read while the change signal
        shows no change and the recheck time has not come, else read now (one statement)."""
        signal = self.signal.read() if self.signal is not None else None
        now = time.monotonic()
        seen = self._seen
        if signal is not None and seen is not None and seen[0] == signal and now < seen[1]:
            return seen[2]
        if seen is not None and self.signal is not None and now >= seen[1]:
            self.signal.follow_path()
            signal = self.signal.read()
        state = self.reader.read()
        # The bytes read before the query: a change signalled since makes the next request read again.
        self._seen = (signal, now + self.recheck, state)
        return state

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key, page):
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)

    def render_lock(self, key):
        with self._lock:
            return self._render_locks.setdefault(key, threading.Lock())


def page_cache(app=None):
    return (app or current_app).extensions["charte_page_cache"]


def read_state():
    """The current ``State``, in at most one statement."""
    cache = page_cache()
    config = current_app.config
    cache.configure(db.engine, config.get("CHARTE_SIGNAL_FILE"), config.get("CHARTE_RECHECK_SECONDS", 0.0))
    return cache.state()


def bypass_requested():
    return current_app.config.get("CHARTE_CACHE_BYPASS_HEADER") and request.headers.get(BYPASS_HEADER) == "1"


def cached_response(kind, lang, render, mimetype="text/html", key=None):
    """The response for the page ``kind`` in ``lang``: from memory when it was made at the
    current state, else from ``render(state)``, stored for the next requests. ``render``
    returns text or bytes, or (bytes, {"gzip": …, "br": …}) when the compressed forms are
    already made (a stored rendering). ``key`` adds to (kind, lang), e.g. a version number."""
    cache = page_cache()
    key = (kind, lang, *(key or ()))
    state = read_state()
    page = cache.get(key)
    if bypass_requested():
        page = _make(state, key, render, mimetype)
    elif page is None or page.state != state:
        # One render of a page at a time: the other requests for it wait and take the result.
        with cache.render_lock(key):
            page = cache.get(key)
            if page is None or page.state != state:
                page = _make(state, key, render, mimetype)
                cache.put(key, page)
    g.public_page = page
    encoding, body, etag = page.representation(request.headers.get("Accept-Encoding"))
    response = Response(body, mimetype=page.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.set_etag(etag)
    response.last_modified = page.last_modified
    response.cache_control.public = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)


def _make(state, key, render, mimetype):
    made = render(state)
    if isinstance(made, tuple):
        body, encoded = made
        return build_page(state, key, body, mimetype, encoded)
    return build_page(state, key, made, mimetype)


def _keep_headers(response):
    """Last after_request function: the headers the others gave a public page, kept with it
    for the middleware."""
    page = g.get("public_page")
    if isinstance(page, Page) and response.status_code == 200 and not page.headers:
        nonce = g.get("csp_nonce")
        csp = response.headers.get("Content-Security-Policy")
        page.csp = tuple(csp.split(nonce)) if csp and nonce else None
        page.headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _OWN_HEADERS and not (name.lower() == "content-security-policy" and page.csp)
        ]
        if csp and not page.csp:
            page.headers.append(("Content-Security-Policy", csp))
    return response


class PublicPagesSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie sessions, except that public pages never write the session cookie nor
    ``Vary: Cookie`` (Flask-Login's after_request looks into every session): a shared cache
    keeps one copy of the policy for every visitor, whatever cookies they carry."""

    def save_session(self, app, session, response):
        if g.get("public_page"):
            return
        super().save_session(app, session, response)


# --- The middleware --------------------------------------------------------------------------


class CachedPages:
    """WSGI middleware: answers GET and HEAD for a page already stored at the current
    state; everything else goes to Flask."""

    def __init__(self, wsgi_app, app):
        self.wsgi_app = wsgi_app
        self.app = app
        self.cache = page_cache(app)
        self.routes = {}

    def route(self, path, kind, lang):
        self.routes[path] = (kind, lang)

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            route = self.routes.get(environ.get("PATH_INFO"))
            if route is not None and not (
                self.app.config.get("CHARTE_CACHE_BYPASS_HEADER") and environ.get("HTTP_X_CHARTE_CACHE_BYPASS") == "1"
            ):
                served = self._serve(route, environ, start_response)
                if served is not None:
                    return served
        return self.wsgi_app(environ, start_response)

    def _serve(self, route, environ, start_response):
        page = self.cache.get(route)
        if page is None or self.cache.reader is None or not page.headers:
            return None
        try:
            state = self.cache.state()
        except Exception:  # Flask answers, and reports the error its usual way.
            return None
        if state != page.state:
            return None
        trusted = self.app.config.get("TRUSTED_HOSTS")
        if trusted:
            try:
                # A Host outside TRUSTED_HOSTS gets Flask's 400, whether or not the page is stored.
                get_host(environ, trusted)
            except SecurityError:
                return None
        body, etag, headers, not_modified_headers = page.wire(environ.get("HTTP_ACCEPT_ENCODING"))
        csp = [("Content-Security-Policy", secrets.token_urlsafe(18).join(page.csp))] if page.csp else []
        if _not_modified(environ, etag, page.last_modified):
            start_response("304 NOT MODIFIED", not_modified_headers + csp)
            return []
        start_response("200 OK", headers + csp)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def _not_modified(environ, etag, last_modified):
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        return parse_etags(if_none_match).contains_weak(etag)
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    return bool(since and last_modified and last_modified <= since)


# --- Setup -----------------------------------------------------------------------------------


def init_app(app):
    if "charte_page_cache" in app.extensions:
        return
    cache = app.extensions["charte_page_cache"] = PageCache()
    # After a publication (or a settings change: the archive may have become private), in
    # whichever process made it (a worker, the command line): every process of the host is
    # told through the signal file before the request that made it returns.
    policy_published.connect(lambda sender, **extra: cache.forget(sender.config), sender=app, weak=False)
    inventory_changed.connect(lambda sender: cache.forget(sender.config), sender=app, weak=False)
    app.config.setdefault("CHARTE_CACHE_BYPASS_HEADER", os.environ.get("CHARTE_CACHE_BYPASS_HEADER") == "1")
    app.extensions["charte_public_endpoints"] = set()
    app.extensions["charte_middleware"] = app.wsgi_app = CachedPages(app.wsgi_app, app)

    def serve_public_page():
        """Public pages are answered here, before the other before_request functions:
        Flask-Principal's loads the logged-in user from the session, which costs queries on a
        page that is the same for everyone. The after_request functions still run."""
        if request.method in ("GET", "HEAD") and request.endpoint in app.extensions["charte_public_endpoints"]:
            g.public_page = True
            return app.view_functions[request.endpoint](**(request.view_args or {}))
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, serve_public_page)
    # after_request functions run last-registered first: this one runs after all the others.
    app.after_request_funcs.setdefault(None, []).insert(0, _keep_headers)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = PublicPagesSessionInterface()


def public_page(state, endpoint, paths):
    """Register ``endpoint`` as a public cached page, served by the middleware at ``paths``
    ({path: (kind, lang)}). Call from a blueprint's ``record_once``."""
    init_app(state.app)
    state.app.extensions["charte_public_endpoints"].add(endpoint)
    for path, (kind, lang) in paths.items():
        state.app.extensions["charte_middleware"].route(path, kind, lang)
