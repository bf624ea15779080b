"""What a build prints while it runs and at its end: one line per asset, the checks that did not pass, failures
as plain sentences (a traceback only with ``--debug``)."""

from __future__ import annotations

import logging
import re
import sys

import dagster as dg

from ogw_datalab.config.renames import STILL_WORKS

PROGRESS_LOGGER = "progress"
RUN_CONFIG: dict[str, dict[str, dict]] = {"loggers": {PROGRESS_LOGGER: {"config": {"per_asset": True}}}}
QUIET_RUN_CONFIG: dict[str, dict[str, dict]] = {"loggers": {PROGRESS_LOGGER: {"config": {"per_asset": False}}}}
CLASS_PATH = re.compile(r"^(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception|Failure)\w*: ")
# Dagster's line for every step after a failed one; the end of the build counts them instead (steps_not_run).
NOT_EXECUTING = re.compile(r"^Dependencies for step \S+ .*Not executing\.$")
INTERRUPTED = "DagsterExecutionInterruptedError"
POSTGIS_STEP = "maps__postgis"  # the step of the asset maps/postgis


def describe(materialization: dg.AssetMaterialization) -> str:
    """'staging/buurten (46 rows)', or 'raw/adressen (skipped: <reason>)'."""
    name = materialization.asset_key.to_user_string()
    skipped = materialization.metadata.get("skipped")
    if skipped is not None:
        return f"{name} (skipped: {skipped.value})"
    rows = materialization.metadata.get("dagster/row_count")
    return f"{name} ({rows.value:,} rows)" if rows is not None else name


class _ProgressHandler(logging.Handler):
    def __init__(self, per_asset: bool) -> None:
        super().__init__()
        self.per_asset = per_asset

    def emit(self, record: logging.LogRecord) -> None:
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        if event is None:
            message = record.getMessage().split(" - ")[-1]
            if record.levelno >= logging.WARNING and not NOT_EXECUTING.match(message) and not _old_key_hint(message):
                print(f"  ! {message}", flush=True)
            return
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                print(
                    f"  ✗ check {evaluation.check_name} ({_severity(evaluation)}): {evaluation.description}", flush=True
                )
        elif event.event_type_value == "ASSET_MATERIALIZATION" and self.per_asset:
            materialization = event.event_specific_data.materialization
            print(f"  {_mark(materialization.metadata)} {describe(materialization)}", flush=True)


def _old_key_hint(message: str) -> bool:
    """A run logs the configuration's old-key hints for the UI; the command line printed them once already."""
    return message.endswith((STILL_WORKS.format("name"), STILL_WORKS.format("value")))


def _mark(metadata) -> str:
    """✓ done, – skipped, ⚠ done but something in it was refused (a partner below its match rate)."""
    if "skipped" in metadata:
        return "–"
    below = metadata.get("below_threshold")
    return "⚠" if below is not None and below.value else "✓"


def _severity(evaluation) -> str:
    return "blocking" if evaluation.severity == dg.AssetCheckSeverity.ERROR else "warning"


@dg.logger(config_schema={"per_asset": dg.Field(bool, default_value=True)})
def progress_logger(context) -> logging.Logger:
    """Prints one line per materialised asset (unless ``per_asset`` is off) and per check that did not pass."""
    log = logging.getLogger("ogw_datalab.progress")
    log.setLevel(logging.DEBUG)
    log.handlers = [_ProgressHandler(context.logger_config["per_asset"])]
    log.propagate = False
    return log


def failures(result: dg.ExecuteJobResult, *, debug: bool = False) -> list[str]:
    """One plain sentence per failed step (the innermost error: the one that names the file or the data)."""
    lines = []
    for event in result.all_events:
        if event.event_type_value not in ("STEP_FAILURE", "RESOURCE_INIT_FAILURE"):
            continue
        error = event.event_specific_data.error
        if error is not None and (error.cls_name == "DagsterAssetCheckFailedError" or _interruption(error)):
            continue  # the check itself was printed with what it found; an interrupted build says so itself
        line = f"{event.step_key or 'start of the run'}: {_root_cause(error, debug)}"
        if line not in lines:  # a failed resource fails every step it was meant for
            lines.append(line)
    return lines


def _root_cause(error, debug: bool) -> str:
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None:
        return "unknown error"
    message = CLASS_PATH.sub("", error.message.strip())  # "ogw_datalab.readers.read_source.SourceError: ..."
    return message + ("\n" + "".join(error.stack) if debug else "")


def interrupted(result: dg.ExecuteJobResult) -> bool:
    """Whether the run was stopped by Ctrl-C or SIGTERM (Dagster raised its interruption inside a step)."""
    return any(
        event.event_type_value == "STEP_FAILURE" and _interruption(event.event_specific_data.error)
        for event in result.all_events
    )


