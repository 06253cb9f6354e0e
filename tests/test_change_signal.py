"""The change signal file on its own: what one process writes, another sees at once; a
file that is deleted, recreated or unusable never breaks a reader."""

import os
import subprocess
import sys
from pathlib import Path

from public.signal import ChangeSignal

ROOT = Path(__file__).resolve().parents[1]


def test_a_bump_in_another_process_is_seen_by_a_reader_at_once(tmp_path):
    path = tmp_path / "charte.signal"
    reader = ChangeSignal(path)
    before = reader.read()
    assert before is not None and len(before) == 8
    done = subprocess.run(
        [sys.executable, "-c", f"from public.signal import ChangeSignal; ChangeSignal({str(path)!r}).bump()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert reader.read() != before


def test_every_bump_leaves_bytes_never_seen_before(tmp_path):
    signal = ChangeSignal(tmp_path / "charte.signal")
    seen = {signal.read()}
    for _ in range(200):
        signal.bump()
        value = signal.read()
        assert value not in seen
        seen.add(value)


def test_the_file_is_for_its_owner_and_group_only(tmp_path):
    path = tmp_path / "charte.signal"
    ChangeSignal(path).read()
    assert path.stat().st_mode & 0o007 == 0


def test_an_unusable_path_gives_no_signal_and_no_error(tmp_path, caplog):
    blocked = tmp_path / "file"
    blocked.write_text("")
    signal = ChangeSignal(blocked / "charte.signal")
    assert signal.read() is None
    signal.bump()  # nothing to write to, nothing raised
    assert signal.read() is None
    assert "unavailable" in caplog.text


def test_a_reader_in_the_middle_of_a_read_survives_the_file_being_replaced(tmp_path):
    """Another thread may hold the old mapping, between taking it and reading it, while the
    file is mapped again: that mapping stays readable."""
    path = tmp_path / "charte.signal"
    signal = ChangeSignal(path)
    signal.read()
    held = signal._map  # what a reading thread holds
    os.unlink(path)
    ChangeSignal(path).bump()  # a writer makes a new file
    signal.follow_path()
    assert len(held[:8]) == 8
    ChangeSignal(path).bump()
    assert signal.read() != held[:8]  # the new file is the one watched


def test_a_closed_mapping_reads_as_no_signal(tmp_path):
    signal = ChangeSignal(tmp_path / "charte.signal")
    signal.read()
    signal._map.close()
    assert signal.read() is None  # the caller then asks the database
