"""What the Dagster sensor keeps between ticks (its cursor), and the lines it logs."""

from __future__ import annotations

import json

from .process import InboxRound


def read_inbox_cursor(cursor: str | None) -> dict[str, list[int]]:
    """Read the observations kept in a sensor cursor by :func:`inbox_cursor` (empty for none or an older cursor)."""
    try:
        state = json.loads(cursor or "{}")
    except json.JSONDecodeError:
        return {}
    seen = state.get("gezien") if isinstance(state, dict) else None
    return {str(k): [int(x) for x in v] for k, v in seen.items()} if isinstance(seen, dict) else {}


def inbox_cursor(round_: InboxRound) -> str:
    """Write the sensor cursor after ``round_``: ``{"gezien": {file name: [size, mtime_ns, inode]}}``."""
    return json.dumps({"gezien": round_.seen}, sort_keys=True)


def log_lines(round_: InboxRound) -> list[str]:
    """One plain line per file of ``round_`` for the sensor's log (never any content of the file)."""
    lines = []
    for d in round_.decisions:
        what = {"load": "geïnstalleerd", "same": "ongewijzigd", "reject": "afgewezen", "wait": "wacht"}[d.action]
        rate = f", koppeling {d.placement['match_rate']:.0%}" if d.placement else ""
        lines.append(f"{d.path.name}: {what}{rate}" + (f": {d.reason}" if d.reason else ""))
    return lines
