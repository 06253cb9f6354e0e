"""Configuration from the environment: safe defaults in development, refusal in production."""

import stat

import pytest

from config import ConfigError, build_config


def test_production_without_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        build_config(tmp_path, {"APP_ENV": "production"})
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("value", ["production", "Production", "PRODUCTION"])
def test_production_is_recognised_whatever_the_case(tmp_path, value):
    with pytest.raises(ConfigError):
        build_config(tmp_path, {"APP_ENV": value, "SECRET_KEY": ""})


def test_the_app_factory_refuses_production_without_secret_key(monkeypatch):
    from app import create_app

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_production_with_a_secret_key_uses_secure_cookies(tmp_path):
    config = build_config(tmp_path, {"APP_ENV": "production", "SECRET_KEY": "s3cret-from-the-environment"})
    assert config["SECRET_KEY"] == "s3cret-from-the-environment"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert not (tmp_path / "secret_key").exists()


def test_development_generates_a_key_and_keeps_it(tmp_path):
    first = build_config(tmp_path, {})
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = build_config(tmp_path, {"APP_ENV": "development"})
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    assert first["SESSION_COOKIE_SECURE"] is False


def test_each_development_instance_gets_its_own_key(tmp_path):
    assert build_config(tmp_path / "a", {})["SECRET_KEY"] != build_config(tmp_path / "b", {})["SECRET_KEY"]


def test_a_secret_key_from_the_environment_wins_in_development(tmp_path):
    assert build_config(tmp_path, {"SECRET_KEY": "given"})["SECRET_KEY"] == "given"
    assert not (tmp_path / "secret_key").exists()


def test_the_password_salt_is_derived_from_the_key_unless_given(tmp_path):
    derived = build_config(tmp_path, {"SECRET_KEY": "k"})["SECURITY_PASSWORD_SALT"]
    assert derived and derived != "k"
    assert build_config(tmp_path, {"SECRET_KEY": "other"})["SECURITY_PASSWORD_SALT"] != derived
    assert (
        build_config(tmp_path, {"SECRET_KEY": "k", "SECURITY_PASSWORD_SALT": "salt"})["SECURITY_PASSWORD_SALT"]
        == "salt"
    )


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://user:pw@db.example:5432/cookies", "postgresql+psycopg://user:pw@db.example:5432/cookies"),
        ("postgresql://user@localhost/cookies", "postgresql+psycopg://user@localhost/cookies"),
        ("postgresql+psycopg://user@localhost/cookies", "postgresql+psycopg://user@localhost/cookies"),
        ("sqlite:////srv/data/cookies.db", "sqlite:////srv/data/cookies.db"),
    ],
)
def test_database_urls_get_the_psycopg_driver(tmp_path, given, expected):
    config = build_config(tmp_path, {"SECRET_KEY": "k", "DATABASE_URL": given})
    assert config["SQLALCHEMY_DATABASE_URI"] == expected


def test_the_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    config = build_config(tmp_path, {"SECRET_KEY": "k"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "cookies.db")


def test_the_instance_folder_is_created(tmp_path):
    build_config(tmp_path / "new" / "instance", {"SECRET_KEY": "k"})
    assert (tmp_path / "new" / "instance").is_dir()


def test_logout_is_post_only_and_passwords_are_long(tmp_path):
    config = build_config(tmp_path, {"SECRET_KEY": "k"})
    assert config["SECURITY_LOGOUT_METHODS"] == ["POST"]
    assert config["SECURITY_PASSWORD_LENGTH_MIN"] >= 12
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_change_signal_lives_in_the_instance_folder_and_is_rechecked_every_second(tmp_path):
    config = build_config(str(tmp_path), {})
    assert config["CHARTE_SIGNAL_FILE"] == str(tmp_path / "charte.signal")
    assert config["CHARTE_RECHECK_SECONDS"] == 1.0
    config = build_config(str(tmp_path), {"CHARTE_SIGNAL_FILE": "/run/charte.signal", "CHARTE_RECHECK_SECONDS": "0"})
    assert (config["CHARTE_SIGNAL_FILE"], config["CHARTE_RECHECK_SECONDS"]) == ("/run/charte.signal", 0.0)


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "7200"])
def test_a_recheck_time_that_is_not_seconds_refuses_to_start(tmp_path, value):
    with pytest.raises(ConfigError, match="CHARTE_RECHECK_SECONDS"):
        build_config(str(tmp_path), {"CHARTE_RECHECK_SECONDS": value})


def test_failing_statements_are_logged_without_their_values(app):
    """A search of 999 words used to log the whole statement with every value (+1 MB a request)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from models import db

    try:
        db.session.execute(text("SELECT * FROM no_such_table WHERE x = :secret"), {"secret": "private-value-42"})
    except DBAPIError as error:
        assert "private-value-42" not in str(error)
    else:
        raise AssertionError("the statement should have failed")
    finally:
        db.session.rollback()


def test_the_public_address_is_checked_and_trimmed(tmp_path):
    import pytest

    from config import ConfigError, build_config

    assert build_config(str(tmp_path), {"PUBLIC_URL": "https://cookies.example.org/"})["PUBLIC_URL"] == (
        "https://cookies.example.org"
    )
    assert build_config(str(tmp_path), {})["PUBLIC_URL"] is None
    with pytest.raises(ConfigError):
        build_config(str(tmp_path), {"PUBLIC_URL": "cookies.example.org"})
