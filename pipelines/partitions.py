"""The one partitioning of the graph: gemeente × jaar.

Both dimensions are dynamic: the configuration decides which gemeenten and years exist, and
:func:`sync_requests` (used by the command line and the sensor) keeps them equal to it. A
single-gemeente configuration is a graph with one gemeente partition; each year under ``jaren:``
is one more jaar partition beside the current one.
"""

from __future__ import annotations

import dagster as dg

from ogw_datalab.config import GemeentenConfig, ProjectConfig
from ogw_datalab.project import builds_of

GEMEENTE = "gemeente"
JAAR = "jaar"
GEMEENTEN = dg.DynamicPartitionsDefinition(name=GEMEENTE)
JAREN = dg.DynamicPartitionsDefinition(name=JAAR)
GEMEENTE_JAAR = dg.MultiPartitionsDefinition({GEMEENTE: GEMEENTEN, JAAR: JAREN})


def partition_key(gemeente: str, jaar: int) -> dg.MultiPartitionKey:
    """The key of one build, e.g. ``GM0484|2024``."""
    return dg.MultiPartitionKey({GEMEENTE: gemeente, JAAR: str(jaar)})


def parse_partition_key(key: str) -> tuple[str, int]:
    """``"GM0484|2024"`` as ``("GM0484", 2024)``."""
    dimensions = GEMEENTE_JAAR.get_partition_key_from_str(key).keys_by_dimension
    return dimensions[GEMEENTE], int(dimensions[JAAR])


def run_tags(gemeente: str, jaar: int) -> dict[str, str]:
    """The tags that make a run build one partition."""
    key = partition_key(gemeente, jaar)
    return {
        "dagster/partition": str(key),
        f"dagster/partition/{GEMEENTE}": gemeente,
        f"dagster/partition/{JAAR}": str(jaar),
    }


def sync_requests(
    config: ProjectConfig | GemeentenConfig, instance: dg.DagsterInstance
) -> list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest]:
    """Requests that make both dimensions equal to the builds the configuration describes."""
    builds = builds_of(config)
    wanted = {GEMEENTE: {g for g, _ in builds}, JAAR: {str(y) for _, y in builds}}
    requests: list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest] = []
    for name, definition in ((GEMEENTE, GEMEENTEN), (JAAR, JAREN)):
        existing = set(instance.get_dynamic_partitions(name))
        if wanted[name] - existing:
            requests.append(definition.build_add_request(sorted(wanted[name] - existing)))
        if existing - wanted[name]:
            requests.append(definition.build_delete_request(sorted(existing - wanted[name])))
    return requests


def sync_partitions(config: ProjectConfig | GemeentenConfig, instance: dg.DagsterInstance) -> None:
    """Apply :func:`sync_requests` directly (the command line has no sensor to do it)."""
    for request in sync_requests(config, instance):
        name = request.partitions_def_name
        if isinstance(request, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(name, list(request.partition_keys))
        else:
            for key in request.partition_keys:
                instance.delete_dynamic_partition(name, key)
