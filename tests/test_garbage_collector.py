"""A process that imports the graph spares its imported objects the garbage collector's walks, during the run and
at exit (``pipelines/garbage_collector.py``)."""

from __future__ import annotations

import json
import subprocess
import sys

from .labs import PROJECT

# Counts the objects the collector still sees, after the import and after the exit handlers have run.
PROBE = """
import atexit, gc, json
before = len(gc.get_objects())
import pipelines.definitions
after_import = len(gc.get_objects())
frozen = gc.get_freeze_count()
garbage = [[] for _ in range(50_000)]  # objects made by the run, alive at exit
seen_while_running = len(gc.get_objects())
atexit._run_exitfuncs()
print(json.dumps({"before": before, "after_import": after_import, "frozen": frozen,
                  "running": seen_while_running, "at_exit": len(gc.get_objects())}))
"""


def test_importing_the_graph_freezes_what_it_imported_and_the_rest_at_exit():
    probe = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr
    counts = json.loads(probe.stdout)
    assert counts["frozen"] > 100_000  # Dagster, pandas, shapely and our modules
    assert counts["after_import"] < counts["before"] + 1_000  # the collector sees hardly any of them
    assert counts["running"] >= 50_000  # what is made afterwards is collected as usual while the process runs ...
    assert counts["at_exit"] < 1_000  # ... and frozen too before the interpreter's last collections
