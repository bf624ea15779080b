"""Gemeenten built by two Celery workers, as deploy/celery/README.md describes, equal an in-process build.

A local Redis (Debian's ``redis-server``) on a free port in a temporary folder is the broker; two workers are
started with ``dagster-celery worker start`` and the deployment's own ``celery.yaml``; the instance is the
deployment's ``dagster.yaml`` with the run launcher to Celery (only the run coordinator is the default one, so that
no daemon is needed: the runs are launched as they are submitted). A backfill of two real gemeenten of the 2015
files, then the overview, are submitted with the ``dagster`` command line, exactly as the README says. Without
``redis-server`` the tests skip locally and fail in CI (``.ci/run`` sets ``CI`` and installs it).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
import yaml

from benchmarks.scale import national_config, write_config

from .labs import build_once, run_cli
from .services import free_port, require_program

pytestmark = pytest.mark.scale

PROJECT = Path(__file__).resolve().parents[1]
DEPLOY = PROJECT / "deploy" / "celery"
BIN = Path(sys.executable).parent
INSTALL = "apt-get install redis-server; pip install -e '.[celery]'"
GEMEENTEN = ["GM0003", "GM0243"]  # Appingedam (6 buurten, no hospital) and Harderwijk (62, in two region files)
WORKERS = ["ogw1", "ogw2"]
TABLES = ["publicatie_buurt", "publicatie_wijk", "publicatie_gemeente", "opgave_scores", "vergelijking_buurt"]
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def wait_until(condition, *, timeout_s: float, what: str, log: Path | None = None) -> None:
    """Poll ``condition`` every 0.2 s; fail naming ``what`` (and the end of ``log``) when it never holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log and log.exists() else ""
            pytest.fail(f"{what} did not happen within {timeout_s:.0f} s\n{tail}")
        time.sleep(0.2)


def worker_ready(process: subprocess.Popen, name: str, log: Path) -> bool:
    """Whether the worker logged ``<name>@<host> ready.``; a failure with its log when it has stopped."""
    text = log.read_text(errors="replace") if log.exists() else ""
    if process.poll() is not None:
        pytest.fail(f"Celery worker {name} stopped with exit code {process.returncode}:\n{text[-3000:]}")
    return re.search(rf"{name}@\S+ ready\.", text) is not None


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Processes:
    """Processes started in their own session, so that each is stopped with everything it started."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def start(self, command: list[str], *, log: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen:
        with log.open("w", encoding="utf-8") as output:
            process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
            )
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            with _gone():
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in reversed(self.started):
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                pass
            with _gone():
                os.killpg(process.pid, signal.SIGKILL)  # the group: a worker's pool processes too
            process.wait()


class _gone:
    """Ignore a process group that has already ended."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, value, traceback) -> bool:
        return kind is ProcessLookupError


@dataclass(frozen=True)
class CeleryBuild:
    in_process: Path  # output folder of the in-process build
    celery: Path  # output folder of the build on the workers
    runs: list[dg.DagsterRun]
    worker_logs: dict[str, str]


def wait_for_runs(instance: dg.DagsterInstance, count: int, *, job: str, timeout_s: float) -> list[dg.DagsterRun]:
    def done() -> bool:
        runs = instance.get_runs(dg.RunsFilter(job_name=job))
        return len(runs) == count and all(run.status in FINISHED for run in runs)

    wait_until(done, timeout_s=timeout_s, what=f"{count} finished run(s) of {job}")
    return list(instance.get_runs(dg.RunsFilter(job_name=job)))


@pytest.fixture(scope="module")
def celery_build(shared_data, tmp_path_factory) -> CeleryBuild:
    """Built once per test run (with xdist by the first worker to ask; the tests of this module go to one worker)."""
    redis_server = require_program("redis-server", INSTALL, also_in=BIN)
    require_program("dagster-celery", INSTALL, also_in=BIN)
    return build_once(tmp_path_factory, "celery", partial(build_on_celery, shared_data, redis_server))


