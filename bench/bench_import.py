"""Benchmark: previews (dry runs) of large and hostile files through the back office's own
function, each in a subprocess, with its wall time and peak resident memory.

    .venv/bin/python bench/bench_import.py            # every file below
    .venv/bin/python bench/bench_import.py --only csv # files whose name contains "csv"

Files, built in a temporary folder: a 16 MB CSV and a 16 MB JSON of realistic cookies (over
the back office's row cap), a CSV and an XLSX just under the cap (previewed in full), a 100k-row
XLSX (about 5 MB, within the 16 MB upload cap), the shared-strings bomb (an 84 KB XLSX
declaring 2 million strings), a 16 MB JSON of empty objects, a 16 MB JSON of empty lists, and a
16 MB CSV that is one long line. Each preview runs in a child process
(``admin.transfer.preview_report``, as the back office calls it, against a SQLite inventory
of 1,000 cookies); the parent reads the child's peak RSS from ``os.wait4`` (ru_maxrss). The
"app only" row is a child that creates the application and previews nothing.

Target: any file of up to 16 MB previews in under 10 s and under 300 MB peak RSS. A benchmark,
not a test: it asserts nothing; the tests (tests/test_import_limits.py) check the refusals.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MB = 2**20
TARGET_SECONDS = 10
TARGET_MIB = 300


# --- Files ------------------------------------------------------------------------------------


def cookie_values(number, notes=""):
    """A row of our CSV export's columns for cookie ``number``."""
    return {
        "name": f"_bench_cookie_{number:07d}",
        "domain": "stats.example.org",
        "is_pattern": "no",
        "party": "first",
        "storage_kind": "http_cookie",
        "category": "statistics",
        "provider": f"Provider {number % 50}",
        "service_fr": "Mesure d'audience",
        "service_en": "Audience measurement",
        "purposes_fr": f"Compter les visites {number % 20}",
        "purposes_en": f"Count visits {number % 20}",
        "lifetime_fr": "13 mois",
        "lifetime_en": "13 months",
        "lifetime_unit": "months",
        "lifetime_amount": "13",
        "shown_on_policy": "yes",
        "notes": notes,
        "updated_at": "",
    }


def _columns():
    from inventory.export import COOKIE_COLUMNS

    return COOKIE_COLUMNS


