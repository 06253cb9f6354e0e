"""Every back-office URL rule as a request a browser could send: found in ``app.url_map``,
built with real ids and valid data, each with a check telling whether the change it asks
for reached the database. Shared by the access walk, the CSRF test and the headers test, so
that a page added to the back office is covered by all of them, or makes them fail until
it is described here.
"""

import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select

from inventory.history import recording
from inventory.publication.versions import prepare
from models import (
    Category,
    Cookie,
    InventoryState,
    PolicyVersion,
    Provider,
    Purpose,
    RecordChange,
    ReviewRequest,
    Role,
    SiteSettings,
    User,
    db,
)
from tests.forms import form_fields
from tests.helpers import fresh, html_of, make_cookie, seed_objects

IGNORED_METHODS = {"HEAD", "OPTIONS"}

# Flask-Admin model views by endpoint, and the text field each test edit changes.
MODEL_VIEWS = {
    "cookie": Cookie,
    "provider": Provider,
    "purpose": Purpose,
    "category": Category,
    "settings": SiteSettings,
    "users": User,
}
EDITED_FIELD = {
    "cookie": "service_fr",
    "provider": "name",
    "purpose": "description_fr",
    "category": "name_fr",
    "settings": "site_name",
    "users": "role",
}


class Unclassified(LookupError):
    """A rule this module does not know how to call: describe it here (and in the tables)."""


