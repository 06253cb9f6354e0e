"""Publishing a version of the policy, finding the current one, and verifying the chain.

``publish`` reads the draft in one consistent snapshot, runs the checks, numbers the version
after the current one and stores it with its digest, in one transaction: two publishers at the
same moment make one version (the second is told), and an import running meanwhile is either
wholly in it or not at all. After the commit, ``policy_published`` is sent; the public pages
subscribe to it and render the new version.
"""

import gzip
import hashlib
import json
from dataclasses import dataclass

import brotli
from blinker import Namespace
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from models import ChangeSet, PolicyRendering, PolicyVersion, RecordChange, ReviewRequest, SiteSettings
from models.database import end_read_only_transaction, writing
from models.timestamps import utcnow
from rules.cells import timestamp
from rules.validation import InventoryError, text

from .checks import Options, blocking, last_scan_findings, run_checks
from .document import canonical_json, draft_document

policy_published = Namespace().signal("policy-published")

_NOTE = text(2000, required=True, multiline=True)
_NOTE_EN = text(2000, multiline=True)


class PublicationRefused(InventoryError):
    """Nothing was published; ``findings`` says why (failing checks), or ``message`` does."""

    def __init__(self, message, findings=()):
        super().__init__(message)
        self.findings = list(findings)


def digest_of(content):
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def versions(session, site_id=None):
    query = select(PolicyVersion).order_by(PolicyVersion.number)
    if site_id is not None:
        query = query.where(PolicyVersion.site_id == site_id)
    return session.scalars(query).all()


def current_version(session, site_id=None):
    """The site's latest version, or None before the first publication."""
    site_id = site_id if site_id is not None else _site_id(session)
    if site_id is None:
        return None
    return session.scalars(
        select(PolicyVersion).where(PolicyVersion.site_id == site_id).order_by(PolicyVersion.number.desc()).limit(1)
    ).first()


def version_number(session, number, site_id=None):
    """The site's version ``number``, or None for any number that names none (a negative or
    huge one included: a visitor's URL, never a database error)."""
    if not isinstance(number, int) or not 1 <= number <= 2**31 - 1:
        return None
    site_id = site_id if site_id is not None else _site_id(session)
    return session.scalars(
        select(PolicyVersion).where(PolicyVersion.site_id == site_id, PolicyVersion.number == number)
    ).first()


def _site_id(session):
    settings = SiteSettings.current(session)
    return settings.id if settings else None


def document_of(version):
    """The public document a version published."""
    return json.loads(version.content)["document"]


@dataclass(frozen=True)
class Draft:
    """What publishing now would do: the document, the current version, the checks."""

    document: dict
    current: PolicyVersion | None
    findings: list


def prepare(session, options=None):
    document = draft_document(session)
    findings = run_checks(document, options) + list(last_scan_findings(session))
    return Draft(document, current_version(session), findings)


def publish(session, *, note_fr, note_en=None, user=None, options=None, expected_current=None, now=None):
    """Publish the draft as the next version and commit; returns it. Raises PublicationRefused
    (nothing written) when a check fails, the note is missing, or someone else published first:
    ``expected_current`` is the number of the version the publisher compared the draft with
    (0 for none), when they reviewed a diff. The caller declares write intent (``models.writing``)."""
    try:
        note_fr, note_en = _NOTE(note_fr), _NOTE_EN(note_en)
    except InventoryError as error:
        raise PublicationRefused(_l("Write a change note in French: %(reason)s", reason=error.message)) from None
    options = options or Options()
    # One consistent view of the draft, whatever commits meanwhile (an import, another save):
    # a transaction of its own, REPEATABLE READ on PostgreSQL (SQLite's writer sees one state).
    session = end_read_only_transaction(session)
    if _postgres(session) and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    settings = SiteSettings.current(session)
    if settings is None:
        raise PublicationRefused(_l("Fill in the site settings before publishing."))
    document = draft_document(session)
    findings = run_checks(document, options)
    failing = blocking(findings)
    if failing:
        session.rollback()
        raise PublicationRefused(_l("Nothing was published: fix the problems listed first."), failing)
    previous = current_version(session, settings.id)
    number = previous.number + 1 if previous else 1
    if expected_current is not None and (previous.number if previous else 0) != expected_current:
        session.rollback()
        raise PublicationRefused(
            _l(
                "Someone published version %(number)d meanwhile: nothing was published. Review the changes again, then publish.",
                number=number - 1,
            )
        )
    if previous is not None and document_of(previous) == document:
        session.rollback()
        raise PublicationRefused(
            _l("Nothing visitors read has changed since version %(number)d: nothing was published.", number=number - 1)
        )
    published_at = now or utcnow()
    published_by = getattr(user, "email", None) or "system"
    waived = sorted([list(item) for item in options.french_only], key=str)
    content = canonical_json(
        {
            "site": settings.id,
            "number": number,
            "published_at": timestamp(published_at),
            "published_by": published_by,
            "note": {"fr": note_fr, "en": note_en},
            "previous_digest": previous.digest if previous else None,
            "french_only": waived,
            "document": document,
        }
    )
    version = PolicyVersion(
        site_id=settings.id,
        number=number,
        published_at=published_at,
        published_by_id=getattr(user, "id", None),
        published_by=published_by,
        note_fr=note_fr,
        note_en=note_en,
        cookie_count=len(document["cookies"]),
        content=content,
        digest=digest_of(content),
        previous_digest=previous.digest if previous else None,
        # Kept with the version, never public: what was published in French only, and each
        # compliance error an administrator waived, with the reason and who gave it.
        waivers=[{"rule": "missing-english", "record": item} for item in waived]
        + [
            {"rule": f.rule, "record": [f.section, f.key], "reason": f.waived, "by": published_by}
            for f in findings
            if f.waived
        ]
        or None,
    )
    session.add(version)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise PublicationRefused(
            _l(
                "Someone published version %(number)d at the same moment: nothing was published. Review it, then publish again.",
                number=number,
            )
        ) from None
    _record_in_history(session, version, user)
    for request in session.scalars(
        select(ReviewRequest).where(ReviewRequest.site_id == settings.id, ReviewRequest.version_id.is_(None))
    ):
        request.version_id = version.id
    session.commit()
    policy_published.send(current_app._get_current_object(), version_id=version.id)
    return version