def _interruption(error) -> bool:
    """Whether Dagster's interruption is the error or any of its causes (user code wraps it)."""
    while error is not None:
        if error.cls_name == INTERRUPTED or INTERRUPTED in (error.message or ""):
            return True
        error = error.cause
    return False


def only_postgis_failed(result: dg.ExecuteJobResult) -> bool:
    """Whether the one step that failed is the publication to PostGIS (after the site and database were published)."""
    failed = {e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"}
    return failed == {POSTGIS_STEP}


def steps_not_run(result: dg.ExecuteJobResult) -> int:
    """How many steps of the run never started (each depends on a step that failed)."""
    started = {event.step_key for event in result.all_events if event.event_type_value == "STEP_START"}
    return len(result.job_def.nodes) - len(started)


def print_failures(result: dg.ExecuteJobResult, *, debug: bool) -> None:
    """Print :func:`failures` to stderr, then one line for the steps that did not run because of them."""
    lines = failures(result, debug=debug)
    for line in lines:
        print(f"FAILED {line}", file=sys.stderr)
    not_run = steps_not_run(result) if lines else 0
    if not_run:
        print(f"{not_run} later step{'s' * (not_run > 1)} did not run (they need what failed)", file=sys.stderr)


def summary_lines(result: dg.ExecuteJobResult) -> list[str]:
    """The table a data team reads at the end of a build: per source, layer and partner the rows read, kept,
    left out, placed and quarantined, and the match rate; refused partners marked ⚠ with the reason; then what
    was emptied or skipped, and every check that did not pass."""
    metadata = _materialized(result)
    header = ("file", "read", "kept", "left out", "placed", "quarantined", "match")
    rows = [header] + _area_rows(metadata) + _layer_rows(metadata) + _partner_rows(metadata)
    lines = [f"  {r[0]:<36}" + "".join(f"{str(v):>12}" for v in r[1:]) for r in rows]
    below = metadata.get("joined/partners", {}).get("below_threshold")
    for name, refused in (below.value if below is not None else {}).items():
        threshold = f"below its {refused['min']:.0%} threshold" if refused["min"] else "nothing placed"
        lines.append(f"  ⚠ partners.{name} refused ({threshold}): {refused['reden']}")
    for key, meta in metadata.items():
        if meta.get("cleaning_summary") and meta["cleaning_summary"].value:
            lines.append(f"  emptied in {key}: {meta['cleaning_summary'].value}")
        if "skipped" in meta:
            lines.append(f"  – {key} skipped: {meta['skipped'].value}")
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION" and not event.event_specific_data.passed:
            evaluation = event.event_specific_data
            lines.append(f"  ✗ check {evaluation.check_name} ({_severity(evaluation)}): {evaluation.description}")
    return lines


def _materialized(result: dg.ExecuteJobResult) -> dict[str, dict]:
    return {
        event.asset_key.to_user_string(): dict(event.step_materialization_data.materialization.metadata)
        for event in result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION" and event.asset_key is not None
    }


def _value(metadata: dict, key: str, default=None):
    return metadata[key].value if key in metadata else default


def _area_rows(metadata: dict[str, dict]) -> list[tuple]:
    rows = []
    for level in ("buurten", "wijken", "adressen"):
        raw, staged = metadata.get(f"raw/{level}", {}), metadata.get(f"staging/{level}", {})
        if not raw or "skipped" in raw:
            continue
        read, placed = _value(raw, "dagster/row_count"), _value(staged, "dagster/row_count", "–")
        left = _value(staged, "other_gemeenten_dropped", "–")
        kept = placed + left if isinstance(placed, int) and isinstance(left, int) else "–"
        rows.append((f"bronnen.{level}", read, kept, left, placed, "–", "–"))  # as every row: kept = left out + placed
    return rows


def _layer_rows(metadata: dict[str, dict]) -> list[tuple]:
    read = _value(metadata.get("raw/layers", {}), "rows_per_layer", {})
    kept = _value(metadata.get("staging/layers", {}), "dropped", {})
    placed = _value(metadata.get("joined/layers", {}), "placed", {})
    outside = _value(metadata.get("joined/layers", {}), "outside_buurten", {})
    return [
        (f"lagen.{name}", rows, rows - kept.get(name, 0), outside.get(name, "–"), placed.get(name, "–"), "–", "–")
        for name, rows in read.items()
    ]


def _partner_rows(metadata: dict[str, dict]) -> list[tuple]:
    counts = _value(metadata.get("joined/partners", {}), "counts", {})
    return [
        (
            f"partners.{name}",
            c["rows_read"],
            c["rows_read"] - c["filtered_by_keep"],
            c["other_levels_or_gemeenten"],
            c["matched"],
            c["quarantined"],
            f"{c['match_rate']:.1%}".replace(".", ","),
        )
        for name, c in counts.items()
    ]


def print_summary(result: dg.ExecuteJobResult) -> None:
    """Print :func:`summary_lines` under a title."""
    print("summary:")
    for line in summary_lines(result):
        print(line)
