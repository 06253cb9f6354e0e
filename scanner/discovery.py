"""Which pages a scan visits: the start page, the site's sitemaps (``/sitemap.xml`` and the
``Sitemap:`` lines of ``robots.txt``) and same-site links, breadth first, up to a limit."""

import html
import re
from urllib.parse import urldefrag, urljoin, urlsplit

_LOC = re.compile(r"<loc>\s*([^<\s][^<]*?)\s*</loc>", re.IGNORECASE)
# Links to files rather than pages: a browser would download them, not show a page.
_FILES = re.compile(
    r"\.(pdf|zip|gz|tgz|rar|7z|jpe?g|png|gif|webp|svg|ico|mp[34]|avi|mov|docx?|xlsx?|pptx?|csv|xml|json)$"
)
SITEMAP_BYTES = 2 * 2**20  # a sitemap larger than this is read up to here
MAX_SITEMAPS = 5  # sitemap index files name others: at most this many are read


def site_host(url):
    """The host a page belongs to for "same site": its host without a leading ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def same_site(url, base_host):
    host = site_host(url)
    return host == base_host or host.endswith("." + base_host)


def page_url(url, base=None):
    """``url`` (relative to ``base``) as a page to visit, without its fragment; None for a
    link that is not an http(s) page of a site (mailto:, javascript:, a PDF…)."""
    try:
        absolute = urldefrag(urljoin(base, url) if base else url)[0]
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if _FILES.search(parts.path.lower()):
        return None
    return absolute


def robots_sitemaps(text):
    """The sitemap addresses a robots.txt names."""
    found = []
    for line in (text or "").splitlines():
        field, _, value = line.partition(":")
        if field.strip().lower() == "sitemap" and value.strip():
            found.append(value.strip())
    return found


def sitemap_locations(text):
    """The addresses in a sitemap or a sitemap index (``<loc>``), in order."""
    return [html.unescape(match) for match in _LOC.findall(text or "")]


class Frontier:
    """Pages to visit, breadth first: each once, same-site only, at most ``limit``."""

    def __init__(self, start, limit):
        self.base_host = site_host(start)
        self.limit = limit
        self.queued = []
        self._seen = set()
        self.add(start)

    def add(self, url, base=None):
        url = page_url(url, base)
        if url is None or not same_site(url, self.base_host) or len(self.queued) >= self.limit:
            return
        key = url.rstrip("/")
        if key not in self._seen:
            self._seen.add(key)
            self.queued.append(url)
