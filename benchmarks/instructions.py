"""Instructions one warm build of a gemeente executes, counted by Valgrind's cachegrind: a comparison of two versions
of the code that holds on a busy machine.

Run: ``.venv/bin/python -m benchmarks.instructions [--gemeenten GM0003] [--builds 2]`` (needs Debian's ``valgrind``
and ``../shared/data``). On the 2-core machines here the CPU seconds of the same build scatter by a fifth between
runs, so a change of a few per cent needs many runs in turns to show; the instructions a process executes do not
depend on what else runs (two runs of the same code differed by 0.05 %).

Two children run at once, one per core, each under ``valgrind --tool=cachegrind --cache-sim=no`` with
``PYTHONHASHSEED=0``: one builds the gemeenten ``--builds`` - 1 times, the other ``--builds`` times, each in one
process into a folder of its own (as a worker of ``build --workers 2`` does: DuckDB on one thread). The difference is
the last, warm build: what each gemeente of a national build costs a worker. The count leaves out the kernel's work
(system time, page faults) and waiting for memory; a build is mostly Python and small queries, where instructions
follow CPU time. Under Valgrind a child runs about 25 times slower (about 4 minutes for GM0003 built twice).

The last line is machine-readable:

    instructions gemeenten=<codes> builds=<n> warm_build_g=<x> before_g=<y>
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.scale import PROJECT, SHARED_DATA, national_config, write_config

REFS = re.compile(r"I\s+refs:\s+([\d,]+)")
GIGA = 1e9
CommandFor = Callable[[int, Path], list[str]]  # the command that does n runs, logging to the path


def count_instructions(command: list[str], *, log: Path) -> int:
    """The instructions ``command`` executed under cachegrind (every thread, not the kernel's work); Valgrind's
    report goes to ``log``, the command's own output beside it (``.out``).

    Raises
    ------
    RuntimeError
        When the command failed or Valgrind printed no count, with the end of the command's output (the folder of
        the logs is temporary).
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise RuntimeError("no valgrind on this machine: apt-get install valgrind")
    output = log.with_suffix(".out")
    with output.open("w", encoding="utf-8") as out:
        run = subprocess.run(
            [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", f"--log-file={log}",
             *command],
            env={**os.environ, "PYTHONHASHSEED": "0"},
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )  # fmt: skip
    found = REFS.search(log.read_text(errors="replace")) if log.exists() else None
    if run.returncode != 0 or found is None:
        tail = "\n".join(output.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"{' '.join(command)} exited with {run.returncode} under valgrind:\n{tail}")
    return int(found.group(1).replace(",", ""))


def last_run_cost(command_for: CommandFor, runs: int, folder: Path) -> tuple[int, int]:
    """Instructions of the last of ``runs`` runs and of everything before it, from two children at once:
    ``command_for(n, log)`` is the command that does ``n`` runs."""
    logs = [folder / f"valgrind-{n}.log" for n in (runs - 1, runs)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        counted = pool.map(lambda n, log: count_instructions(command_for(n, log), log=log), (runs - 1, runs), logs)
        fewer, more = counted
    return more - fewer, fewer


def build_command(raw: dict, folder: Path, codes: list[str]) -> CommandFor:
    """The command that builds ``codes`` ``n`` times in one process, into a folder of its own per ``n``."""

    def command(n: int, log: Path) -> list[str]:
        config = write_config(raw, folder, f"builds{n}", codes)
        return [sys.executable, "-m", "benchmarks.instructions", "--child", str(n), "--config", str(config)]

    return command


def child(builds: int, config: Path) -> int:
    """Build ``config`` ``builds`` times in this process, as a worker of ``build --workers 2`` does."""
    from ogw_datalab.duckdb_connection import share_cores
    from pipelines.cli import main as cli

    os.environ.pop("DAGSTER_HOME", None)
    share_cores(2)
    for _ in range(builds):
        code = cli(["build", "--config", str(config)])
        if code != 0:
            return code
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Count the instructions of one warm build under cachegrind.")
    parser.add_argument("--gemeenten", default="GM0003", help="comma-separated codes of nederland_2015.yaml")
    parser.add_argument("--builds", type=int, default=2, help="builds in the second child (the first does one less)")
    parser.add_argument("--shared", type=Path, default=SHARED_DATA)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        return child(args.child, args.config)
    if args.builds < 1:
        parser.error("--builds must be at least 1")
    if not args.shared.is_dir():
        parser.error(f"no shared data at {args.shared} (the 2015 files of nederland_2015.yaml)")
    codes = args.gemeenten.split(",")
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    with tempfile.TemporaryDirectory(prefix="ogw-instructions-") as tmp:
        folder = Path(tmp)
        command = build_command(national_config(args.shared), folder, codes)
        try:
            warm, before = last_run_cost(command, args.builds, folder)
        except RuntimeError as error:
            print(f"instructions: {error}", file=sys.stderr)
            return 1
    print(f"instructions gemeenten={','.join(codes)} builds={args.builds} warm_build_g={warm / GIGA:.3f} "
          f"before_g={before / GIGA:.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    os.chdir(PROJECT)
    sys.exit(main())