def csv_of(rows, notes=""):
    """Our CSV with ``rows`` cookies."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = _columns()
    writer.writerow(columns)
    for number in range(rows):
        values = cookie_values(number, notes)
        writer.writerow([values.get(column, "") for column in columns])
    return out.getvalue().encode()


def csv_of_size(size, notes=""):
    """Our CSV, as many whole rows as fit in ``size`` bytes."""
    data = csv_of(int(size / (len(csv_of(100, notes)) / 100)) + 10, notes)
    return data[: data.rindex(b"\r\n", 0, size) + 2]


def json_of(rows):
    """Our JSON backup with ``rows`` cookies (and the sample categories)."""
    cookies = []
    for number in range(rows):
        values = cookie_values(number)
        cookies.append(
            {
                "name": values["name"],
                "domain": values["domain"],
                "is_pattern": False,
                "party": "first",
                "storage_kind": "http_cookie",
                "category": "statistics",
                "provider": values["provider"],
                "service_fr": values["service_fr"],
                "service_en": values["service_en"],
                "purposes": [values["purposes_fr"]],
                "lifetime": {"unit": "months", "amount": 13},
                "shown_on_policy": True,
                "notes": None,
            }
        )
    return json.dumps({"format": "cookie-inventory", "version": 1, "cookies": cookies}).encode()


def json_of_size(size):
    per_row = len(json_of(100)) - len(json_of(99))
    data = json_of(max(1, int(size / per_row * 0.97)))
    return data if len(data) <= size else json_of(max(1, int(size / per_row * 0.9)))


def json_flood(size, item=b"{}"):
    """A JSON backup whose cookie list holds nothing but ``item``, ``size`` bytes in all."""
    head, tail = b'{"format": "cookie-inventory", "version": 1, "cookies": [', b"]}"
    count = (size - len(head) - len(tail)) // (len(item) + 1)
    return head + b",".join([item] * count) + tail


def xlsx_of(rows, notes=""):
    """An XLSX like our export's Cookies sheet with ``rows`` cookies (openpyxl write-only)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Cookies")
    columns = _columns()
    sheet.append(list(columns))
    for number in range(rows):
        values = cookie_values(number, notes)
        sheet.append([values.get(column) or None for column in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _replace_parts(data, parts):
    """The zip ``data`` with the entries of ``parts`` ({name: bytes}) replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, parts.get(entry.filename, source.read(entry.filename)))
    return out.getvalue()


_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = b"http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT = b"application/vnd.openxmlformats-officedocument.spreadsheetml"


def _column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index).encode()


def shared_strings_bomb(count=2_000_000):
    """A workbook (a Cookies sheet with our header) whose shared strings table holds
    ``count`` more empty strings: it packs to a few dozen KB, and openpyxl would build a
    list of every string before reading any row."""
    columns = [column.encode() for column in _columns()]
    header = b"".join(
        b'<c r="%s1" t="s"><v>%d</v></c>' % (_column_letter(index + 1), index) for index in range(len(columns))
    )
    total = len(columns) + count
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="' + _CONTENT + b'.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="' + _CONTENT + b'.worksheet+xml"/>'
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + _CONTENT + b'.sharedStrings+xml"/>'
        b"</Types>",
        "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="' + _PACKAGE_RELS + b'">'
        b'<Relationship Id="rId1" Type="' + _RELS + b'/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="'
        + _MAIN
        + b'" xmlns:r="'
        + _RELS
        + b'">'
        b'<sheets><sheet name="Cookies" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="'
        + _PACKAGE_RELS
        + b'"><Relationship Id="rId1" Type="'
        + _RELS
        + b'/worksheet" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Type="' + _RELS + b'/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + _MAIN + b'">'
        b'<sheetData><row r="1">' + header + b"</row></sheetData></worksheet>",
        "xl/sharedStrings.xml": b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="'
        + _MAIN
        + b'" count="%d" uniqueCount="%d">' % (total, total)
        + b"".join(b"<si><t>%s</t></si>" % column for column in columns)
        + b"<si><t/></si>" * count
        + b"</sst>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def wide_dimension_xlsx(rows=10):
    """A workbook whose sheet claims to span A1:XFD1048576: openpyxl pads every row to it."""
    data = xlsx_of(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    start = sheet.find(b"<dimension")
    if start >= 0:
        end = sheet.find(b"/>", start) + 2
        sheet = sheet[:start] + b'<dimension ref="A1:XFD1048576"/>' + sheet[end:]
    else:
        sheet = sheet.replace(b"<sheetData", b'<dimension ref="A1:XFD1048576"/><sheetData', 1)
    return _replace_parts(data, {"xl/worksheets/sheet1.xml": sheet})


def build_files(folder, only=None):
    """{name: path} of the benchmark's files, written into ``folder``."""
    makers = {
        "csv 16 MB (over the row cap)": lambda: csv_of_size(16 * MB),
        "csv 16 MB, one line": lambda: b"name," + b"x" * (16 * MB - 10) + b"\r\n",
        "csv 19,999 rows, long notes": lambda: csv_of(19_999, notes="n" * 400),
        "json 16 MB (over the row cap)": lambda: json_of_size(16 * MB),
        "json 16 MB of {}": lambda: json_flood(16 * MB, b"{}"),
        "json 16 MB of []": lambda: json_flood(16 * MB, b"[]"),
        "json 19,999 cookies": lambda: json_of(19_999),
        "xlsx shared-strings bomb": shared_strings_bomb,
        "xlsx 100k rows": lambda: xlsx_of(100_000),
        "xlsx 19,999 rows": lambda: xlsx_of(19_999),
        "xlsx dimension A1:XFD1048576": wide_dimension_xlsx,
    }
    files = {}
    for index, (name, make) in enumerate(makers.items()):
        if only and only not in name:
            continue
        path = folder / f"file{index:02d}.bin"
        path.write_bytes(make())
        files[name] = path
    return files


# --- Measuring --------------------------------------------------------------------------------


def child(database, path, name):
    """In the child: preview ``path`` as the back office does; print the outcome as JSON."""
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "bench"})
    with app.app_context(), app.test_request_context():
        from admin.transfer import preview_report

        result = {"seconds": 0.0, "outcome": "app only"}
        if path != "-":
            data = Path(path).read_bytes()
            started = time.perf_counter()
            report = preview_report(data, name=name, fmt=None)
            result["seconds"] = time.perf_counter() - started
            if report.problems:
                result["outcome"] = "refused: " + str(report.problems[0].message)[:70]
            else:
                counts = report.counts()
                result["outcome"] = f"{report.rows} rows: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    print(json.dumps(result))


