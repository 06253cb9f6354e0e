"""What a scan saw against the inventory (pure Python, no database).

Each observed item is *declared* (a cookie of the inventory matches it), *undeclared*, or a
*mismatch* (a cookie of that name exists but its storage kind, domain, party or lifetime says
otherwise). Each declared cookie no scenario saw is *not seen*. A *consent violation* is an
item whose category requires consent seen before any choice or after "refuse all"; for an
undeclared item, the category is the one the Open Cookie Database suggests.
"""

import re
from dataclasses import dataclass

from .discovery import same_site

# A lifetime observed beyond the declared one by more than this share (and a day) is a mismatch:
# browsers round, and a cookie set a moment before the scan has already aged a little.
LIFETIME_TOLERANCE = 0.10
_DAY_MINUTES = 1440
BEFORE_CONSENT = ("none", "refuse")
STATUSES = ("declared", "mismatch", "undeclared")


@dataclass
class Declared:
    """A cookie of the inventory, as the comparison needs it."""

    id: int
    name: str
    is_pattern: bool
    domain: str
    party: str
    storage_kind: str
    lifetime_minutes: int | None  # None: a session cookie
    consent_required: bool
    label: str = ""  # how the back office names it ("_ga (Google, statistics)")


def name_matcher(name, is_pattern):
    """A function telling whether an observed name is this inventory name: exact, or a
    pattern ("_ga_*", or a prefix marked as a pattern)."""
    if "*" in name:
        regex = re.compile("^" + ".*".join(re.escape(part) for part in name.split("*")) + "$", re.DOTALL)
        return lambda observed: regex.match(observed) is not None
    if is_pattern:
        return lambda observed: observed.startswith(name)
    return lambda observed: observed == name


def domain_matches(declared, observed, site_host):
    """The inventory's domain ("" is the site itself; a leading dot takes subdomains) covers
    the observed one, or the observed cookie is set for a parent of the declared domain."""
    observed = observed.lstrip(".").lower()
    declared = (declared or "").lstrip(".").lower()
    if not declared:
        return same_site("http://" + observed, site_host) or site_host.endswith("." + observed)
    return observed == declared or observed.endswith("." + declared) or declared.endswith("." + observed)


def _lifetime_problem(cookie, item):
    if item["kind"] != "http_cookie":
        return None
    seconds = item.get("lifetime_seconds")
    if seconds is None:
        return None  # a session cookie lives shorter than anything declared
    minutes = seconds / 60
    if cookie.lifetime_minutes is None:
        return "lifetime" if minutes > _DAY_MINUTES else None
    allowed = cookie.lifetime_minutes * (1 + LIFETIME_TOLERANCE) + _DAY_MINUTES
    return "lifetime" if minutes > allowed else None


def _problems(cookie, item, site_host):
    problems = []
    if cookie.storage_kind != item["kind"]:
        problems.append("storage_kind")
    if not domain_matches(cookie.domain, item["domain"], site_host):
        problems.append("domain")
    if cookie.party != item["party"]:
        problems.append("party")
    lifetime = _lifetime_problem(cookie, item)
    if lifetime:
        problems.append(lifetime)
    return problems


def _candidates(item, declared, matchers):
    if item["kind"] == "pixel":
        return [c for c in declared if c.storage_kind == "pixel"]
    return [c for c in declared if matchers[c.id](item["name"])]


def compare(result, declared, suggest=None):
    """``result``: a scan's observations (``engine.scan``); ``declared``: [Declared];
    ``suggest``: name, domain -> Open Cookie Database suggestion or None.

    Returns {"items": [item + status, cookie_id, problems, violation, suggestion],
    "not_seen": [cookie ids], "counts": {...}}."""
    site_host = result["site_host"]
    matchers = {c.id: name_matcher(c.name, c.is_pattern) for c in declared}
    seen_ids, items = set(), []
    for item in result["items"]:
        candidates = _candidates(item, declared, matchers)
        best, problems = None, None
        for cookie in candidates:
            found = _problems(cookie, item, site_host)
            if item["kind"] == "pixel" and "domain" in found:
                continue  # a pixel is named by its host: another host's pixel is another pixel
            if best is None or len(found) < len(problems):
                best, problems = cookie, found
        entry = dict(item)
        if best is None:
            entry.update(status="undeclared", cookie_id=None, problems=[], label="")
            suggestion = suggest(item["name"], item["domain"]) if suggest and item["kind"] != "pixel" else None
            entry["suggestion"] = suggestion
            consent = bool(suggestion and suggestion.get("consent_required"))
        else:
            seen_ids.add(best.id)
            entry.update(
                status="mismatch" if problems else "declared",
                cookie_id=best.id,
                problems=problems,
                label=best.label,
                suggestion=None,
            )
            consent = best.consent_required
        entry["violation"] = [s for s in BEFORE_CONSENT if s in item["seen"]] if consent else []
        items.append(entry)
    not_seen = [c.id for c in declared if c.id not in seen_ids]
    counts = {status: sum(1 for i in items if i["status"] == status) for status in STATUSES}
    counts["violations"] = sum(1 for i in items if i["violation"])
    counts["not_seen"] = len(not_seen)
    return {"items": items, "not_seen": not_seen, "counts": counts}
