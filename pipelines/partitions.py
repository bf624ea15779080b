"""The partitioning of the graph: gemeente × jaar for the builds, gemeente × maand for sensor time series.

Both dimensions are dynamic: the configuration decides which gemeenten and years exist, and
:func:`sync_requests` (used by the command line and the sensor) keeps them equal to it. A
single-gemeente configuration is a graph with one gemeente partition; each year under ``jaren:``
is one more jaar partition beside the current one. The months of the time series (``tijdreeksen/maand``)
are a time window per calendar month beside the same gemeente dimension.
"""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg

from ogw_datalab.config import GemeentenConfig, ProjectConfig
from ogw_datalab.project import builds_of

GEMEENTE = "gemeente"
JAAR = "jaar"
GEMEENTEN = dg.DynamicPartitionsDefinition(name=GEMEENTE)
JAREN = dg.DynamicPartitionsDefinition(name=JAAR)
GEMEENTE_JAAR = dg.MultiPartitionsDefinition({GEMEENTE: GEMEENTEN, JAAR: JAREN})
MAAND = "maand"
# Sensor networks in the shared data go back to 2016; earlier months are simply empty.
MAANDEN = dg.MonthlyPartitionsDefinition(start_date="2015-01-01", timezone="Europe/Amsterdam")
GEMEENTE_MAAND = dg.MultiPartitionsDefinition({GEMEENTE: GEMEENTEN, MAAND: MAANDEN})


def month_partition_key(gemeente: str, maand: str) -> dg.MultiPartitionKey:
    """The key of one gemeente's month, e.g. ``GM0363|2016-06-01`` (``maand`` as ``2016-06`` or ``2016-06-01``)."""
    return dg.MultiPartitionKey({GEMEENTE: gemeente, MAAND: f"{maand[:7]}-01"})


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


class RememberedPartitions:
    """Remember, for one run, which dynamic partitions exist, so that Dagster asks the instance once per key.

    Dagster checks the run's partition key against the instance for every input and output of every step (about
    290 queries of its event storage in a build of 29 steps). A key that existed when the run asked stays valid for
    the run, so a found key is remembered; a missing key is asked again (it may be added meanwhile). :meth:`forget`
    puts the instance back as it was; a run that ends in any way calls it (the resource's teardown).
    """

    def __init__(self, instance: dg.DagsterInstance) -> None:
        self.instance = instance
        self.found: set[tuple[str, str]] = set()
        self.asked = 0
        self._ask: Callable[[str, str], bool] = instance.has_dynamic_partition
        self._own = instance.__dict__.get("has_dynamic_partition")  # already wrapped (a test counting queries)
        instance.has_dynamic_partition = self.has_dynamic_partition  # type: ignore[method-assign]

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        """Whether ``partition_key`` exists in the dynamic dimension ``partitions_def_name`` (asked once if so)."""
        key = (partitions_def_name, partition_key)
        if key in self.found:
            return True
        self.asked += 1
        exists = self._ask(partitions_def_name, partition_key)
        if exists:
            self.found.add(key)
        return exists

    def forget(self) -> None:
        """Let the instance ask its storage again."""
        if self.instance.__dict__.get("has_dynamic_partition") != self.has_dynamic_partition:
            return  # put back already, or wrapped again since
        if self._own is None:
            del self.instance.__dict__["has_dynamic_partition"]
        else:
            self.instance.__dict__["has_dynamic_partition"] = self._own
