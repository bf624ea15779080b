"""Schedules and the partner inbox sensor: the pipeline runs itself once `make dev` is up."""

import hashlib
import json

import dagster as dg
import duckdb

from ogw_datalab.config import ProjectConfig, configuration_fingerprint
from ogw_datalab.fetch import FetchSettings
from ogw_datalab.fetch.fetch_sources import fetch_sources
from ogw_datalab.inbox import archive_duplicate, install, reject, scan_inbox
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.indicators.history import recorded_years_in, years_in_history
from ogw_datalab.indicators.opgaven import load_opgaven

from .assets.historie import CBS_JAAR, CBS_JAREN, jaargang
from .resources import DataLabResource

OPGAVE_PAGES = "maps__opgave_pages"
JAARGANG = dg.AssetSelection.assets(jaargang)

republish = dg.define_asset_job(
    "republish",
    selection=dg.AssetSelection.all() - JAARGANG,
    description="Alles van dit jaar opnieuw: van bronbestanden tot kaarten (eerdere jaren blijven staan).",
)
jaargang_job = dg.define_asset_job(
    "jaargang", selection=JAARGANG, description="Een eerder CBS-jaar opbouwen en naar historie.* kopiëren."
)
trends_update = dg.define_asset_job(
    "trends_update",
    selection=dg.AssetSelection.assets(dg.AssetKey(["indicators", "trends"])).downstream(),
    description="De verandering sinds het vorige jaar opnieuw berekenen en de kaarten opnieuw maken.",
)
partner_update = dg.define_asset_job(
    "partner_update",
    selection=dg.AssetSelection.assets(dg.AssetKey(["raw", "partners"])).downstream().required_multi_asset_neighbors(),
    description="Een nieuw partnerbestand laden en de kaarten van de opgaven die het raakt opnieuw maken.",
)


@dg.op(description="Download every source with a 'download' block (the only network step), through the cache.")
def fetch_open_data(context: dg.OpExecutionContext, datalab: DataLabResource) -> int:
    return fetch_sources(datalab.load_config(), FetchSettings(), report=context.log.info)


@dg.job(description="Open data opnieuw ophalen (PDOK, CBS, bestanden) via de cache.")
def fetch_job():
    fetch_open_data()


monthly_fetch = dg.ScheduleDefinition(
    name="monthly_fetch",
    job=fetch_job,
    cron_schedule="0 5 1 * *",
    execution_timezone="Europe/Amsterdam",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="De 1e van de maand om 05:00: open data ophalen.",
)
monthly_republish = dg.ScheduleDefinition(
    name="monthly_republish",
    job=republish,
    cron_schedule="0 7 1 * *",
    execution_timezone="Europe/Amsterdam",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="De 1e van de maand om 07:00: alles opnieuw publiceren.",
)


def affected_opgaven(datalab: DataLabResource, partners: set[str]) -> list[str]:
    """Opgaven with an indicator computed from one of ``partners``."""
    config = datalab.load_config()
    catalogue = load_catalogue(config.indicatoren, config)
    opgaven = load_opgaven(config.opgaven, catalogue, config.layers)
    uses = {i.id for i in catalogue.indicatoren if i.formule.partner in partners}
    return [o.id for o in opgaven if any(item.id in uses for item in o.indicatoren)]


@dg.sensor(
    job=partner_update,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Let op nieuwe of gewijzigde partnerbestanden in de inbox (op inhoud, niet op tijd).",
)
def partner_inbox_sensor(context: dg.SensorEvaluationContext, datalab: DataLabResource):
    config = datalab.load_config()
    if config.output.inbox is None:
        return dg.SkipReason("output.inbox is not configured")
    installed: dict[str, str] = json.loads(context.cursor or "{}")
    loaded = set()
    for decision in scan_inbox(config, installed):
        if decision.action == "reject":
            target = reject(decision)
            context.log.warning(f"afgewezen: {decision.path.name} -> {target.name}: {decision.reason}")
        elif decision.action == "same":
            archive_duplicate(decision)
        else:
            assert decision.partner is not None
            install(decision, config)
            installed[decision.partner] = decision.sha256
            loaded.add(decision.partner)
    context.update_cursor(json.dumps(installed, sort_keys=True))
    if not loaded:
        return dg.SkipReason("geen nieuwe of gewijzigde partnerbestanden")
    opgaven = affected_opgaven(datalab, loaded)
    key = hashlib.sha256(json.dumps(sorted(installed.items())).encode()).hexdigest()[:16]
    return dg.RunRequest(
        run_key=key,
        run_config={"ops": {OPGAVE_PAGES: {"config": {"opgaven": opgaven}}}},
        tags={"partners": ",".join(sorted(loaded))},
    )


def _configured_years(config: ProjectConfig) -> dict[str, str]:
    """Year -> fingerprint of its configuration; a missing file still gets its partition, and its run says why."""
    return {str(year): configuration_fingerprint(path) for year, path in sorted(config.jaren.items())}


@dg.sensor(
    job=jaargang_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Houd de partities van historie/jaargang gelijk aan 'jaren:' in de configuratie, en bouw een "
    "jaar dat de database nog niet heeft of waarvan de configuratie (met catalogus en opgaven) veranderde.",
)
def cbs_jaren_sensor(context: dg.SensorEvaluationContext, datalab: DataLabResource):
    config = datalab.load_config()
    configured = _configured_years(config)
    try:
        recorded = {str(year): sha for year, sha in recorded_years_in(config.output.database).items()}
    except duckdb.IOException as error:
        return dg.SkipReason(f"database bezet, de volgende keer opnieuw: {error}")
    requested: dict[str, str] = json.loads(context.cursor or "{}")
    runs = [
        dg.RunRequest(partition_key=year, tags={"configuratie_sha256": sha})
        for year, sha in configured.items()
        if recorded.get(year) != sha and requested.get(year) != sha  # not built, and not already asked for
    ]
    requested = {year: sha for year, sha in requested.items() if recorded.get(year) != sha}
    requested.update({r.partition_key: configured[r.partition_key] for r in runs if r.partition_key})
    context.update_cursor(json.dumps(requested, sort_keys=True))
    existing = set(context.instance.get_dynamic_partitions(CBS_JAAR))
    partitions: list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest] = []
    if set(configured) - existing:
        partitions.append(CBS_JAREN.build_add_request(sorted(set(configured) - existing)))
    if existing - set(configured):
        partitions.append(CBS_JAREN.build_delete_request(sorted(existing - set(configured))))
    if not runs and not partitions:
        return dg.SkipReason("de jaren in de configuratie zijn gebouwd en ongewijzigd")
    return dg.SensorResult(run_requests=runs, dynamic_partitions_requests=partitions)


@dg.asset_sensor(
    asset_key=jaargang.key,
    job=trends_update,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Na elk gebouwd eerder jaar (door de sensor, met de hand of als backfill): de verandering sinds "
    "dat jaar en de kaarten opnieuw, zodra dit jaar zelf gebouwd is.",
)
def trends_after_jaargang(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry, datalab: DataLabResource):
    config = datalab.load_config()
    try:
        built = config.jaar in years_in_history(config.output.database)
    except duckdb.IOException as error:
        return dg.SkipReason(f"database bezet: {error}")
    if not built:
        return dg.SkipReason(f"{config.jaar} is nog niet gebouwd; de eerste volledige run neemt het eerdere jaar mee")
    partition = asset_event.dagster_event.partition if asset_event.dagster_event else None
    return dg.RunRequest(run_key=f"{asset_event.run_id}:{partition}")
