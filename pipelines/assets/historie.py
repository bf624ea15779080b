"""Earlier CBS years as Dagster partitions: one partition per year under ``jaren:`` in the configuration.

Each partition builds that year's own configuration into its own database and site (the current
year's tables and maps are never touched), then copies its published buurt values and boundaries
into ``historie.*`` of this database, where ``indicators/trends`` finds them.
"""

import dagster as dg

from ogw_datalab.config import configuration_fingerprint
from ogw_datalab.indicators.history import import_year

from ..build import failures, materialised, prepare_year, run_year_graph
from ..resources import DataLabResource

CBS_JAAR = "cbs_jaar"
CBS_JAREN = dg.DynamicPartitionsDefinition(name=CBS_JAAR)


@dg.asset(
    key=["historie", "jaargang"],
    partitions_def=CBS_JAREN,
    group_name="historie",
    kinds={"duckdb"},
    description="Een eerder CBS-jaar (partitie = jaar, uit 'jaren:' in de configuratie): dat jaar helemaal "
    "opgebouwd in een eigen database, daarna de gepubliceerde buurtwaarden en buurtgrenzen naar historie.*.",
)
def jaargang(context: dg.AssetExecutionContext, datalab: DataLabResource) -> dg.MaterializeResult:
    config = datalab.load_config()
    year = int(context.partition_key)
    earlier = prepare_year(config, year)
    assert earlier.config_file is not None
    fingerprint = configuration_fingerprint(earlier.config_file)  # before building: an edit meanwhile builds again
    context.log.info(f"{year}: bouwen uit {earlier.config_file} naar {earlier.output.database}")
    with dg.DagsterInstance.ephemeral() as instance:
        result = run_year_graph(earlier, instance)
    if not result.success:
        raise dg.Failure(
            description=f"{year} ({earlier.config_file}) niet gebouwd: " + "; ".join(failures(result)),
        )
    for line in materialised(result):
        context.log.info(f"{year}: {line}")
    with datalab.connect() as con:
        counts = import_year(con, earlier.output.database, year, earlier.config_file, fingerprint)
    return dg.MaterializeResult(
        metadata={
            "jaar": year,
            "configuratie": dg.MetadataValue.path(str(earlier.config_file)),
            "configuratie_sha256": dg.MetadataValue.text(fingerprint),
            "dagster/row_count": counts["waarden"],
            "database": dg.MetadataValue.path(str(earlier.output.database)),
            "kaarten van dat jaar": dg.MetadataValue.path(str(earlier.output.maps / "index.html")),
            **counts,
        }
    )
