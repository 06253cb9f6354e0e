"""``flask inventory export`` and ``flask inventory import``: files or standard output, a
summary of the plan, and an exit status that scripts can trust."""

import io
import json

from openpyxl import load_workbook

from inventory.cli import EXIT_REFUSED, EXIT_SKIPPED, inventory_cli
from tests.inventory.conftest import checksum, cookie_row, csv_bytes, read_csv_export


def run(runner, *args):
    return runner.invoke(inventory_cli, list(args))


def test_the_app_has_the_inventory_commands(app):
    assert "inventory" in app.cli.commands


def test_export_writes_json_to_standard_output_by_default(runner):
    result = run(runner, "export")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout_bytes)["format"] == "cookie-inventory"


def test_export_csv_excel_to_standard_output(runner):
    result = run(runner, "export", "--format", "csv-excel")
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfname;")
    assert len(read_csv_export(result.stdout_bytes)) == 4


def test_export_to_a_file(runner, tmp_path):
    target = tmp_path / "inventory.xlsx"
    result = run(runner, "export", "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert load_workbook(io.BytesIO(target.read_bytes())).sheetnames == [
        "Cookies",
        "Providers",
        "Categories",
        "Purposes",
    ]
    assert not (tmp_path / "inventory.xlsx.part").exists()


def test_export_refuses_an_unknown_format(runner):
    result = run(runner, "export", "--format", "pdf")
    assert result.exit_code == 2 and "pdf" in result.output


def test_import_dry_run_prints_the_plan_and_writes_nothing(runner, tmp_path):
    source = tmp_path / "cookies.csv"
    source.write_bytes(csv_bytes([cookie_row()]))
    before = checksum()
    result = run(runner, "import", str(source), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "cookies.csv (csv): 1 rows, dry run, nothing written." in result.output
    assert "cookie: 1 create, 0 update, 0 unchanged, 0 rejected" in result.output
    assert "create cookie “_pk_id” (stats.example.org) (row 2)" in result.output
    assert checksum() == before


def test_import_applies_and_a_second_run_is_unchanged(runner, tmp_path):
    source = tmp_path / "cookies.csv"
    source.write_bytes(csv_bytes([cookie_row()]))
    assert run(runner, "import", str(source)).exit_code == 0
    result = run(runner, "import", str(source))
    assert result.exit_code == 0
    assert "cookie: 0 create, 0 update, 1 unchanged, 0 rejected" in result.output


def test_import_with_a_rejected_row_exits_non_zero_and_names_row_and_column(runner, tmp_path):
    source = tmp_path / "cookies.csv"
    source.write_bytes(csv_bytes([cookie_row(), cookie_row(name="x", category="nope")]))
    before = checksum()
    from flask_babel import force_locale

    with force_locale("fr"):  # the default language of a command (no request): French
        result = run(runner, "import", str(source))
    assert result.exit_code == EXIT_REFUSED
    assert "refused, nothing written" in result.output
    assert "(row 3): category:" in result.output
    # One language per run: the reason is in English like the rest, not « Catégorie inconnue ».
    assert "inconnue" not in result.output.lower() and "unknown" in result.output.lower()
    assert checksum() == before
    skipped = run(runner, "import", str(source), "--skip-invalid")
    assert skipped.exit_code == EXIT_SKIPPED
    assert "applied, 1 rejected rows skipped" in skipped.output


def test_import_refuses_a_file_over_the_size_limit_or_of_the_wrong_format(runner, tmp_path):
    source = tmp_path / "big.csv"
    source.write_bytes(csv_bytes([cookie_row(notes="x" * 3000)] * 400))
    result = run(runner, "import", str(source), "--max-size", "1")
    assert result.exit_code == EXIT_REFUSED and "error: big.csv:" in result.output
    result = run(runner, "import", str(source), "--format", "xlsx")
    assert result.exit_code == EXIT_REFUSED and "error: big.csv:" in result.output
