"""Counts read the language's way everywhere: French 2 167 (narrow no-break space), English 2,167."""

import re
from pathlib import Path

import pytest
from flask import render_template_string

from models import db
from rules.language import force_language, lazy_ngettext, ngettext
from rules.typography import NNBSP
from tests.helpers import html_of, make_cookie

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("lang", "grouped"), [("fr", f"2{NNBSP}167"), ("en", "2,167")])
def test_counts_in_code_and_templates_are_grouped(app, lang, grouped):
    with app.test_request_context("/"), force_language(lang):
        assert ngettext("%(num)s cookie", "%(num)s cookies", 2167) == f"{grouped} cookies"
        assert str(lazy_ngettext("%(num)s cookie", "%(num)s cookies", 2167)) == f"{grouped} cookies"
        template = "{{ ngettext('%(num)s cookie', '%(num)s cookies', 2167) }}"
        assert render_template_string(template) == f"{grouped} cookies"
        # A count the template spells itself is kept as given.
        assert (
            render_template_string("{{ ngettext('%(num)s cookie', '%(num)s cookies', 2, num='two') }}") == "two cookies"
        )


def test_the_french_overview_groups_its_counts(app, editor_client):
    """The overview's figures and sentences, as the legal team reads them after a large import."""
    with app.app_context():
        for number in range(1000):
            make_cookie(commit=False, name=f"imported_{number}", shown_on_policy=False)
        db.session.commit()
    page = editor_client.get("/admin/", headers={"Accept-Language": "fr"})
    html = html_of(page)  # visible_text would fold the narrow no-break space
    assert f"1{NNBSP}000 cookies sont masqués sur la charte." in html
    assert re.search(rf'<p class="display-4 mb-0">1{NNBSP}0\d\d</p>', html)


def test_no_count_in_the_catalog_is_an_integer_placeholder():
    """``%(num)d`` would fail once the count is grouped (a string): the catalog says ``%(num)s``."""
    folders = ("templates", "admin", "charte", "inventory", "models", "rules", "account", "public", "embed", "scanner")
    sources = [path for folder in folders for path in (ROOT / folder).rglob("*") if path.suffix in (".py", ".html")]
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources
        if path.name != "language.py" and "%(num)d" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
    for catalog in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):  # admin.po is Flask-Admin's
        assert "%(num)d" not in catalog.read_text(encoding="utf-8"), catalog
