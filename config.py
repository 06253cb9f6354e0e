"""Configuration from environment variables, with safe development defaults."""

import os
import secrets
import stat
from datetime import timedelta
from pathlib import Path

from rules.language import DEFAULT_LANGUAGE, LANGUAGES  # noqa: F401  (re-exported for the web layer)
from rules.networks import parse_networks, parse_resolver_rules


class ConfigError(RuntimeError):
    pass


def is_production(env=None):
    env = os.environ if env is None else env
    return env.get("APP_ENV", "development").lower() == "production"


def _secret_key(instance_path, env):
    key = env.get("SECRET_KEY")
    if key:
        return key
    if is_production(env):
        raise ConfigError("SECRET_KEY must be set when APP_ENV=production.")
    # Development: generate one and keep it so that sessions survive restarts.
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return key


def _database_url(instance_path, env):
    url = env.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "cookies.db")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _seconds(env, name, default):
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise ConfigError(f"{name} must be a number of seconds between 0 and 3600 (got {text!r}).")
    return value


def _private_folder(path):
    """The instance folder, for the app's user and group only (the database and uploads live there)."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, mode=0o770)
        path.chmod(0o770)  # whatever the umask
    if stat.S_IMODE(path.stat().st_mode) & 0o007:
        path.chmod(stat.S_IMODE(path.stat().st_mode) & 0o770)


def _public_url(env):
    url = env.get("PUBLIC_URL", "").strip().rstrip("/")
    if url and not (url.startswith("https://") or url.startswith("http://")) or " " in url:
        raise ConfigError(f"PUBLIC_URL must be an http:// or https:// address (got {url!r}).")
    return url or None


def _trusted_hosts(env):
    hosts = [host.strip() for host in env.get("TRUSTED_HOSTS", "").split(",") if host.strip()]
    return hosts or None


def build_config(instance_path, env=None):
    env = os.environ if env is None else env
    _private_folder(instance_path)
    production = is_production(env)
    secret = _secret_key(instance_path, env)
    return {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path, env),
        # hide_parameters: a failing statement is logged without the values it was given.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
        "BABEL_DEFAULT_TIMEZONE": env.get("TIMEZONE", "Europe/Paris"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Imports from the back office (admin/transfer.py): at most this many rows per preview
        # (bigger files go through `flask inventory import`), and at most this many bytes of
        # previewed uploads waiting for their confirm, all users together.
        "IMPORT_PREVIEW_MAX_ROWS": 20_000,
        "IMPORT_PENDING_MAX_BYTES": 64 * 1024 * 1024,
        # The host names the site answers to (others get 400); none set: any.
        "TRUSTED_HOSTS": _trusted_hosts(env),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0") or 0),
        # Sessions and cookies
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # A back office: "remember me" lasts a fortnight, a session a working day at most.
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Flask-WTF: one CSRF token per session, checked on every POST.
        "WTF_CSRF_TIME_LIMIT": None,
        # Flask-Security
        "SECURITY_PASSWORD_SALT": env.get("SECURITY_PASSWORD_SALT") or _derive(secret, "password-salt"),
        "SECURITY_PASSWORD_HASH": "argon2",
        # argon2id, above OWASP's minimum (m=19 MiB, t=2, p=1); stated here so an upgrade cannot weaken it.
        "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {
            "argon2__type": "ID",
            "argon2__memory_cost": 65536,
            "argon2__time_cost": 3,
            "argon2__parallelism": 4,
        },
        "SECURITY_PASSWORD_LENGTH_MIN": 12,
        "SECURITY_URL_PREFIX": "/account",
        "SECURITY_POST_LOGIN_VIEW": "/admin/",
        "SECURITY_POST_LOGOUT_VIEW": "/account/login",
        "SECURITY_LOGOUT_METHODS": ["POST"],
        "SECURITY_TRACKABLE": True,
        "SECURITY_REGISTERABLE": False,
        "SECURITY_RECOVERABLE": False,
        "SECURITY_CHANGEABLE": True,
        "SECURITY_SEND_REGISTER_EMAIL": False,
        "SECURITY_SEND_PASSWORD_CHANGE_EMAIL": False,
        "SECURITY_RETURN_GENERIC_RESPONSES": True,
        "SECURITY_CLI_USERS_NAME": False,
        # Optional TOTP two-factor authentication (authenticator apps), per user.
        "SECURITY_TWO_FACTOR": True,
        "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator"],
        "SECURITY_TWO_FACTOR_REQUIRED": False,
        "SECURITY_TWO_FACTOR_RESCUE_MAIL": "",
        "SECURITY_TOTP_SECRETS": {"1": _derive(secret, "totp")},
        "SECURITY_TOTP_ISSUER": env.get("TOTP_ISSUER", "Cookie charte"),
        "SECURITY_TWO_FACTOR_ALWAYS_VALIDATE": True,
        # A code is accepted 30 s either side of its time step: valid 30 to 60 s, not 4 minutes.
        "SECURITY_TWO_FACTOR_AUTHENTICATOR_VALIDITY": 30,
        # When on, administrators must set up two-factor authentication before using the back office.
        "REQUIRE_ADMIN_2FA": env.get("REQUIRE_ADMIN_2FA", "").lower() in ("1", "true", "yes"),
        "SECURITY_CLI_ROLES_NAME": False,
        # Flask-Admin
        "FLASK_ADMIN_FLUID_LAYOUT": True,
        # Public pages (charte/signal.py): the file through which the processes of this host
        # tell each other of a change, and how often each also asks the database in case the
        # change came from elsewhere (another host, SQL by hand); 0 asks on every request.
        "CHARTE_SIGNAL_FILE": env.get("CHARTE_SIGNAL_FILE") or str(Path(instance_path) / "charte.signal"),
        "CHARTE_RECHECK_SECONDS": _seconds(env, "CHARTE_RECHECK_SECONDS", 1.0),
        # The policy's public address (https://cookies.example.org), for its canonical and
        # language links; unset, the links are relative to whichever host served the page.
        "PUBLIC_URL": _public_url(env),
        # The scanner (scanner/, README "Scanning the site"): which Chromium it drives; MAP rules
        # in Chromium's --host-resolver-rules syntax (the fixture site's host names); the
        # networks it may reach although not public (none: the internal network is refused);
        # where scans run: "thread" (a background thread of the web process), "external"
        # (`flask scan worker`, the production setting) or "off".
        "SCANNER_CHROMIUM": env.get("SCANNER_CHROMIUM", "/usr/bin/chromium"),
        "SCANNER_HOST_RESOLVER_RULES": _resolver_rules(env),
        "SCANNER_ALLOWED_NETWORKS": _networks(env),
        "SCAN_WORKER": _scan_worker(env),
    }


def _resolver_rules(env):
    try:
        return parse_resolver_rules(env.get("SCANNER_HOST_RESOLVER_RULES", ""))
    except ValueError as error:
        raise ConfigError(f"SCANNER_HOST_RESOLVER_RULES: {error}") from None


def _networks(env):
    try:
        return parse_networks(env.get("SCANNER_ALLOWED_NETWORKS", ""))
    except ValueError as error:
        raise ConfigError(f"SCANNER_ALLOWED_NETWORKS: {error}") from None


def _scan_worker(env):
    value = env.get("SCAN_WORKER", "thread").strip().lower()
    if value not in ("thread", "external", "off"):
        raise ConfigError(f"SCAN_WORKER must be thread, external or off (got {value!r}).")
    return value


def _derive(secret, purpose):
    import hashlib
    import hmac

    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()
