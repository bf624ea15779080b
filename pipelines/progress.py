"""What a build prints while it runs and at its end: one line per asset, the checks that did not pass, failures
as plain sentences (a traceback only with ``--debug``)."""

from __future__ import annotations

import logging
import re
import sys

import dagster as dg

PROGRESS_LOGGER = "progress"
RUN_CONFIG: dict[str, dict[str, dict]] = {"loggers": {PROGRESS_LOGGER: {}}}
CLASS_PATH = re.compile(r"^(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception|Failure)\w*: ")


def describe(materialization: dg.AssetMaterialization) -> str:
    """'staging/buurten (46 rows)', or 'raw/adressen (skipped: <reason>)'."""
    name = materialization.asset_key.to_user_string()
    skipped = materialization.metadata.get("skipped")
    if skipped is not None:
        return f"{name} (skipped: {skipped.value})"
    rows = materialization.metadata.get("dagster/row_count")
    return f"{name} ({rows.value:,} rows)" if rows is not None else name


class _ProgressHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        if event is None:
            if record.levelno >= logging.WARNING:
                print(f"  ! {record.getMessage().split(' - ')[-1]}", flush=True)
            return
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                print(
                    f"  ✗ check {evaluation.check_name} ({_severity(evaluation)}): {evaluation.description}", flush=True
                )
        elif event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            mark = "–" if "skipped" in materialization.metadata else "✓"
            print(f"  {mark} {describe(materialization)}", flush=True)


def _severity(evaluation) -> str:
    return "blocking" if evaluation.severity == dg.AssetCheckSeverity.ERROR else "warning"


@dg.logger
def progress_logger(_context) -> logging.Logger:
    """Prints one line per materialised asset and per check that did not pass (the command line's logger)."""
    log = logging.getLogger("ogw_datalab.progress")
    log.setLevel(logging.DEBUG)
    log.handlers = [_ProgressHandler()]
    log.propagate = False
    return log


def failures(result: dg.ExecuteJobResult, *, debug: bool = False) -> list[str]:
    """One plain sentence per failed step (the innermost error: the one that names the file or the data)."""
    lines = []
    for event in result.all_events:
        if event.event_type_value not in ("STEP_FAILURE", "RESOURCE_INIT_FAILURE"):
            continue
        error = event.event_specific_data.error
        if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
            continue  # the check itself was printed with what it found
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


def print_failures(result: dg.ExecuteJobResult, *, debug: bool) -> None:
    """Print :func:`failures` to stderr."""
    for line in failures(result, debug=debug):
        print(f"FAILED {line}", file=sys.stderr)
