"""Stop benchmark: how long ``ogw-datalab build`` of several gemeenten takes to end after Ctrl-C or SIGTERM.

Run: ``.venv/bin/python -m benchmarks.stopping [--gemeenten GM0654,...] [--after 2]``. For each way of stopping (Ctrl-C
to the process group in one process and with ``--workers 2``; SIGTERM to the command alone with ``--workers 2``, as a
scheduler sends it) it builds the Zeeland gemeenten of the 2015 files from scratch in a temporary folder, sends the
signal one second after the ``--after``-th gemeente started, and prints the seconds from the signal to the end of the
command and its exit code. Target (issue "Stopping means stopping"): every way ends within 10 s with 130 or 143. The
test suite (tests/test_stopping.py) uses :func:`build_and_stop` to check what a stopped build leaves behind.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .scale import SHARED_DATA, national_config, write_config

ZEELAND = [
    "GM0654", "GM0664", "GM0677", "GM0678", "GM0687", "GM0703", "GM0715",
    "GM0716", "GM0717", "GM0718", "GM1676", "GM1695", "GM1714",
]  # fmt: skip
BUILDING = re.compile(r"^ogw-datalab: building (.+ \((GM\d{4})\) \d{4}) from ")
TARGET_S = 10.0
WAYS = {  # name: (signal, to the whole process group?, workers)
    "ctrl-c, one process": (signal.SIGINT, True, 1),
    "ctrl-c, --workers 2": (signal.SIGINT, True, 2),
    "sigterm to the command, --workers 2": (signal.SIGTERM, False, 2),
}


@dataclass(frozen=True)
class Stopped:
    """What a stopped build printed and returned."""

    code: int
    seconds: float  # from the signal to the end of the command
    before: list[str]  # lines read before the signal was sent
    after: list[str]  # lines read after it
    started: list[str]  # gemeentecodes whose build had started when the signal was sent

    def text(self) -> str:
        """Everything the command printed, with a mark where the signal was sent."""
        return "\n".join([*self.before, "--- signal ---", *self.after])


def build_and_stop(config: Path, *, signum: int, group: bool, after_builds: int, workers: int = 1) -> Stopped:
    """Run ``ogw-datalab build``; send ``signum`` one second after ``after_builds`` gemeenten started (to the whole
    process group, as a terminal's Ctrl-C, or with ``group`` false to the command alone, as a scheduler); wait."""
    command = [sys.executable, "-m", "pipelines.cli", "build", "--config", str(config), "--workers", str(workers)]
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    with subprocess.Popen(
        command,
        cwd=config.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a command started from a terminal
    ) as process:
        assert process.stdout is not None
        before: list[str] = []
        started: list[str] = []
        for line in process.stdout:
            before.append(line.rstrip("\n"))
            match = BUILDING.match(line)
            if match:
                started.append(match.group(2))
            if len(started) == after_builds:
                time.sleep(1)  # well into that build
                break
        else:
            raise RuntimeError("the build ended before the signal:\n" + "\n".join(before))
        sent = time.perf_counter()
        if group:
            os.killpg(process.pid, signum)
        else:
            os.kill(process.pid, signum)
        after = [line.rstrip("\n") for line in process.stdout]
        code = process.wait(timeout=300)
    return Stopped(code, time.perf_counter() - sent, before, after, started)


def main(argv: list[str] | None = None) -> int:
    """Print, per way of stopping, the seconds to the end and the exit code; 2 when one misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gemeenten", default=",".join(ZEELAND))
    parser.add_argument("--after", type=int, default=2, help="send the signal after this many gemeenten started")
    args = parser.parse_args(argv)
    raw = national_config(SHARED_DATA)
    codes = args.gemeenten.split(",")
    missed = False
    with tempfile.TemporaryDirectory(prefix="ogw-stop-") as folder:
        for n, (name, (signum, group, workers)) in enumerate(WAYS.items()):
            config = write_config(raw, Path(folder), f"run{n}", codes)
            after = args.after + (workers > 1)  # with workers the first gemeenten start together
            stopped = build_and_stop(config, signum=signum, group=group, after_builds=after, workers=workers)
            expected = 128 + signum
            ok = stopped.code == expected and stopped.seconds <= TARGET_S
            missed |= not ok
            verdict = "ok" if ok else "MISSED"
            print(f"{name:<38} {stopped.seconds:6.1f} s  exit {stopped.code} (want {expected})  {verdict}")
    load = os.getloadavg()[0]
    print(f"target: within {TARGET_S:g} s; load average at the end {load:.1f} on {os.cpu_count()} cores")
    return 2 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
