"""Where a ``next`` parameter may lead: only paths of this site."""

from urllib.parse import urlsplit


def safe_next(target, fallback):
    """Only same-site paths: no scheme, no host, no '//' or '\\' tricks."""
    if not target or not isinstance(target, str):
        return fallback
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
