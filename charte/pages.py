"""The policy's pages made from a version's document: the current version (rendered once per
version and language, and stored with the version), an archived version, the archive, the
changes between two versions, the back office's preview of the draft, and the
self-contained record of a version."""

from pathlib import Path

from flask import current_app, render_template, url_for
from sqlalchemy import select

from inventory.publication.versions import document_of, store_rendering, stored_rendering
from models import PolicyVersion, SiteSettings, db
from rules import legal
from rules.language import force_language

from .policy import Edition, charte_of, pick

STATIC = Path(__file__).resolve().parents[1] / "static"


def edition_of(version, session=None):
    """Where ``version`` stands: its dates, and the version that replaced it, if any."""
    session = session or db.session
    following = session.execute(
        select(PolicyVersion.number, PolicyVersion.published_at).where(
            PolicyVersion.site_id == version.site_id, PolicyVersion.number == version.number + 1
        )
    ).first()
    return Edition(
        number=version.number,
        published_at=version.published_at,
        digest=version.digest,
        replaced_at=following.published_at if following else None,
        replaced_by=following.number if following else None,
        current=following is None,
    )


def render_policy(document, lang, edition, mode, archive_public=True, current_number=None, same_page_in=None):
    """The HTML of a policy page. ``mode``: "current", "archived", "preview" or "record"."""
    with force_language(lang):
        return render_template(
            "charte/cookies.html",
            charte=charte_of(document, lang, edition),
            mode=mode,
            in_lang=lambda texts: pick(texts, lang),
            same_page_in=same_page_in or (lambda other: url_for("charte.cookies", lang=other)),
            public_url=current_app.config.get("PUBLIC_URL") or "",
            archive_url=url_for("charte.versions", lang=lang) if archive_public and mode != "preview" else None,
            current_number=current_number,
            inline_styles=_record_styles(lang) if mode == "record" else "",
            legal=legal,
        )


def current_page(version, lang, archive_public=True):
    """(body, {"gzip", "br"}) of the current version's page, made and stored on first use
    (one page with the link to the archive, one without, for a private archive)."""
    kind = "page" if archive_public else "page-no-archive"
    stored = stored_rendering(db.session, version.id, lang, kind)
    if stored is None:
        html = render_policy(document_of(version), lang, edition_of(version), "current", archive_public=archive_public)
        stored = store_rendering(db.session, version.id, lang, html.encode("utf-8"), kind)
    return stored.body, {"gzip": stored.gzip, "br": stored.brotli}


def archived_page(version, lang, archive_public=True):
    return render_policy(
        document_of(version),
        lang,
        edition_of(version),
        "archived",
        archive_public=archive_public,
        same_page_in=lambda other: url_for("charte.version", lang=other, number=version.number),
    )


def record_html(version, lang):
    """One version as a self-contained file: styles inlined, no script, no external asset."""
    return render_policy(document_of(version), lang, edition_of(version), "record", archive_public=False)


def embedded_html(version, lang, archive_public=True):
    """The current version's policy without the page around it (no head, header or footer),
    for a site's own page: the embed script (static/embed/policy.js) or a server-side include."""
    return render_policy(document_of(version), lang, edition_of(version), "embedded", archive_public=archive_public)


def _record_styles(lang):
    from .labels import labels_css

    return (STATIC / "site.css").read_text(encoding="utf-8") + "\n" + labels_css(lang)


def render_both(app, version_id):
    """Store the pages of a just-published version in both languages (the first visitors
    then find them made). Runs after the publication's commit, with or without a request; a
    failure here leaves the version whole, and its pages are made when first asked."""
    try:
        with app.test_request_context("/"):
            version = db.session.get(PolicyVersion, version_id)
            archive_public = SiteSettings.current(db.session).archive_public
            for lang in ("fr", "en"):
                current_page(version, lang, archive_public)
    except Exception:
        app.logger.exception("Version #%s is published; its pages will be made when first asked.", version_id)
