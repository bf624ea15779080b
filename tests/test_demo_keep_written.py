"""A build writes the demo gemeente's files only when its folder does not hold them unchanged."""

from __future__ import annotations

import json
import shutil

from ogw_datalab.demo import keep_written
from ogw_datalab.demo.keep_written import STAMP, write_demo_unless_current
from ogw_datalab.demo.write_demo import write_demo_municipality

CSV = "corporatie_woningen.csv"


def written_at(files) -> dict:
    return {path.name: path.stat().st_mtime_ns for path in files}


def test_unchanged_files_are_not_written_again_and_a_copy_stays_current(tmp_path):
    first = write_demo_unless_current(tmp_path / "a", jaar=2023)
    again = write_demo_unless_current(tmp_path / "a", jaar=2023)
    assert again == first
    assert written_at(again) == written_at(first)
    shutil.copytree(tmp_path / "a", tmp_path / "b")  # as a test copies a built lab
    copied = write_demo_unless_current(tmp_path / "b", jaar=2023)
    assert written_at(copied) == written_at(tmp_path / "b" / path.name for path in first)
    assert [path.name for path in copied] == [path.name for path in first]


def test_an_edited_or_removed_file_is_written_again_as_the_seed_gives_it(tmp_path):
    folder = tmp_path / "demo"
    write_demo_unless_current(folder, jaar=2023)
    original = (folder / CSV).read_bytes()
    (folder / CSV).write_text("kapot", encoding="utf-8")
    (folder / "bomen.geojson").unlink()
    write_demo_unless_current(folder, jaar=2023)
    assert (folder / CSV).read_bytes() == original
    assert (folder / "bomen.geojson").is_file()


def test_another_seed_or_year_or_generator_writes_the_files_again(tmp_path, monkeypatch):
    folder = tmp_path / "demo"
    write_demo_unless_current(folder, jaar=2023)
    before = (folder / CSV).read_bytes()
    write_demo_unless_current(folder, seed=485, jaar=2023)
    assert (folder / CSV).read_bytes() != before
    assert json.loads((folder / STAMP).read_text(encoding="utf-8"))["made_from"]["seed"] == 485
    files = write_demo_unless_current(folder)  # 2024: the air-quality network too
    assert (folder / "meetnet_sensoren.csv") in files
    stamped = written_at(files)
    monkeypatch.setattr(keep_written, "generator_fingerprint", lambda: "changed code")
    assert written_at(write_demo_unless_current(folder)) != stamped


def test_files_written_without_a_stamp_are_written_again(tmp_path):
    folder = tmp_path / "demo"
    write_demo_municipality(folder, jaar=2023)  # as before this module, or a write that was interrupted
    stamped = written_at(folder / name for name in (CSV, "bomen.geojson"))
    write_demo_unless_current(folder, jaar=2023)
    assert written_at(folder / name for name in (CSV, "bomen.geojson")) != stamped
    assert (folder / STAMP).is_file()