def _postgres(session):
    return session.get_bind().dialect.name == "postgresql"


def _record_in_history(session, version, user):
    """A publication is one entry of the change history, like a save."""
    connection = session.connection()
    change_set = connection.execute(
        insert(ChangeSet.__table__).values(
            created_at=version.published_at,
            user_id=getattr(user, "id", None),
            user_email=getattr(user, "email", None),
            source="publish",
        )
    ).inserted_primary_key[0]
    state = {"number": version.number, "note_fr": version.note_fr, "note_en": version.note_en, "digest": version.digest}
    connection.execute(
        insert(RecordChange.__table__).values(
            change_set_id=change_set,
            model="policy_version",
            record_id=version.id,
            action="create",
            label=f"Version {version.number}",
            before=None,
            after=state,
        )
    )


def ensure_first_version(session):
    """A database from before publication (or a new one with its sample) gets version 1 from
    its current content, so that a running site's policy does not disappear. Returns it, or
    None when there is nothing to publish yet (no site settings)."""
    settings = SiteSettings.current(session)
    if settings is None:
        return None
    existing = current_version(session, settings.id)
    if existing is not None:
        return existing
    document = draft_document(session)
    untranslated = {(f.section, f.key) for f in run_checks(document) if f.waivable}
    try:
        with writing(session):
            return publish(
                session,
                note_fr="Première version publiée, reprise du contenu de l’inventaire.",
                note_en="First published version, taken from the inventory as it was.",
                options=Options(french_only=untranslated),
                expected_current=0,
            )
    except PublicationRefused:  # another process published it first, or a check failed
        return current_version(session, settings.id)


def verify(session):
    """Problems of the chain and of the stored renderings, in order: [(version, message)]."""
    problems = []
    by_site = {}
    for version in versions(session):
        by_site.setdefault(version.site_id, []).append(version)
    for chain in by_site.values():
        previous = None
        for version in chain:
            problems += [(version, message) for message in _verify_one(version, previous)]
            previous = version
    return problems


def _verify_one(version, previous):
    if digest_of(version.content) != version.digest:
        yield "its content does not match its SHA-256"
    try:
        content = json.loads(version.content)
    except ValueError:
        yield "its content is not JSON"
        return
    if content.get("number") != version.number:
        yield "its number differs from the number it was published with"
    expected_previous = previous.digest if previous else None
    if content.get("previous_digest") != expected_previous or version.previous_digest != expected_previous:
        yield "it does not follow the previous version (chain broken)"
    if previous is not None and version.number != previous.number + 1:
        yield "a version number is missing before it"
    for rendering in version.renderings:
        if hashlib.sha256(rendering.body).hexdigest() != rendering.digest:
            yield f"its {rendering.lang} page does not match its SHA-256"
        elif gzip.decompress(rendering.gzip) != rendering.body or brotli.decompress(rendering.brotli) != rendering.body:
            yield f"its compressed {rendering.lang} page differs from the page"


# --- Renderings ------------------------------------------------------------------------------


def compressed(body):
    """(gzip, brotli) bytes of a page: made once per page, deterministic (no time inside)."""
    return gzip.compress(body, compresslevel=9, mtime=0), brotli.compress(body, quality=9)


def stored_rendering(session, version_id, lang, kind="page"):
    return session.scalars(
        select(PolicyRendering).where(
            PolicyRendering.version_id == version_id, PolicyRendering.lang == lang, PolicyRendering.kind == kind
        )
    ).first()


def store_rendering(session, version_id, lang, body, kind="page"):
    """Keep a version's page as served, with its compressed forms and digest, in a
    transaction of its own; returns the stored row (another process's, if it was first)."""
    packed_gzip, packed_brotli = compressed(body)
    made = PolicyRendering(
        version_id=version_id,
        kind=kind,
        lang=lang,
        body=body,
        gzip=packed_gzip,
        brotli=packed_brotli,
        digest=hashlib.sha256(body).hexdigest(),
    )
    with writing(session):
        session.add(made)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return stored_rendering(session, version_id, lang, kind)
    return made
