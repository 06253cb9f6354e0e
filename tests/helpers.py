"""Small helpers for reading pages the way a visitor does: visible text, the
charte's cookie tables, the back office's flash messages. Standard library only."""

import html as htmllib
import os
import re
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from models import db, writing

# The real Open Cookie Database, in the workplace's shared/ folder beside the checkout.
OPEN_COOKIE_DATABASE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "open-cookie-database" / "open-cookie-database.csv"
)


def open_cookie_database():
    """The shared Open Cookie Database's path; without it the test is skipped, or fails under CI
    (where shared/ must be beside the clone: a silent skip would hide what is not tested)."""
    if not OPEN_COOKIE_DATABASE.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"The Open Cookie Database is missing at {OPEN_COOKIE_DATABASE} (shared/ beside the checkout).")
        pytest.skip(f"The Open Cookie Database is not at {OPEN_COOKIE_DATABASE} (shared/ is not beside this checkout).")
    return OPEN_COOKIE_DATABASE


COLUMNS = ("provider", "service", "name", "purposes", "lifetime", "party", "type")
_INLINE = ("a", "abbr", "b", "code", "em", "i", "small", "span", "strong", "time")


def visible_text(source):
    """The page's text as a reader sees it: no tags, scripts or styles, entities decoded, spaces collapsed."""
    if not isinstance(source, str):
        source = source.get_data(as_text=True)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S | re.I)
    source = re.sub(r"</?(?:{})\b[^>]*>".format("|".join(_INLINE)), "", source, flags=re.I)
    source = re.sub(r"<[^>]+>", " ", source)
    return re.sub(r"\s+", " ", htmllib.unescape(source)).strip()


def html_of(response):
    return response.get_data(as_text=True)


class _CharteParser(HTMLParser):
    """Collects each ``section.category``: its heading, badge, text and table rows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections = {}
        self.section = None
        self.depth = 0  # <section> nesting inside the current category section
        self.row = None
        self.cell = None
        self.in_heading = False
        self.in_badge = False
        self.in_count = False
        self.in_body = False
        self.in_basis = False  # a row's legal basis, under its purposes: read apart

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            if self.section is not None:
                self.depth += 1
            elif "category" in (attrs.get("class") or "").split():
                key = attrs["id"].removeprefix("category-")
                self.section = {"key": key, "title": "", "badge": "", "text": "", "rows": []}
                self.sections[key] = self.section
                self.depth = 0
            return
        if self.section is None:
            return
        if tag == "h3":
            self.in_heading = True
        elif tag == "span" and "badge" in (attrs.get("class") or ""):
            self.in_badge = True
        elif tag == "span" and "basis" in (attrs.get("class") or "").split() and self.row is not None:
            self.in_basis = True
        elif tag == "span" and "count" in (attrs.get("class") or "").split() and self.in_heading:
            self.in_count = True
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.row is None and self.in_body:
            self.row = {"cells": [], "links": [], "markup": [], "basis": ""}
        elif tag in ("td", "th") and self.row is not None:
            self.cell = {"text": "", "links": []}
        elif tag == "a" and self.cell is not None:
            self.cell["links"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if self.section is None:
            return
        if tag == "section":
            if self.depth:
                self.depth -= 1
            else:
                self.section = None
        elif tag == "h3":
            self.in_heading = False
        elif tag == "span":
            self.in_badge = self.in_count = self.in_basis = False
        elif tag == "tbody":
            self.in_body = False
        elif tag in ("td", "th") and self.cell is not None:
            self.row["cells"].append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.row["cells"]:
                cells = self.row["cells"]
                row = {name: " ".join(cells[i]["text"].split()) for i, name in enumerate(COLUMNS) if i < len(cells)}
                row["links"] = {name: cells[i]["links"] for i, name in enumerate(COLUMNS) if i < len(cells)}
                row["basis"] = " ".join(self.row["basis"].split())
                self.section["rows"].append(row)
            self.row = None

    def handle_data(self, data):
        if self.section is None:
            return
        self.section["text"] += data
        if self.in_badge:
            self.section["badge"] += data
        elif self.in_heading and not self.in_count:
            self.section["title"] += data
        if self.in_basis:
            self.row["basis"] += data
        elif self.cell is not None:
            self.cell["text"] += " " + data


def charte_sections(source):
    """{category key: {"title", "badge", "text", "rows": [{provider, service, name, ...}]}}."""
    if not isinstance(source, str):
        source = source.get_data(as_text=True)
    parser = _CharteParser()
    parser.feed(source)
    for section in parser.sections.values():
        for key in ("title", "badge", "text"):
            section[key] = " ".join(section[key].split())
    return parser.sections


def charte_rows(source, category=None):
    """Every cookie row of the charte (or of one category), in page order."""
    sections = charte_sections(source)
    if category is not None:
        return sections[category]["rows"]
    return [row for section in sections.values() for row in section["rows"]]


def row_named(source, name):
    rows = [row for row in charte_rows(source) if row["name"].split(" ")[0] == name]
    assert len(rows) == 1, f"expected one row for {name!r}, found {len(rows)}"
    return rows[0]


_FLASH = re.compile(r'<div class="alert alert-(\w+)[^"]*"[^>]*>(.*?)</div>', re.S)


def flashes(source):
    """Flask-Admin's flash messages: [(kind, text)]."""
    if not isinstance(source, str):
        source = source.get_data(as_text=True)
    return [(kind, visible_text(body).lstrip("×").strip()) for kind, body in _FLASH.findall(source)]


