"""Our CSV and XLSX exports as LibreOffice Calc opens them (Debian's libreoffice-calc-nogui,
headless): every column in its own cell, accents intact, no cell a formula.

Skipped with a reason when soffice is absent on a developer machine; under CI=true a missing
soffice is a failure (.ci/run installs it).

LibreOffice opens a CSV through its Text Import dialog, whose defaults are in its registry
(``officecfg`` Calc/Dialogs/CSVImport, checked below): split on comma, semicolon and tab,
``"`` around texts, formulas not evaluated, and the character set found from a BOM, else
the system's (Windows-1252 on a French or English Windows). A headless conversion without
filter options does not use the dialog: it reads every CSV as Windows-1252 split on commas
(sc/source/ui/docshell/docsh.cxx, "default for ascii import (from API without options)"),
whatever the file says, so there only the columns of the comma CSV and the absence of
formulas can be asked for.
"""

import csv
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from inventory.export import COOKIE_COLUMNS, export_bytes
from inventory.rows import neutralise_csv
from tests.helpers import make_cookie
from tests.inventory.test_formula_injection import AFTER_A_SEPARATOR, add_hostile_cookie, one_line

CI = os.environ.get("CI", "").lower() == "true"
SOFFICE = os.environ.get("SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")
CSV_FILTER = "Text - txt - csv (StarCalc)"
UTF8, WINDOWS_1252 = 76, 1  # rtl_TextEncoding values
ACCENTED = ["+tricky_é", "Mesure d’audience, « été »", "ligne 1\n=SUM(1;2)\n-2, 3; 4\n@x"]


@pytest.fixture(scope="session")
def soffice(tmp_path_factory):
    if not SOFFICE:
        if CI:
            pytest.fail("LibreOffice is required under CI=true (apt-get install libreoffice-calc-nogui).")
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-calc-nogui): not checked.")
    profile = tmp_path_factory.mktemp("soffice-profile")
    work = tmp_path_factory.mktemp("soffice")

    def convert(name, data, options=None):
        """``data`` saved as ``name``, opened by LibreOffice (with these CSV filter options,
        else its defaults) and saved as XLSX; the workbook read back."""
        source = work / name
        source.write_bytes(data)
        out = work / f"out-{source.stem}"
        command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless"]
        if options is not None:
            command.append(f"--infilter={CSV_FILTER}:{options}")
        command += ["--convert-to", "xlsx", "--outdir", str(out), str(source)]
        subprocess.run(command, check=True, capture_output=True, timeout=180)
        return load_workbook(out / f"{source.stem}.xlsx")

    return convert


def dialog_options(data):
    """The Text Import dialog's defaults as filter options: separators , ; tab, text in ",
    UTF-8 when the file starts with a BOM (else Windows-1252), from row 1, formulas
    evaluated (stricter than the dialog, which leaves them off)."""
    charset = UTF8 if data.startswith(b"\xef\xbb\xbf") else WINDOWS_1252
    return f"44/59/9,34,{charset},1,,1033,false,false,false,false,false,-1,true"


def add_cookies():
    add_hostile_cookie()
    for number, text in enumerate(AFTER_A_SEPARATOR):
        make_cookie(name=f"separated_{number}", notes=text, service_fr=one_line(text))
    make_cookie(name=ACCENTED[0], service_fr=ACCENTED[1], notes=ACCENTED[2])


def cells(workbook):
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]


def assert_no_formula(workbook, csv=True):
    """No formula; from a CSV, no text starting with "=" either (what one would evaluate)."""
    formulas = [(c.coordinate, c.value) for c in cells(workbook) if c.data_type == "f"]
    if csv:
        formulas += [(c.coordinate, c.value) for c in cells(workbook) if str(c.value).startswith("=")]
    assert not formulas


def test_the_dialog_defaults_are_the_ones_modelled_here():
    if not SOFFICE:
        pytest.skip("LibreOffice not installed.")
    registry = Path(os.path.realpath(SOFFICE)).parents[1] / "share" / "registry" / "main.xcd"
    text = registry.read_text(encoding="utf-8")
    group = re.search(r'<group oor:name="CSVImport">(.*?)</group>', text, re.S).group(1)

    def value(name):
        return re.search(rf'oor:name="{name}".*?<value>(.*?)</value>', group, re.S).group(1)

    assert set(value("Separators")) == {",", ";", "\t"}
    assert (value("TextSeparators"), value("EvaluateFormulas"), value("CharSet")) == ('"', "false", "-1")


@pytest.mark.parametrize("fmt", ["csv", "csv-excel"])
def test_both_csv_flavours_open_whole_in_libreoffice(app, soffice, fmt):
    add_cookies()
    data = export_bytes(fmt)
    workbook = soffice(f"{fmt}.csv", data, dialog_options(data))
    sheet = workbook.active
    rows = [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(COOKIE_COLUMNS)  # the BOM is not in the first header
    expected = list(
        csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter="," if fmt == "csv" else ";")
    )
    assert sheet.max_column == len(COOKIE_COLUMNS) and len(rows) == len(expected)
    texts = {value for row in rows for value in row if isinstance(value, str)}
    # Accents intact, the multi-line notes in one cell (neutralised as the CSV writes them).
    assert {neutralise_csv(text) for text in ACCENTED} <= texts
    assert not [text for text in texts if "Ã" in text or "\ufeff" in text]
    assert_no_formula(workbook)
    assert "'=cmd|' /C calc'!A0" in texts  # the CSV's neutralised texts, as text


def test_without_filter_options_no_cell_becomes_a_formula(app, soffice):
    add_cookies()
    plain = soffice("plain.csv", export_bytes("csv"))
    assert plain.active.max_column == len(COOKIE_COLUMNS)
    assert [cell.value for cell in plain.active[1]][1:] == list(COOKIE_COLUMNS)[1:]
    assert_no_formula(plain)
    # Split on commas, the ";" flavour cannot open in columns there; none of it is evaluated.
    assert_no_formula(soffice("excel.csv", export_bytes("csv-excel")))


@pytest.mark.parametrize("lang", [None, "fr"])
def test_the_workbook_opens_in_libreoffice_with_texts_as_typed(app, soffice, lang):
    add_cookies()
    workbook = soffice("inventory.xlsx", export_bytes("xlsx", **({"lang": lang} if lang else {})))
    assert_no_formula(workbook, csv=False)
    names = [row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "=cmd|' /C calc'!A0" in names and "+tricky_é" in names
