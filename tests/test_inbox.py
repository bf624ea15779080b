"""The partner inbox, hardened: complete files only, no links or devices, trial placement, archive and restore."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest

from ogw_datalab.config import ProjectConfig, load_config
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.files import file_hash, make_private_dir, permissions
from ogw_datalab.inbox import (
    InboxRound,
    archived_versions,
    inbox_cursor,
    log_lines,
    process_inbox,
    read_inbox_cursor,
    restore_partner_file,
)
from ogw_datalab.staging.stage_areas import stage_cbs_areas

from .factories import GOOD, drop, minimal_config
from .fixtures import stage_cbs_areas_wijken, two_by_two_buurten

BETTER = "code;score\nBU00010001;7,0\nBU00010002;6,5\nBU00010101;8,0\nBU00010102;5,0\n"
OTHER_GEMEENTE = "code;score\nBU00020001;7,5\nBU00020002;6,0\nBU00020101;8,1\n"
HALF_UNKNOWN = "code;score\nBU00010001;7,5\nBU00010002;6,0\nBU00019998;8,1\nBU00019999;5,5\n"


@pytest.fixture
def lab(tmp_path) -> ProjectConfig:
    """Four buurten of GM0001 staged in the current database, and an empty inbox."""
    config = load_config(minimal_config(tmp_path), check_files=False)
    con = connect(config.uitvoer.database)
    two_by_two_buurten(con)
    stage_cbs_areas(con, "buurten", "GM0001")
    stage_cbs_areas_wijken(con)
    con.close()
    assert config.uitvoer.inbox is not None
    config.uitvoer.inbox.mkdir()
    return config


class Sensor:
    """Keeps the observations between looks, as the sensor keeps them in its cursor."""

    def __init__(self, config: ProjectConfig):
        self.config = config
        self.cursor: str | None = None

    def tick(self, **kwargs) -> InboxRound:
        result = process_inbox(self.config, seen=read_inbox_cursor(self.cursor), **kwargs)
        self.cursor = inbox_cursor(result)
        return result


def actions(result: InboxRound) -> list[tuple[str, str]]:
    return [(d.path.name, d.action) for d in result.decisions]


def installed(config: ProjectConfig, name: str = "ggd") -> str:
    return next(p for p in config.partners if p.naam == name).pad.read_text(encoding="utf-8")


def reasons(config: ProjectConfig) -> list[str]:
    assert config.uitvoer.inbox is not None
    folder = config.uitvoer.inbox / "afgewezen"
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.reden.txt"))]


def test_a_file_still_being_written_waits_until_size_and_time_stay_the_same(lab):
    sensor = Sensor(lab)
    path = drop(lab, "ggd.csv", GOOD[:30])  # half written
    assert actions(sensor.tick()) == [("ggd.csv", "wait")]
    path.write_text(GOOD, encoding="utf-8")  # the rest arrives
    assert actions(sensor.tick()) == [("ggd.csv", "wait")]
    stamp = path.stat().st_mtime_ns + 5_000_000_000
    os.utime(path, ns=(stamp, stamp))  # same size, later time: still being written
    assert actions(sensor.tick()) == [("ggd.csv", "wait")]
    result = sensor.tick()  # unchanged since the last look: complete
    assert actions(result) == [("ggd.csv", "load")]
    assert result.loaded == {"ggd": file_hash(lab.partners[0].pad)}
    assert installed(lab) == GOOD
    assert not path.exists()
    assert read_inbox_cursor(sensor.cursor) == {}


def test_a_part_file_is_never_taken_and_its_rename_is(lab):
    sensor = Sensor(lab)
    part = drop(lab, "ggd_2027-01.csv.part", GOOD)
    for _ in range(3):
        result = sensor.tick()
        assert actions(result) == [("ggd_2027-01.csv.part", "wait")]
        assert ".part" in (result.decisions[0].reason or "")
    assert not lab.partners[0].pad.exists()
    part.rename(part.with_name("ggd_2027-01.csv"))
    assert actions(sensor.tick()) == [("ggd_2027-01.csv", "wait")]
    assert actions(sensor.tick()) == [("ggd_2027-01.csv", "load")]
    assert installed(lab) == GOOD


def test_links_and_devices_are_refused_and_never_followed(lab, tmp_path):
    outside = tmp_path / "elders.csv"
    outside.write_text(GOOD, encoding="utf-8")
    mode = permissions(outside)
    inbox = lab.uitvoer.inbox
    assert inbox is not None
    (inbox / "ggd.csv").symlink_to(outside)
    os.link(outside, inbox / "ggd_hard.csv")
    os.mkfifo(inbox / "ggd_pijp.csv")
    result = Sensor(lab).tick()
    assert sorted(actions(result)) == [("ggd.csv", "reject"), ("ggd_hard.csv", "reject"), ("ggd_pijp.csv", "reject")]
    assert not lab.partners[0].pad.exists()
    assert outside.read_text(encoding="utf-8") == GOOD  # the target is untouched
    assert permissions(outside) == mode  # nor its permissions
    refused = inbox / "afgewezen"
    assert [p.name.split("_", 1)[1] for p in refused.iterdir() if p.is_symlink()] == ["ggd.csv"]
    texts = " ".join(reasons(lab))
    assert "symbolische koppeling" in texts
    assert "harde koppeling" in texts
    assert "geen gewoon bestand" in texts


def test_a_file_of_another_gemeente_is_refused_and_the_installed_file_stays(lab):
    sensor = Sensor(lab)
    drop(lab, "ggd.csv", GOOD)
    sensor.tick()
    assert actions(sensor.tick()) == [("ggd.csv", "load")]
    before = lab.partners[0].pad.read_bytes()
    drop(lab, "ggd_2027-02.csv", OTHER_GEMEENTE)
    sensor.tick()
    result = sensor.tick()
    assert actions(result) == [("ggd_2027-02.csv", "reject")]
    assert result.loaded == {}
    assert lab.partners[0].pad.read_bytes() == before
    (reason,) = reasons(lab)
    assert "geen enkele rij hoort bij Testdorp (GM0001)" in reason
    assert "3 rijen" in reason


def test_a_file_below_the_match_rate_is_refused_with_the_reasons(lab):
    sensor = Sensor(lab)
    drop(lab, "ggd.csv", HALF_UNKNOWN)
    sensor.tick()
    result = sensor.tick()
    assert actions(result) == [("ggd.csv", "reject")]
    assert result.decisions[0].placement is not None
    assert result.decisions[0].placement["match_rate"] == 0.5
    (reason,) = reasons(lab)
    assert "2 van 4 rijen gekoppeld (50%), minder dan min_koppelpercentage 90%" in reason
    assert "buurtcode komt niet voor in de buurten van deze gemeente en dit jaar (2x)" in reason
    assert not lab.partners[0].pad.exists()
    assert any("afgewezen" in line and "50%" in line for line in log_lines(result))


def xlsx(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_excel(path, index=False)
    return path


def test_an_xlsx_for_a_csv_partner_is_refused_for_its_kind_and_accepted_for_an_xlsx_partner(lab):
    inbox = lab.uitvoer.inbox
    assert inbox is not None
    frame = pd.DataFrame({"code": ["BU00010001", "BU00010002"], "score": [7.5, 6.0]})
    xlsx(inbox / "ggd_2027-01.xlsx", frame)  # a valid spreadsheet, but the ggd partner reads CSV
    rows = pd.DataFrame({"Buurt": ["BU00010001", "BU00010002", "BU00010101"], "Woningen": [10, 20, 30]})
    xlsx(inbox / "corporatie_woningen_2027-01.xlsx", rows)
    sensor = Sensor(lab)
    sensor.tick()
    result = sensor.tick()
    assert sorted(actions(result)) == [("corporatie_woningen_2027-01.xlsx", "load"), ("ggd_2027-01.xlsx", "reject")]
    (reason,) = reasons(lab)
    assert "partners.ggd is ingesteld op CSV-bestanden (soort: csv: .csv, .txt)" in reason
    assert "'.xlsx'" in reason
    assert "encoding" not in reason
    assert pd.read_excel(lab.partners[1].pad)["Woningen"].tolist() == [10, 20, 30]


def test_a_txt_extension_is_accepted_for_a_csv_partner(lab):
    sensor = Sensor(lab)
    drop(lab, "ggd_levering.txt", GOOD)
    sensor.tick()
    assert actions(sensor.tick()) == [("ggd_levering.txt", "load")]
    assert installed(lab) == GOOD


def test_every_installed_version_is_archived_and_the_previous_one_can_be_restored(lab):
    sensor = Sensor(lab)
    drop(lab, "ggd.csv", GOOD)
    sensor.tick()
    sensor.tick(now=dt.datetime(2027, 1, 5, 10, 15))
    drop(lab, "ggd.csv", BETTER)
    sensor.tick()
    sensor.tick(now=dt.datetime(2027, 2, 5, 9, 0))
    assert installed(lab) == BETTER
    versions = archived_versions(lab, "ggd")
    assert [v.path.name for v in versions] == ["20270205-090000_ggd.csv", "20270105-101500_ggd.csv"]
    assert [v.sha256 for v in versions] == [file_hash(v.path) for v in versions]
    assert versions[1].ontvangen == dt.datetime(2027, 1, 5, 10, 15)
    restored = restore_partner_file(lab, "ggd")  # the one before the installed file
    assert restored.path.name == "20270105-101500_ggd.csv"
    assert installed(lab) == GOOD
    assert dt.datetime.fromtimestamp(lab.partners[0].pad.stat().st_mtime) == restored.ontvangen
    restore_partner_file(lab, "ggd", versie=versions[0].sha256[:10])
    assert installed(lab) == BETTER
    # The same content delivered again is not installed again, and adds no archive entry.
    drop(lab, "ggd.csv", BETTER)
    sensor.tick()
    assert actions(sensor.tick()) == [("ggd.csv", "same")]
    assert len(archived_versions(lab, "ggd")) == 2
    # An archived copy that no longer matches its sha256 is not restored.
    versions[1].path.write_text(OTHER_GEMEENTE, encoding="utf-8")
    with pytest.raises(ValueError, match="does not match its recorded sha256"):
        restore_partner_file(lab, "ggd", versie="20270105")
    assert installed(lab) == BETTER
    with pytest.raises(ValueError, match="matches 0 archived versions"):
        restore_partner_file(lab, "ggd", versie="2031")


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_everything_the_inbox_writes_is_owner_only(tmp_path, umask):
    previous = os.umask(umask)
    try:
        config = load_config(minimal_config(tmp_path), check_files=False)
        inbox = config.uitvoer.inbox
        assert inbox is not None
        assert process_inbox(config, seen={}).decisions == []  # creates the inbox
        assert permissions(inbox) == 0o700
        sensor = Sensor(config)
        drop(config, "ggd.csv", GOOD)
        drop(config, "onbekend.csv", GOOD)
        sensor.tick()
        sensor.tick()
        archived = archived_versions(config, "ggd")[0].path
        private_folders = [inbox / "archief", inbox / "archief" / "ggd", inbox / "afgewezen"]
        assert {str(p): permissions(p) for p in private_folders} == {str(p): 0o700 for p in private_folders}
        private_files = [archived, archived.with_name(archived.name + ".sha256"), config.partners[0].pad]
        private_files += list((inbox / "afgewezen").iterdir())
        assert len(private_files) == 5
        assert {str(p): permissions(p) for p in private_files} == {str(p): 0o600 for p in private_files}
    finally:
        os.umask(previous)


def test_an_older_cursor_without_observations_starts_afresh():
    assert read_inbox_cursor('{"corporatie_woningen": "abc"}') == {}
    assert read_inbox_cursor(None) == {}
    assert read_inbox_cursor("not json") == {}


def test_a_planted_link_in_place_of_the_archive_folder_is_refused_and_receives_nothing(lab, tmp_path):
    elsewhere = tmp_path / "gedeeld"
    elsewhere.mkdir()
    mode = permissions(elsewhere)
    inbox = lab.uitvoer.inbox
    assert inbox is not None
    (inbox / "archief").symlink_to(elsewhere)
    sensor = Sensor(lab)
    drop(lab, "ggd.csv", GOOD)
    assert actions(sensor.tick()) == [("archief", "reject"), ("ggd.csv", "wait")]
    assert actions(sensor.tick()) == [("ggd.csv", "load")]
    assert (inbox / "archief").is_dir()
    assert not (inbox / "archief").is_symlink()
    assert list(elsewhere.iterdir()) == []
    assert permissions(elsewhere) == mode
    with pytest.raises(ValueError, match="is a symbolic link"):
        make_private_dir(inbox / "afgewezen" / next(p.name for p in (inbox / "afgewezen").iterdir() if p.is_symlink()))


def test_a_file_placed_by_hand_is_archived_before_a_delivery_replaces_it_and_can_be_restored(lab):
    """A data team places the first file at ``pad`` itself, then the partner delivers through the inbox: the file
    placed by hand must not be lost."""
    by_hand = lab.partners[0].pad
    by_hand.parent.mkdir(parents=True, exist_ok=True)
    by_hand.write_text(GOOD, encoding="utf-8")
    placed = dt.datetime(2026, 11, 2, 8, 30)
    os.utime(by_hand, (placed.timestamp(), placed.timestamp()))
    sensor = Sensor(lab)
    drop(lab, "ggd.csv", BETTER)
    sensor.tick()
    sensor.tick(now=dt.datetime(2027, 2, 5, 9, 0))
    assert installed(lab) == BETTER
    versions = archived_versions(lab, "ggd")
    assert [(v.path.name, v.ontvangen) for v in versions] == [
        ("20270205-090000_ggd.csv", dt.datetime(2027, 2, 5, 9, 0)),
        (f"20261102-083000_{by_hand.name}", placed),
    ]
    assert versions[1].path.read_text(encoding="utf-8") == GOOD
    assert restore_partner_file(lab, "ggd").path == versions[1].path
    assert installed(lab) == GOOD
    assert len(archived_versions(lab, "ggd")) == 2  # both contents were archived already
