"""A build is a transaction: whatever goes wrong, the published database and site stay byte for byte as they were;
readers of the published database never stop a build."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys

import pytest
import yaml

from ogw_datalab.build_transaction import BuildError, BuildTransaction, publish_site
from ogw_datalab.duckdb_connection import connect

from .labs import PROJECT, Lab, files_under

pytestmark = pytest.mark.e2e
FAILED = "build failed: site and database unchanged"


def published(lab: Lab) -> dict[str, str]:
    """Every published file (database and site) with its hash; the demo's source files are rewritten by a build."""
    return {
        f"data/{k}": v
        for k, v in files_under(lab.folder / "data").items()
        if not k.startswith(("demo", ".")) and ".bouw" not in k
    } | {f"maps/{k}": v for k, v in files_under(lab.maps).items()}


def start_build(lab: Lab, limit_bytes: int | None = None) -> subprocess.Popen:
    def limit() -> None:
        if limit_bytes is not None:  # a full disk, as the process meets it: writes fail with EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.Popen(
        [sys.executable, "-m", "ogw_datalab", "build", "--config", str(lab.config)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
    )


@pytest.fixture
def lab(slim_demo_lab, tmp_path) -> Lab:
    """A copy of the built slim demo whose builds read its demo files as they are (the build is what is tested)."""
    return slim_demo_lab.copy(tmp_path, keep_demo_files=True)


@pytest.mark.parametrize(
    "after",
    [
        "  ✓ raw/buurten",
        "  ✓ staging/buurten",
        "  ✓ joined/adressen_buurt",
        "  ✓ indicators/buurt",
        "  ✓ indicators/prioriteiten",
    ],
)
def test_a_build_killed_in_any_layer_changes_nothing_and_the_next_build_cleans_up(lab, after):
    before = published(lab)
    build = start_build(lab)
    assert build.stdout is not None
    for line in build.stdout:  # the handshake: kill as soon as the build reports that step
        if line.startswith(after):
            build.send_signal(signal.SIGKILL)
            break
    build.communicate(timeout=300)
    assert build.returncode == -signal.SIGKILL, f"the build ended before {after.strip()}"
    assert published(lab) == before
    assert list((lab.folder / "data").glob(".datalab.duckdb.*.bouw*"))  # the working copy it left behind
    run = lab.run()
    assert run.code == 0, run.err
    assert not list((lab.folder / "data").glob(".datalab.duckdb.*.bouw*"))
    assert not (lab.folder / "maps.bouw").exists()


def test_a_file_that_cannot_grow_changes_nothing_and_says_so(lab):
    before = published(lab)
    build = start_build(lab, limit_bytes=1_000_000)  # the working copy of the database cannot be written
    out, err = build.communicate(timeout=600)
    assert build.returncode != 0, out
    assert err.strip().endswith(FAILED), err
    assert "Traceback" not in err, err
    assert published(lab) == before


