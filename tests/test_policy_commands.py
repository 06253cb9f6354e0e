"""``flask policy export`` and ``flask policy export-static``; ``flask users create --role publisher``."""

import gzip
import json

import brotli
from sqlalchemy import select

from models import PolicyVersion, User
from tests.helpers import fresh, make_cookie, publish_draft


def test_export_writes_each_record_format(runner, tmp_path):
    digest = fresh().scalars(select(PolicyVersion)).one().digest
    for fmt in ("html", "pdf", "json"):
        target = tmp_path / f"v1.{fmt}"
        result = runner.invoke(args=["policy", "export", "1", "--format", fmt, "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert digest in result.output
    assert (tmp_path / "v1.pdf").read_bytes().startswith(b"%PDF")
    assert digest in (tmp_path / "v1.html").read_text()
    assert json.loads((tmp_path / "v1.json").read_text())["number"] == 1


def test_export_of_an_unknown_version_exits_1(runner, tmp_path):
    result = runner.invoke(args=["policy", "export", "5", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "no version 5" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_export_static_writes_the_public_side_with_compressed_siblings(client, runner, tmp_path):
    make_cookie(name="static_cookie")
    publish_draft()
    result = runner.invoke(args=["policy", "export-static", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = tmp_path / "fr" / "cookies.html"
    assert page.read_bytes() == client.get("/fr/cookies").data
    assert gzip.decompress((tmp_path / "fr" / "cookies.html.gz").read_bytes()) == page.read_bytes()
    assert brotli.decompress((tmp_path / "fr" / "cookies.html.br").read_bytes()) == page.read_bytes()
    for name in (
        "en/cookies/versions.html",
        "en/cookies/versions/1.html",
        "fr/cookies/versions/2/changes.html",
        "api/v1/policy.json",
        "api/v1/policy/2.json",
        "api/v1/inventory.json",
        "static/site.css",
        "fr/cookies/labels.css",
    ):
        assert (tmp_path / name).is_file(), name
    assert "static_cookie" in (tmp_path / "api/v1/policy.json").read_text()


def test_users_create_makes_a_publisher(runner, restore_accounts):
    result = runner.invoke(
        args=["users", "create", "pub@example.com", "--role", "publisher"], input="a long password here 1\n"
    )
    assert result.exit_code == 0, result.output
    assert fresh().scalars(select(User).where(User.email == "pub@example.com")).one().role_name == "publisher"