_FIELD_ERRORS = re.compile(r'id="([\w-]+)"[^>]*>\s*<div class="invalid-feedback">(.*?)</div>', re.S)


def field_errors(source):
    """{field name: [messages]} as shown under the form fields."""
    if not isinstance(source, str):
        source = source.get_data(as_text=True)
    errors = {}
    for match in re.finditer(r"<(?:input|select|textarea)\b[^>]*\bis-invalid\b[^>]*>", source):
        tag = match.group(0)
        name = re.search(r'\bname="([^"]+)"', tag).group(1)
        rest = source[match.end() :]
        block = re.search(r'<div class="invalid-feedback">(.*?)</div>', rest, re.S)
        items = re.findall(r"<li>(.*?)</li>", block.group(1), re.S) if block else []
        errors[name] = [visible_text(item) for item in items]
    return errors


@contextmanager
def statements_sent(engine=None):
    """The SQL statements sent to the database while the block runs: a list that grows as
    they are sent (``.clear()`` it to count from a point on). The ``statements`` fixture
    (tests/conftest.py) is this around a whole test."""
    engine = engine if engine is not None else db.engine
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def fresh():
    """Drop the test's session so that the next query sees what requests committed."""
    db.session.remove()
    return db.session


def count(model, *where):
    fresh()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def seed_objects():
    """The seed's provider, "necessary" category and first purpose, in the test's session."""
    from models import Category, Provider, Purpose

    session = db.session
    provider = session.scalars(select(Provider).where(Provider.name == "Opendatasoft")).one()
    necessary = session.scalars(select(Category).where(Category.key == "necessary")).one()
    purpose = session.scalars(select(Purpose).order_by(Purpose.id)).first()
    return provider, necessary, purpose


def make_cookie(commit=True, **fields):
    """A valid cookie on the seed's provider, category and first purpose, with ``fields`` overriding."""
    from models import Cookie

    provider, necessary, purpose = seed_objects()
    values = {
        "name": "test_cookie",
        "domain": "example.org",
        "provider": provider,
        "category": necessary,
        "purposes": [purpose],
        "service_fr": "Service de test",
        "service_en": "Test service",
        "lifetime_unit": "days",
        "lifetime_amount": 30,
    }
    values.update(fields)
    cookie = Cookie(**values)
    db.session.add(cookie)
    if commit:
        db.session.commit()
    return cookie


def revision():
    from models import InventoryState

    fresh()
    return db.session.get(InventoryState, 1).revision


def use_english(client):
    """Switch the back office to English with its language form, as a user would."""
    response = client.post("/language", data={"lang": "en", "next": "/admin/", "csrf_token": client.csrf})
    assert response.status_code == 302
    return client


def list_column(source, column):
    """The texts of one column of a back-office list, top to bottom (without the compliance
    badge a record's first column may carry)."""
    if not isinstance(source, str):
        source = source.get_data(as_text=True)
    cells = re.findall(rf'<td class="col-{column}">(.*?)</td>', source, re.S)
    return [
        visible_text(re.sub(r'<a class="badge[^"]*compliance-badge".*?</a>', "", cell, flags=re.S)) for cell in cells
    ]


def listed_cookies(source):
    """Cookie names shown by the back-office cookie list, top to bottom."""
    if not isinstance(source, str):
        source = source.get_data(as_text=True)
    return [htmllib.unescape(name) for name in re.findall(r'<td class="col-name">\s*<code>(.*?)</code>', source, re.S)]


def publish_draft(note="Mise à jour", now=None):
    """Publish the inventory as it is, as a publisher would (texts without English in French
    only): the public pages show a change only once it is published."""
    from inventory.publication.checks import Options
    from inventory.publication.versions import prepare, publish

    session = fresh()
    findings = prepare(session).findings
    french_only = {(f.section, f.key) for f in findings if f.waivable}
    # The compliance rules have their own tests (tests/compliance/): a test about something
    # else publishes its records as an administrator waiving those errors would.
    waived = {f.waiver_key: "waived by the test" for f in findings if f.severity == "error" and f.source}
    session.rollback()
    with writing():
        version = publish(session, note_fr=note, options=Options(french_only=french_only, waived=waived), now=now)
    session.refresh(version)  # its fields stay readable once the session is gone
    fresh()
    return version


def publish_if_changed(note="Mise à jour", now=None):
    """``publish_draft`` when something visitors read changed since the current version, else
    None (nothing to publish). A check that fails still raises ``PublicationRefused``."""
    from inventory.publication.versions import document_of, prepare

    session = fresh()
    draft = prepare(session)
    unchanged = draft.current is not None and document_of(draft.current) == draft.document
    session.rollback()
    fresh()
    return None if unchanged else publish_draft(note, now)


def unpublish_everything():
    """Back to before the first publication (the tests start at version 1)."""
    from sqlalchemy import delete

    from models import PolicyRendering, PolicyVersion, ReviewRequest

    for model in (ReviewRequest, PolicyRendering, PolicyVersion):
        db.session.execute(delete(model))
    db.session.commit()