@pytest.mark.parametrize("room_mb", [5, 22.3])
def test_a_full_disk_changes_nothing_and_says_so(demo_lab, tmp_path, room_mb):
    """On a small file system of its own: full at the start (no room for the working copy), or in the middle."""
    disk = tmp_path / "schijf"
    disk.mkdir()
    used = sum(p.stat().st_size for p in demo_lab.folder.rglob("*") if p.is_file())
    size = f"{int(used + room_mb * 1_000_000) // 1024}k"
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)], capture_output=True
    ).returncode:
        pytest.skip("mounting a small tmpfs is not permitted here (needs root); it is the full disk")
    try:
        lab = demo_lab.copy(disk, keep_demo_files=True)
        before = published(lab)
        build = start_build(lab)
        out, err = build.communicate(timeout=600)
        assert build.returncode != 0, out
        assert err.strip().endswith(FAILED), err
        assert "Traceback" not in err, err
        assert published(lab) == before
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_read_only_site_folder_changes_nothing(lab):
    before = published(lab)
    if subprocess.run(["chattr", "+i", str(lab.maps)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not permitted here (needs root on ext4); it makes maps/ impossible to replace")
    try:
        run = lab.run()
    finally:
        subprocess.run(["chattr", "-i", str(lab.maps)], check=True)
    assert run.code == 1
    assert "could not be published" in run.err
    assert run.err.strip().endswith(FAILED)
    assert published(lab) == before


def test_an_open_read_only_connection_does_not_stop_a_build(lab):
    reader = connect(lab.database, read_only=True)
    try:
        before = reader.execute("SELECT count(*) FROM staging.buurten").fetchone()
        run = lab.run()
        assert run.code == 0, run.err
        assert reader.execute("SELECT count(*) FROM staging.buurten").fetchone() == before  # still reads its version
    finally:
        reader.close()
    assert connect(lab.database, read_only=True).execute("SELECT count(*) FROM staging.buurten").fetchone() == before


def test_a_damaged_published_database_is_explained_and_left_alone(lab):
    database = lab.folder / "data" / "datalab.duckdb"
    with database.open("r+b") as handle:
        handle.truncate(database.stat().st_size // 3)
    before = published(lab)
    run = lab.run()
    assert run.code == 1
    assert f"the published database {database} is damaged" in run.err
    assert "build again" in run.err
    assert published(lab) == before


def test_bad_input_found_while_building_changes_nothing(lab):
    raw = yaml.safe_load(lab.config.read_text(encoding="utf-8"))
    raw["demo"] = None  # keep the demo files as they are, and break the corporation file far below the sample
    lab.config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    corporation = lab.folder / "data" / "demo" / "corporatie_woningen.csv"
    with corporation.open("a", encoding="utf-8") as handle:
        handle.write("VHE999999;2401 AB;12;;;C;1970;wat;hier;nog;meer;staat\n")  # wider than its header
    before = published(lab)
    run = lab.run()
    assert run.code == 1, run.err
    assert "corporatie_woningen.csv" in run.err, run.err
    assert run.err.strip().endswith(FAILED), run.err
    assert published(lab) == before
    # the reason and the file last, one line for the steps that did not run, none of Dagster's lines per step
    reason, not_run, last = run.err.strip().splitlines()[-3:]
    assert reason.startswith("FAILED raw__partners: partners.corporatie_woningen (corporatie_woningen.csv)"), reason
    assert re.fullmatch(r"\d+ later steps did not run \(they need what failed\)", not_run), not_run
    assert last == FAILED
    assert "Dependencies for step" not in run.out + run.err


def test_sites_of_other_builds_inside_the_site_folder_are_kept(tmp_path):
    maps, new = tmp_path / "maps", tmp_path / "maps.bouw"
    (maps / "alphen").mkdir(parents=True)
    (maps / "alphen" / "index.html").write_text("Alphen", encoding="utf-8")
    (maps / "index.html").write_text("oud", encoding="utf-8")
    new.mkdir()
    (new / "index.html").write_text("nieuw", encoding="utf-8")
    publish_site(new, maps)
    assert (maps / "index.html").read_text(encoding="utf-8") == "nieuw"
    assert (maps / "alphen" / "index.html").read_text(encoding="utf-8") == "Alphen"
    assert not new.exists()
    assert not (tmp_path / "maps.oud").exists()


def test_a_mounted_site_folder_is_replaced_file_by_file(tmp_path):
    maps, new = tmp_path / "maps", tmp_path / "maps.bouw"
    maps.mkdir()
    (maps / "weg.html").write_text("weg", encoding="utf-8")
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(maps)], capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs is not permitted here (needs root); it makes maps/ a mount point")
    (maps / "weg.html").write_text("weg", encoding="utf-8")
    try:
        assert os.path.ismount(maps)
        (new / "downloads").mkdir(parents=True)
        (new / "index.html").write_text("nieuw", encoding="utf-8")
        (new / "downloads" / "a.csv").write_text("a", encoding="utf-8")
        publish_site(new, maps)
        assert sorted(str(p.relative_to(maps)) for p in maps.rglob("*") if p.is_file()) == [
            "downloads/a.csv",
            "index.html",
        ]
    finally:
        subprocess.run(["umount", str(maps)], check=True)


def test_a_second_build_of_the_same_database_waits_for_the_first(tmp_path):
    database, maps = tmp_path / "x.duckdb", tmp_path / "maps"
    first = BuildTransaction(database, maps, "run-one", lock_wait_s=0)
    first.begin()
    try:
        with pytest.raises(BuildError, match="another build of x.duckdb"):
            BuildTransaction(database, maps, "run-two", lock_wait_s=0).begin()
    finally:
        first.abort()
    second = BuildTransaction(database, maps, "run-two", lock_wait_s=0)
    second.begin()
    second.abort()
    shutil.rmtree(maps, ignore_errors=True)


def test_an_aborted_build_removes_its_half_built_site_but_not_another_builds(tmp_path):
    """A build stopped while writing its site (Ctrl-C: the run's teardown aborts) leaves no ``maps.bouw``; a build
    that never got the lock leaves the one that holds it alone."""
    database, maps = tmp_path / "x.duckdb", tmp_path / "maps"
    first = BuildTransaction(database, maps, "run-one", lock_wait_s=0)
    first.begin()
    (first.site / "buurten").mkdir(parents=True)
    (first.site / "index.html").write_text("half", encoding="utf-8")
    waiting = BuildTransaction(database, maps, "run-two", lock_wait_s=0)
    with pytest.raises(BuildError, match="another build of x.duckdb"):
        waiting.begin()
    waiting.abort()  # what the run's teardown does after a failed begin
    assert (first.site / "index.html").is_file()
    first.abort()
    assert not first.site.exists()
    assert not maps.exists()
