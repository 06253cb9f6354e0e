"""The back office at /admin (Flask-Admin 2, Bootstrap 4)."""

from pathlib import Path

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from hardening.headers import csp_nonce
from models import Category, Cookie, Provider, Purpose, SiteSettings, User, db

from .compliance import ComplianceView
from .flask_admin_adapter import let_our_words_win
from .history import HistoryView
from .labels import column_label, local_time
from .publication import PublicationView
from .scans import ScansView
from .transfer import ExportView, ImportView
from .users import UserView
from .views import CategoryView, CookieView, DashboardView, ProviderView, PurposeView, SettingsView

TRANSLATIONS = str(Path(__file__).resolve().parent.parent / "translations")


def init_admin(app):
    inventory = _l("Inventory")
    transfer = _l("Import / export")
    cookies = CookieView(Cookie, db, name=_l("Cookies"), endpoint="cookie", category=inventory)
    dashboard = DashboardView(cookies, name=_l("Overview"), url="/admin", endpoint="admin")
    let_our_words_win(TRANSLATIONS)
    admin = Admin(
        app,
        name=_l("Cookie inventory"),
        theme=Bootstrap4Theme(base_template="admin/master.html", fluid=True),
        index_view=dashboard,
        csp_nonce_generator=csp_nonce,
    )
    views = [
        cookies,
        ProviderView(Provider, db, name=_l("Providers"), endpoint="provider", category=inventory),
        PurposeView(Purpose, db, name=_l("Purposes"), endpoint="purpose", category=inventory),
        CategoryView(Category, db, name=_l("Categories"), endpoint="category", category=inventory),
        SettingsView(SiteSettings, db, name=_l("Site settings"), endpoint="settings"),
        PublicationView(name=_l("Publication"), endpoint="publication", url="/admin/publication"),
        ComplianceView(name=_l("Compliance"), endpoint="compliance", url="/admin/compliance", category=inventory),
        ScansView(name=_l("Site scans"), endpoint="scans", url="/admin/scans", category=inventory),
        HistoryView(name=_l("Recent changes"), endpoint="history", url="/admin/history"),
        ExportView(name=_l("Export"), endpoint="export", url="/admin/export", category=transfer),
        ImportView(name=_l("Import"), endpoint="import", url="/admin/import", category=transfer),
        UserView(User, db, name=_l("Accounts"), endpoint="users"),
    ]
    admin.add_views(*views)
    app.add_template_filter(local_time, "local_time")
    app.add_template_global(column_label, "column_label")
    app.extensions["back_office_views"] = {view.endpoint: view for view in [dashboard, *views]}
    return admin


def back_office_view(app, endpoint):
    """The back-office view registered under ``endpoint``."""
    return app.extensions["back_office_views"][endpoint]
