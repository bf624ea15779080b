"""Scale benchmark: build 1, 10, 50 and all gemeenten of ``config/nederland_2015.yaml`` from ``../shared/data``.

Run: ``make benchmark`` (after the spatial benchmarks), ``make benchmark-scale SIZES=1,10`` or
``.venv/bin/python -m benchmarks.scale [--sizes 1,10,50,all] [--workers N]``. Each size is one
``ogw-datalab build --workers N`` (every gemeente, then the overview) in a child process, in a temporary folder, of
a subset of the complete gemeenten spread evenly over the sorted codes (so every size mixes regions and sizes of
gemeente; the same subset every time). Wall time is the child's, sites and overview included; peak memory is the
highest sum of the resident memory of the child and all its descendants, sampled every 0.2 s (at least the largest
single process, from ``getrusage``). CPU seconds are those of the child and every process it waited for (user and
system, from ``getrusage``): on a machine others use too, wall time grows with their load, CPU time far less, so
compare builds by CPU time (and by wall time interleaved) there, and by wall time on a quiet machine. Gemeenten and
buurten are counted in the published databases, so a gemeente whose build failed counts for neither (the table says
how many failed). The last line is machine-readable:

    scale gemeenten=<n> buurten=<m> wall_s=<t> peak_gb=<g> cpu_s=<c>
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

PROJECT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT.parent / "shared" / "data"
NATIONAL = PROJECT / "config" / "nederland_2015.yaml"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
LINE = re.compile(r"^scale gemeenten=(\d+) buurten=(\d+) wall_s=([\d.]+) peak_gb=([\d.]+)(?: cpu_s=([\d.]+))?$")


@dataclass(frozen=True)
class ScaleResult:
    """One size: how many gemeenten and buurten were published, in how long, with how much memory."""

    gemeenten: int
    asked: int
    buurten: int
    wall_s: float
    peak_gb: float
    failed: bool
    cpu_s: float | None = None  # user + system seconds of the build's processes

    @property
    def cpu_ms_per_buurt(self) -> float | None:
        """CPU time per published buurt, in milliseconds."""
        return None if self.cpu_s is None else 1000 * self.cpu_s / max(self.buurten, 1)

    @property
    def ms_per_buurt(self) -> float:
        """Wall time per published buurt, in milliseconds."""
        return 1000 * self.wall_s / max(self.buurten, 1)

    def line(self) -> str:
        """The machine-readable last line."""
        line = (
            f"scale gemeenten={self.gemeenten} buurten={self.buurten} wall_s={self.wall_s:.1f} "
            f"peak_gb={self.peak_gb:.2f}"
        )
        return line if self.cpu_s is None else f"{line} cpu_s={self.cpu_s:.1f}"


def parse_line(line: str) -> dict[str, float]:
    """The numbers of a :meth:`ScaleResult.line` (``gemeenten``, ``buurten``, ``wall_s``, ``peak_gb``, and
    ``cpu_s`` when the line has it)."""
    found = LINE.match(line.strip())
    if found is None:
        raise ValueError(f"not a scale line: {line!r}")
    gemeenten, buurten, wall_s, peak_gb, cpu_s = found.groups()
    numbers = {"gemeenten": int(gemeenten), "buurten": int(buurten), "wall_s": float(wall_s), "peak_gb": float(peak_gb)}
    return numbers if cpu_s is None else {**numbers, "cpu_s": float(cpu_s)}


def national_config(shared: Path) -> dict:
    """``config/nederland_2015.yaml`` with absolute paths to ``shared`` and to its catalogue and opgaven."""
    text = NATIONAL.read_text(encoding="utf-8").replace("../../shared/data", str(shared))
    raw = yaml.safe_load(text)
    raw["indicatoren"] = str(PROJECT / "config" / raw["indicatoren"])
    raw["opgaven"] = str(PROJECT / "config" / raw["opgaven"])
    return raw


def complete_gemeenten(raw: dict, folder: Path) -> list[str]:
    """Every gemeente ``gemeenten: alle`` builds, sorted (read from the area files, as the build reads them)."""
    from ogw_datalab.config import load_configuration
    from ogw_datalab.gemeenten import read_configured_areas, select_gemeenten

    path = write_config(raw, folder, "alle", None)
    config = load_configuration(path, check_files=False)
    return select_gemeenten(config, read_configured_areas(config))  # type: ignore[arg-type]


def spread(codes: list[str], n: int) -> list[str]:
    """``n`` codes spread evenly over ``codes`` (the first always included)."""
    if n >= len(codes):
        return list(codes)
    return [codes[(i * len(codes)) // n] for i in range(n)]


def write_config(raw: dict, folder: Path, name: str, codes: list[str] | None) -> Path:
    """A configuration of ``codes`` (``None``: ``alle``) writing into ``folder/name``."""
    out = folder / name
    out.mkdir(parents=True, exist_ok=True)
    config = dict(raw)
    config["gemeenten"] = "alle" if codes is None else codes
    config["per_gemeente"] = {c: v for c, v in raw.get("per_gemeente", {}).items() if codes is None or c in codes}
    config["uitvoer"] = {"database": str(out / "data"), "kaarten": str(out / "maps"), "cache": str(out / "cache")}
    path = out / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _children(pids: set[int]) -> set[int]:
    """``pids`` and every process descending from them (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    stat = handle.read()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = set(pids)
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return tree


def _resident_bytes(pids: set[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * PAGE_SIZE
        except OSError:
            continue
    return total


def run_build(config: Path, *, workers: int, log: Path) -> tuple[float, float, int, float]:
    """Run ``ogw-datalab build`` on ``config``; return wall seconds, peak GB of its process tree, exit code and
    CPU seconds of its processes."""
    command = [str(Path(sys.executable).with_name("ogw-datalab")), "build", "--config", str(config)]
    command += ["--workers", str(workers)]
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}  # a temporary Dagster instance per build
    env["DAGSTER_DISABLE_TELEMETRY"] = "1"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as output:
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=PROJECT)
        peak = 0
        while child.poll() is None:
            peak = max(peak, _resident_bytes(_children({child.pid})))
            time.sleep(0.2)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, max(peak, after.ru_maxrss * 1024) / 1e9, child.returncode, cpu


def count_buurten(database_folder: Path) -> int:
    """Buurten in every published database of the folder."""
    total = 0
    for path in sorted(database_folder.glob("GM*.duckdb")):
        con = duckdb.connect(str(path), read_only=True)
        try:
            total += con.execute("SELECT count(*) FROM staging.buurten").fetchone()[0]  # type: ignore[index]
        finally:
            con.close()
    return total


def measure(raw: dict, folder: Path, codes: list[str], *, everything: bool, workers: int) -> ScaleResult:
    """Build ``codes`` (``everything``: ``gemeenten: alle``) from scratch in ``folder`` and measure it."""
    name = f"n{len(codes)}"
    config = write_config(raw, folder, name, None if everything else codes)
    log = folder / f"{name}.log"
    wall, peak_gb, code, cpu = run_build(config, workers=workers, log=log)
    if code != 0:
        print(f"  build of {len(codes)} gemeenten exited with {code}; its output: {log}")
        print("  " + "\n  ".join(log.read_text(encoding="utf-8").splitlines()[-5:]))
    published = len(list((folder / name / "data").glob("GM*.duckdb")))
    buurten = count_buurten(folder / name / "data")
    return ScaleResult(published, len(codes), buurten, wall, peak_gb, code != 0, cpu_s=cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,50,all", help="numbers of gemeenten, comma-separated ('all' too)")
    parser.add_argument("--workers", type=int, default=1, help="passed to ogw-datalab build --workers (default 1)")
    parser.add_argument("--keep", type=Path, default=None, help="build in this folder and keep it (default: temp)")
    parser.add_argument(
        "--check-sites",
        action="store_true",
        help="open every gemeente site of the last size in Chromium (benchmarks/check_sites.py); fail on a problem",
    )
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        print(f"scale benchmark needs the national files in {SHARED_DATA}")
        return 2
    load = os.getloadavg()
    print(
        f"\nscale: machine {platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.1f} at the start; "
        f"ogw-datalab build --workers {args.workers} (every gemeente, then the overview)"
    )
    print(
        f"{'gemeenten':>10}{'failed':>8}{'buurten':>9}{'wall s':>9}{'peak GB':>9}{'ms/buurt':>10}{'cpu s':>9}"
        f"{'cpu ms/buurt':>14}  load after"
    )
    with tempfile.TemporaryDirectory(prefix="ogw-scale-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        raw = national_config(SHARED_DATA)
        codes = complete_gemeenten(raw, folder)
        results = []
        for size in args.sizes.split(","):
            everything = size.strip() == "all"
            chosen = codes if everything else spread(codes, int(size))
            result = measure(raw, folder, chosen, everything=everything, workers=args.workers)
            results.append(result)
            mark = "  FAILED" if result.failed else ""
            maps = folder / f"n{len(chosen)}" / "maps"
            print(
                f"{result.gemeenten:>10}{result.asked - result.gemeenten:>8}{result.buurten:>9}{result.wall_s:>9.1f}"
                f"{result.peak_gb:>9.2f}"
                f"{result.ms_per_buurt:>10.0f}{result.cpu_s or 0:>9.1f}{result.cpu_ms_per_buurt or 0:>14.0f}"
                f"  {os.getloadavg()[0]:.1f}{mark}",
                flush=True,
            )
        sites_failed = args.check_sites and _check_sites(maps)
    print(results[-1].line())
    return 1 if any(r.failed for r in results) or sites_failed else 0


def _check_sites(maps: Path) -> bool:
    """Run the browser checks on every gemeente site in ``maps``; True when a page failed."""
    from .check_sites import main as check_sites

    return check_sites([str(maps)]) != 0


if __name__ == "__main__":
    sys.exit(main())