def run_child(database, path, name):
    """(seconds, peak RSS in MiB, outcome) of a preview in its own process."""
    command = [sys.executable, __file__, "--child", database, str(path), name]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    started = time.perf_counter()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    output, errors = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        return wall, usage.ru_maxrss / 1024, "crashed: " + errors.decode(errors="replace").strip()[-120:]
    result = json.loads(output.decode().strip().splitlines()[-1])
    return result["seconds"], usage.ru_maxrss / 1024, result["outcome"]


def prepare(folder, only=None, cookies=1000):
    """In a child: the SQLite inventory and the files, listed in ``folder/files.json``."""
    from app import create_app
    from bench.dataset import add_cookies
    from inventory.seed import load_seed
    from models import db

    database = f"sqlite:///{folder / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        load_seed(sample=False)
        add_cookies(db.session, cookies)
        db.session.remove()
        db.engine.dispose()
    files = {name: str(path) for name, path in build_files(folder, only).items()}
    (folder / "files.json").write_text(json.dumps({"database": database, "files": files}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="only the files whose name contains this")
    parser.add_argument("--child", nargs=3, metavar=("DATABASE", "FILE", "NAME"), help=argparse.SUPPRESS)
    parser.add_argument("--prepare", type=Path, metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.prepare:
        prepare(args.prepare, args.only)
        return
    # This process imports neither the application nor openpyxl, and builds nothing: a child
    # inherits its parent's peak RSS on Linux (ru_maxrss survives fork and exec).
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        command = [sys.executable, __file__, "--prepare", str(folder)] + (["--only", args.only] if args.only else [])
        subprocess.run(command, check=True, cwd=ROOT)
        plan = json.loads((folder / "files.json").read_text())
        database, files = plan["database"], {name: Path(path) for name, path in plan["files"].items()}
        print(f"files built in {time.perf_counter() - started:.1f} s; preview = admin.transfer.preview_report\n")
        rows = [("app only (no preview)", 0, *run_child(database, "-", "-"))]
        for name, path in files.items():
            rows.append((name, path.stat().st_size, *run_child(database, path, name)))
    header = f"{'file':34} {'size':>9} {'preview s':>9} {'peak RSS':>9}  {'target':6}  outcome"
    print(header)
    print("-" * len(header))
    for name, size, seconds, rss, outcome in rows:
        met = "ok" if seconds < TARGET_SECONDS and rss < TARGET_MIB else "MISSED"
        print(f"{name:34} {size / MB:7.2f}MB {seconds:9.2f} {rss:7.0f}MB  {met:6}  {outcome}")
    print(f"\ntarget: every file previews in < {TARGET_SECONDS} s and < {TARGET_MIB} MB peak RSS (ru_maxrss).")
    print("rerun: .venv/bin/python bench/bench_import.py")


if __name__ == "__main__":
    main()