def build_on_celery(shared_data: Path, redis_server: str, folder: Path) -> CeleryBuild:
    """The gemeenten built by ``ogw-datalab build`` into ``folder/in_process``, and on two Celery workers into
    ``folder/celery``, then the overview there."""
    raw = national_config(shared_data)
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGW_DATALAB_EXECUTOR")}
    env |= {"DAGSTER_DISABLE_TELEMETRY": "1", "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"}

    in_process = write_config(raw, folder, "in_process", GEMEENTEN)
    with pytest.MonkeyPatch.context() as patch:  # in this process, as the command runs without an executor set
        patch.delenv("OGW_DATALAB_EXECUTOR", raising=False)
        build = run_cli("build", "--config", str(in_process))
    assert build.code == 0, build.out[-3000:] + build.err[-3000:]

    port = free_port()
    home = folder / "dagster_home"
    home.mkdir()
    instance_yaml = yaml.safe_load((DEPLOY / "dagster.yaml").read_text(encoding="utf-8"))
    instance_yaml["run_coordinator"] = {"module": "dagster.core.run_coordinator", "class": "DefaultRunCoordinator"}
    (home / "dagster.yaml").write_text(yaml.safe_dump(instance_yaml), encoding="utf-8")
    on_workers = write_config(raw, folder, "celery", GEMEENTEN)
    broker = {
        "OGW_DATALAB_CELERY_BROKER": f"redis://127.0.0.1:{port}/0",
        "OGW_DATALAB_CELERY_BACKEND": f"redis://127.0.0.1:{port}/1",
    }
    env |= broker | {"DAGSTER_HOME": str(home), "OGW_DATALAB_CONFIG": str(on_workers)}

    processes = Processes()
    try:
        redis_dir = folder / "redis"
        redis_dir.mkdir()
        redis_log = folder / "redis.log"
        processes.start(
            [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(redis_dir), "--save", "",
             "--appendonly", "no"],
            log=redis_log, env=env, cwd=redis_dir,
        )  # fmt: skip
        wait_until(lambda: redis_answers(port), timeout_s=30, what="redis-server answering PING", log=redis_log)
        # first, so that the instance's storage exists before two workers open it at once (they would both
        # create it, and sqlite then holds two schema versions)
        sync = subprocess.run(
            [sys.executable, str(DEPLOY / "sync_partitions.py")], env=env, capture_output=True, text=True, timeout=120
        )
        assert sync.returncode == 0, sync.stderr
        keys = sync.stdout.strip()
        assert sorted(keys.split(",")) == [f"{code}|2015" for code in GEMEENTEN]
        logs = {name: folder / f"{name}.log" for name in WORKERS}
        workers = {}
        for name in WORKERS:
            command = [str(BIN / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app"]
            command += ["-y", str(DEPLOY / "celery.yaml"), "-n", name, "--", "--concurrency", "1"]
            workers[name] = processes.start(command, log=logs[name], env=env, cwd=folder)
        for name in WORKERS:
            ready = partial(worker_ready, workers[name], name, logs[name])
            wait_until(ready, timeout_s=120, what=f"Celery worker {name} ready", log=logs[name])

        dagster = [str(BIN / "dagster"), "job"]
        backfill = dagster + ["backfill", "-m", "pipelines.definitions", "-j", "build", "--partitions", keys]
        submitted = subprocess.run(backfill + ["--noprompt"], env=env, cwd=folder, capture_output=True, text=True)
        assert submitted.returncode == 0, submitted.stdout[-2000:] + submitted.stderr[-2000:]
        with pytest.MonkeyPatch.context() as patch:
            for name, value in broker.items():
                patch.setenv(name, value)  # the instance's run launcher reads them
            with dg.DagsterInstance.from_config(str(home)) as instance:
                runs = wait_for_runs(instance, len(GEMEENTEN), job="build", timeout_s=240)
                launched = subprocess.run(
                    dagster + ["launch", "-m", "pipelines.definitions", "-j", "overview"],
                    env=env, cwd=folder, capture_output=True, text=True,
                )  # fmt: skip
                assert launched.returncode == 0, launched.stdout[-2000:] + launched.stderr[-2000:]
                runs += wait_for_runs(instance, 1, job="overview", timeout_s=120)
        worker_logs = {name: logs[name].read_text(errors="replace") for name in WORKERS}
    finally:
        processes.stop_all()
    return CeleryBuild(folder / "in_process", folder / "celery", runs, worker_logs)


def test_every_run_succeeds_and_publishes_its_gemeente_and_the_overview(celery_build):
    assert [run.status for run in celery_build.runs] == [dg.DagsterRunStatus.SUCCESS] * 3
    for code in GEMEENTEN:
        assert (celery_build.celery / "data" / f"{code}.duckdb").is_file()
        assert (celery_build.celery / "maps" / code / "index.html").is_file()
    assert (celery_build.celery / "maps" / "kaart.html").is_file()
    assert (celery_build.celery / "maps" / "downloads" / "buurtwaarden.parquet").is_file()


def test_the_two_gemeenten_ran_on_two_different_workers(celery_build):
    where = {}
    for run in celery_build.runs:
        task = run.tags["dagster-celery/task_id"]
        where[run.tags.get("dagster/partition", "overview")] = [
            name for name, log in celery_build.worker_logs.items() if f"execute_job[{task}] received" in log
        ]
    assert all(len(workers) == 1 for workers in where.values()), where
    assert {where[f"{code}|2015"][0] for code in GEMEENTEN} == set(WORKERS), where


def read_table(database: Path, table: str) -> pd.DataFrame:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(f"SELECT * FROM indicators.{table} ORDER BY ALL").df()  # table: from TABLES only
    finally:
        con.close()


@pytest.mark.parametrize("code", GEMEENTEN)
def test_the_published_figures_equal_those_of_an_in_process_build(celery_build, code):
    for table in TABLES:
        ours = read_table(celery_build.celery / "data" / f"{code}.duckdb", table)
        pd.testing.assert_frame_equal(ours, read_table(celery_build.in_process / "data" / f"{code}.duckdb", table))
        assert len(ours) > 0, table
    downloads = sorted((celery_build.celery / "maps" / code / "downloads").glob("*.csv"))
    assert len(downloads) >= 10
    for path in downloads:
        twin = celery_build.in_process / "maps" / code / "downloads" / path.name
        assert path.read_bytes() == twin.read_bytes(), path.name


def read_parquet(path: Path) -> pd.DataFrame:
    con = duckdb.connect()  # without spatial: the geometry is compared as its WKB bytes
    try:
        return con.execute("SELECT * FROM read_parquet(?) ORDER BY ALL", [str(path)]).df()
    finally:
        con.close()


def test_the_overview_holds_the_same_buurt_values(celery_build):
    ours = read_parquet(celery_build.celery / "maps" / "downloads" / "buurtwaarden.parquet")
    theirs = read_parquet(celery_build.in_process / "maps" / "downloads" / "buurtwaarden.parquet")
    assert sorted(ours["gemeentecode"].unique()) == GEMEENTEN
    pd.testing.assert_frame_equal(ours, theirs)
