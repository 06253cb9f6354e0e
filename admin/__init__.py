"""The back office at /admin (Flask-Admin 2, Bootstrap 4)."""
from pathlib import Path

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from hardening.headers import csp_nonce
from models import Category, Cookie, Provider, Purpose, SiteSettings, User, db

from .history import HistoryView
from .transfer import ExportView, ImportView
from .users import UserView
from .views import CategoryView, CookieView, DashboardView, ProviderView, PurposeView, SettingsView

TRANSLATIONS = str(Path(__file__).resolve().parent.parent / "translations")


def init_admin(app):
    admin = Admin(
        app,
        name=_l("Cookie inventory"),
        theme=Bootstrap4Theme(base_template="admin/master.html", fluid=True),
        index_view=DashboardView(name=_l("Overview"), url="/admin", endpoint="admin"),
        translations_path=TRANSLATIONS,
        csp_nonce_generator=csp_nonce,
    )
    inventory = _l("Inventory")
    admin.add_view(CookieView(Cookie, db, name=_l("Cookies"), endpoint="cookie", category=inventory))
    admin.add_view(ProviderView(Provider, db, name=_l("Providers"), endpoint="provider", category=inventory))
    admin.add_view(PurposeView(Purpose, db, name=_l("Purposes"), endpoint="purpose", category=inventory))
    admin.add_view(CategoryView(Category, db, name=_l("Categories"), endpoint="category", category=inventory))
    admin.add_view(SettingsView(SiteSettings, db, name=_l("Site settings"), endpoint="settings"))
    admin.add_view(HistoryView(name=_l("Recent changes"), endpoint="history", url="/admin/history"))
    transfer = _l("Import / export")
    admin.add_view(ExportView(name=_l("Export"), endpoint="export", url="/admin/export", category=transfer))
    admin.add_view(ImportView(name=_l("Import"), endpoint="import", url="/admin/import", category=transfer))
    admin.add_view(UserView(User, db, name=_l("Accounts"), endpoint="users"))
    return admin