def rules_under(app, prefix):
    """(endpoint, method) of every rule whose path starts with ``prefix``, in a stable order."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule == prefix.rstrip("/") or rule.rule.startswith(prefix):
            for method in rule.methods - IGNORED_METHODS:
                found.add((rule.endpoint, method))
    return sorted(found)


def admin_rules(app):
    return rules_under(app, "/admin/")


def database_state():
    """Every row of every table, to prove that a request changed nothing at all."""
    session = fresh()
    state = {}
    for table in db.metadata.sorted_tables:
        rows = session.execute(select(table)).all()
        state[table.name] = sorted(repr(tuple(row)) for row in rows)
    session.remove()
    return state


def changed_tables(before, after):
    return sorted(name for name in before if before[name] != after.get(name))


@dataclass
class Call:
    """One request. ``done`` says whether the change it asks for is in the database."""

    endpoint: str
    method: str
    url: str
    data: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    done: Callable[[], bool] | None = None

    def send(self, client, token=None, **kwargs):
        # Buffered: streamed downloads and static files are read and closed within the request.
        kwargs.setdefault("buffered", True)
        data = dict(self.data)
        if token is not None:
            data["csrf_token"] = token
        for name, (content, filename) in self.files.items():
            data[name] = (io.BytesIO(content), filename)
        if self.method == "GET":
            return client.get(self.url, **kwargs)
        return client.open(self.url, method=self.method, data=data, **kwargs)

    def changed(self):
        return bool(self.done and self.done())

    def __str__(self):
        return f"{self.method} {self.url}"


def _row(model, ident):
    return fresh().get(model, ident)


def _gone(model, ident):
    return lambda: _row(model, ident) is None


class BackOffice:
    """Builds a fresh, valid :class:`Call` for any back-office rule.

    ``reader`` is a logged-in administrator's client: it reads the edit forms (as a browser
    would before submitting them) and previews imports, whoever then sends the request."""

    def __init__(self, app, reader):
        self.app = app
        self.reader = reader
        self.serial = itertools.count(1)
        self.uploads = []

    def cleanup(self):
        """Forget the import previews that a refused confirmation left behind."""
        folder = Path(self.app.instance_path) / "imports"
        for token in self.uploads:
            (folder / f"{token}.upload").unlink(missing_ok=True)

    def call(self, endpoint, method):
        view, _, name = endpoint.partition(".")
        if view in MODEL_VIEWS and hasattr(self, f"_model_{name}"):
            call = getattr(self, f"_model_{name}")(view, method)
        else:
            builder = getattr(self, "_" + endpoint.replace(".", "_"), None)
            if builder is None:
                raise Unclassified(f"{endpoint} {method}")
            call = builder(method)
        if call is None:
            raise Unclassified(f"{endpoint} {method}")
        call.endpoint, call.method = endpoint, method
        self._check_routing(call)
        return call

    def _check_routing(self, call):
        """The URL built really reaches the rule it stands for."""
        adapter = self.app.url_map.bind("localhost")
        parts = urlsplit(call.url)
        endpoint, _ = adapter.match(parts.path, method=call.method, query_args=parts.query)
        assert endpoint == call.endpoint, f"{call.url} reaches {endpoint}, not {call.endpoint}"

    # --- Real records -----------------------------------------------------------------------

    def existing(self, view):
        model = MODEL_VIEWS[view]
        return fresh().scalar(select(model.id).order_by(model.id).limit(1))

    def disposable(self, view):
        """A record of its own for a request to edit or delete."""
        n = next(self.serial)
        session = fresh()
        if view == "cookie":
            return make_cookie(name=f"disposable_{n}").id
        if view == "settings":
            return self.existing("settings")
        if view == "users":
            viewer = session.scalars(select(Role).where(Role.name == "viewer")).one()
            record = User(email=f"walk-{n}@example.com", active=True, roles=[viewer])
        elif view == "provider":
            record = Provider(name=f"Disposable provider {n}")
        elif view == "purpose":
            record = Purpose(description_fr=f"Finalité jetable {n}", description_en=f"Disposable purpose {n}")
        elif view == "category":
            record = Category(key=f"disposable{n}", name_fr=f"Jetable {n}", description_fr="Catégorie jetable.")
        else:
            raise Unclassified(view)
        session.add(record)
        session.commit()
        return record.id

    def new_record(self, view):
        """Form data for a valid new record, and how to find it afterwards."""
        n = next(self.serial)
        if view == "provider":
            data = {"name": f"Walk provider {n}", "website": "", "privacy_policy_url": "", "country": ""}
            return data, lambda: fresh().scalar(select(Provider.id).where(Provider.name == data["name"])) is not None
        if view == "purpose":
            data = {"description_fr": f"Finalité de parcours {n}", "description_en": f"Walk purpose {n}"}
            return (
                data,
                lambda: (
                    fresh().scalar(select(Purpose.id).where(Purpose.description_fr == data["description_fr"]))
                    is not None
                ),
            )
        if view == "category":
            data = {
                "key": f"walk{n}",
                "name_fr": f"Parcours {n}",
                "name_en": f"Walk {n}",
                "description_fr": "Catégorie de parcours.",
                "description_en": "Walk category.",
                "consent_required": "y",
                "position": str(100 + n),
            }
            return data, lambda: fresh().scalar(select(Category.id).where(Category.key == data["key"])) is not None
        if view == "cookie":
            provider, category, purpose = seed_objects()
            data = {
                "name": f"walk_{n}",
                "domain": "",
                "party": "first",
                "storage_kind": "http_cookie",
                "provider": str(provider.id),
                "category": str(category.id),
                "purposes": [str(purpose.id)],
                "service_fr": "Parcours",
                "service_en": "Walk",
                "lifetime_unit": "days",
                "lifetime_amount": "30",
                "shown_on_policy": "y",
                "notes": "",
            }
            fresh()
            return data, lambda: fresh().scalar(select(Cookie.id).where(Cookie.name == data["name"])) is not None
        if view == "settings":
            data = {
                "site_name": f"Second site {n}",
                "site_url": "https://second.example",
                "controller_name": "Second",
                "contact_email": "dpo@second.example",
            }
            return (
                data,
                lambda: (
                    fresh().scalar(select(SiteSettings.id).where(SiteSettings.site_name == data["site_name"]))
                    is not None
                ),
            )
        if view == "users":
            data = {
                "email": f"walk-new-{n}@example.com",
                "role": "viewer",
                "active": "y",
                "new_password": "a long walk password 42",
            }
            return data, lambda: fresh().scalar(select(User.id).where(User.email == data["email"])) is not None
        raise Unclassified(view)

    def edit_value(self, view):
        n = next(self.serial)
        if view == "users":
            return "role", "editor"
        return EDITED_FIELD[view], f"Changed by the walk {n}"

    def _edited(self, view, ident, name, value):
        if view == "users":
            return lambda: _row(User, ident).role_name == value
        return lambda: getattr(_row(MODEL_VIEWS[view], ident), name) == value

    # --- Flask-Admin model views ------------------------------------------------------------

    def _model_index_view(self, view, method):
        return Call("", method, f"/admin/{view}/")

    def _model_details_view(self, view, method):
        return Call("", method, f"/admin/{view}/details/?id={self.existing(view)}")

    def _model_create_view(self, view, method):
        if method == "GET":
            return Call("", method, f"/admin/{view}/new/")
        data, done = self.new_record(view)
        return Call("", method, f"/admin/{view}/new/", data, done=done)

    def _model_edit_view(self, view, method):
        ident = self.disposable(view)
        url = f"/admin/{view}/edit/?id={ident}"
        if method == "GET":
            return Call("", method, url)
        # The form as the browser shows it, with one field changed.
        data = form_fields(html_of(self.reader.get(url)))
        data.pop("csrf_token", None)
        name, value = self.edit_value(view)
        assert name in data, f"{url}: no field {name} in the form"
        data[name] = value
        return Call("", method, url, data, done=self._edited(view, ident, name, value))

    def _model_delete_view(self, view, method):
        ident = self.disposable(view)
        data = {"id": str(ident), "url": f"/admin/{view}/"}
        return Call("", method, f"/admin/{view}/delete/", data, done=_gone(MODEL_VIEWS[view], ident))

    def _model_action_view(self, view, method):
        ident = self.disposable(view)
        data = {"action": "delete", "rowid": [str(ident)], "url": f"/admin/{view}/"}
        return Call("", method, f"/admin/{view}/action/", data, done=_gone(MODEL_VIEWS[view], ident))

    def _model_ajax_lookup(self, view, method):
        return Call("", method, f"/admin/{view}/ajax/lookup/?name=provider&query=a")

    def _model_ajax_update(self, view, method):
        ident = self.disposable(view)
        name, value = self.edit_value(view)
        data = {"list_form_pk": str(ident), name: value}
        return Call("", method, f"/admin/{view}/ajax/update/", data, done=self._edited(view, ident, name, value))

    def _model_export(self, view, method):
        return Call("", method, f"/admin/{view}/export/csv/")

    # --- Other back-office views ------------------------------------------------------------

    def _admin_index(self, method):
        return Call("", method, "/admin/")

    def _admin_static(self, method):
        return Call("", method, "/admin/static/admin/js/actions.js")

    # Scans: a finished scan of the fixture site's observations (tests/scanner/observations.py).
    def _scan_id(self):
        from models import Scan
        from tests.scanner.observations import stored_scan

        found = fresh().scalars(select(Scan.id).where(Scan.status == "done").order_by(Scan.id)).first()
        if found is None:
            found = stored_scan(self.app).id
            db.session.remove()
        return found

    def _compliance_index(self, method):
        return Call("", method, "/admin/compliance/?rule=purpose-retention")

    def _scans_index(self, method):
        return Call("", method, "/admin/scans/")

    def _scans_detail(self, method):
        return Call("", method, f"/admin/scans/{self._scan_id()}")

    def _scans_start(self, method):
        from models import Scan

        before = fresh().scalar(select(func.count()).select_from(Scan))
        # A public address given as such: no DNS needed, and no worker runs it in the tests.
        data = {"url": "http://93.184.215.14/", "max_pages": "5", "scenarios": ["none"]}
        return Call(
            "",
            method,
            "/admin/scans/start",
            data,
            done=lambda: fresh().scalar(select(func.count()).select_from(Scan)) > before,
        )

    def _scans_add_preview(self, method):
        return Call(
            "",
            method,
            f"/admin/scans/{self._scan_id()}/add",
            {"items": ["http_cookie|ui_lang|site.localhost"], "category": "preferences", "shown": "0"},
        )

    def _scans_add_confirm(self, method):
        scan_id = self._scan_id()
        name = f"walk_{next(self.serial)}"
        from models import Scan

        session = fresh()
        scan_row = session.get(Scan, scan_id)
        result = dict(scan_row.result)
        result["items"] = [
            *result["items"],
            {
                **result["items"][0],
                "name": name,
                "status": "undeclared",
                "suggestion": None,
                "violation": [],
                "cookie_id": None,
            },
        ]
        scan_row.result = result
        session.commit()
        revision = session.scalar(select(InventoryState.revision)) or 0
        session.remove()
        return Call(
            "",
            method,
            f"/admin/scans/{scan_id}/add/confirm",
            {
                "items": [f"http_cookie|{name}|site.localhost"],
                "category": "preferences",
                "shown": "0",
                "revision": str(revision),
            },
            done=lambda: fresh().scalars(select(Cookie.id).where(Cookie.name == name)).first() is not None,
        )

    def _scans_mark_reviewed(self, method):
        from models import Scan

        scan_id = self._scan_id()
        cookie_id = str(fresh().get(Scan, scan_id).result["not_seen"][0]["cookie_id"])
        return Call(
            "",
            method,
            f"/admin/scans/{scan_id}/reviewed",
            {"cookies": [cookie_id]},
            done=lambda: cookie_id in (fresh().get(Scan, scan_id).reviewed or {}),
        )

    def _publication_index(self, method):
        return Call("", method, "/admin/publication/")

    def _publication_preview(self, method):
        return Call("", method, "/admin/publication/preview/en")

    def _publication_record(self, method):
        return Call("", method, "/admin/publication/versions/1.html?lang=fr")

    def _publication_manager_configuration(self, method):
        return Call("", method, "/admin/publication/configurations/klaro.json")

    def _publication_review(self, method):
        before = fresh().scalar(select(func.count()).select_from(ReviewRequest))
        return Call(
            "",
            method,
            "/admin/publication/review",
            {"note": "Prêt"},
            done=lambda: fresh().scalar(select(func.count()).select_from(ReviewRequest)) > before,
        )

    def _publication_publish(self, method):
        """A draft with a new cookie, published against the current version."""
        make_cookie(name=f"published_{next(self.serial)}")
        current = fresh().scalar(select(func.max(PolicyVersion.number))) or 0
        # The walk's own records have no English: published in French only, as the form allows.
        waived = [f"{f.section}:{f.key}" for f in prepare(fresh()).findings if f.waivable]
        fresh()
        return Call(
            "",
            method,
            "/admin/publication/publish",
            {"note_fr": "Nouveau cookie", "expected_current": str(current), "french_only": waived},
            done=lambda: (fresh().scalar(select(func.max(PolicyVersion.number))) or 0) > current,
        )

    def _history_index(self, method):
        return Call("", method, "/admin/history/")

    def _history_record(self, method):
        return Call("", method, f"/admin/history/cookie/{self.existing('cookie')}")

    def _history_restore(self, method):
        """Restore a purpose's first version after a later edit."""
        n = next(self.serial)
        original = f"Version d'origine {n}"
        session = fresh()
        with recording("cli"):
            purpose = Purpose(description_fr=original)
            session.add(purpose)
            session.commit()
            purpose.description_fr = f"Version modifiée {n}"
            session.commit()
        ident = purpose.id
        change_id = fresh().scalar(
            select(RecordChange.id).where(
                RecordChange.model == "purpose", RecordChange.record_id == ident, RecordChange.action == "create"
            )
        )
        return Call(
            "",
            method,
            f"/admin/history/restore/{change_id}",
            done=lambda: _row(Purpose, ident).description_fr == original,
        )

    def _export_index(self, method):
        return Call("", method, "/admin/export/")

    def _export_download(self, method):
        return Call("", method, "/admin/export/csv")

    def _import_index(self, method):
        return Call("", method, "/admin/import/")

    def _import_preview(self, method):
        """A dry run of the current inventory: it plans no change, so nothing is kept."""
        exported = self.reader.get("/admin/export/csv", buffered=True).data
        return Call("", method, "/admin/import/preview", {"format": ""}, files={"file": (exported, "inventory.csv")})

    def _import_confirm(self, method):
        """Confirm an import previewed by an administrator, which adds one cookie."""
        name = f"imported_{next(self.serial)}"
        text = self.reader.get("/admin/export/csv", buffered=True).get_data(as_text=True)
        header, first = text.splitlines()[:2]
        upload = ("\n".join([header, first.replace("cookies_preferences", name, 1)]) + "\n").encode()
        preview = self.reader.post(
            "/admin/import/preview",
            data={"file": (io.BytesIO(upload), "cookies.csv"), "format": "", "csrf_token": self.reader.csrf},
            content_type="multipart/form-data",
        )
        html = html_of(preview)
        fields = {}
        for key in ("token", "revision", "name", "format"):
            match = re.search(rf'name="{key}" value="([^"]*)"', html)
            assert match, f"the import preview has no {key}: {html[:300]}"
            fields[key] = match.group(1)
        self.uploads.append(fields["token"])
        return Call(
            "",
            method,
            "/admin/import/confirm",
            fields,
            done=lambda: fresh().scalar(select(Cookie.id).where(Cookie.name == name)) is not None,
        )
