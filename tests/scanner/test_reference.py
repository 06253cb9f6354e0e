"""Suggestions from the Open Cookie Database's pinned copy, and replacing it with a newer file."""

import hashlib
from pathlib import Path

import pytest

from scanner.reference import PINNED, Reference, ReferenceRefused, read_rows, reference
from tests.helpers import open_cookie_database


def test_the_pinned_copy_is_the_shared_file_with_its_licence():
    assert "Apache License" in (PINNED.parent / "LICENSE").read_text()
    assert (
        "0a8d78901ae55d859e34f7cc760262819af4c764b4f9bc3bbdeea2296e31f156" in (PINNED.parent / "SOURCE.md").read_text()
    )
    assert (
        hashlib.sha256(PINNED.read_bytes()).hexdigest()
        == hashlib.sha256(open_cookie_database().read_bytes()).hexdigest()
    )


def test_known_cookies_get_provider_category_purpose_and_retention():
    ref = reference()
    gcl = ref.suggest("_gcl_au")
    assert (gcl["provider"], gcl["category"], gcl["consent_required"]) == ("Google", "marketing", True)
    assert gcl["lifetime"] == ["months", 3] and gcl["description"]
    # A wildcard entry of the database: the longest matching prefix.
    matomo = ref.suggest("_pk_id.1.abcd")
    assert matomo["category"] == "statistics" and matomo["provider"] in ("Piwik", "Matomo")
    assert ref.suggest("ui_lang") is None  # unknown: "to classify"


def test_a_file_that_is_not_the_database_is_refused():
    with pytest.raises(ReferenceRefused, match="missing column"):
        read_rows(b"name,domain\nx,y\n")
    with pytest.raises(ReferenceRefused, match="UTF-8"):
        read_rows(b"\xff\xfe\x00bad")


def test_the_update_command_checks_then_replaces_the_reference(app, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nx\n")
    result = runner.invoke(args=["scan", "update-reference", str(bad)])
    assert result.exit_code == 1 and "unchanged" in result.output
    assert reference(app.instance_path).size == 2264
    newer = tmp_path / "newer.csv"
    header = PINNED.read_text(encoding="utf-8-sig").splitlines()[0]
    newer.write_text(
        header + "\nx1,Fixture,Marketing,ui_lang,,A fixture cookie,30 days,Fixture Inc,,0\n", encoding="utf-8"
    )
    result = runner.invoke(args=["scan", "update-reference", str(newer)])
    assert result.exit_code == 0, result.output
    assert reference(app.instance_path).suggest("ui_lang")["provider"] == "Fixture Inc"
    (Path(app.instance_path) / "open-cookie-database.csv").unlink()


def test_reference_indexes_exact_names_and_prefixes():
    rows = [
        {"Cookie / Data Key name": "_ga", "Wildcard match": "0", "Category": "Analytics"},
        {"Cookie / Data Key name": "_ga_", "Wildcard match": "1", "Category": "Analytics"},
    ]
    ref = Reference(rows)
    assert ref.suggest("_ga")["category"] == "statistics"
    assert ref.suggest("_ga_XYZ")["category"] == "statistics"
    assert ref.suggest("_gat") is None
