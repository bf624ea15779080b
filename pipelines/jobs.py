"""The jobs of the one graph. Every job that builds ends in ``maps/site``, which publishes the database and the
site together; a job runs for one partition (gemeente × jaar)."""

import datetime as dt

import dagster as dg

from ogw_datalab.config import ProjectConfig
from ogw_datalab.fetch import FetchSettings
from ogw_datalab.fetch.fetch_sources import fetch_sources
from ogw_datalab.project import builds_of, project_for
from ogw_datalab.retention import retain_partner_data

from .resources import DataLabResource

PARTNERS = dg.AssetKey(["raw", "partners"])
TRENDS = dg.AssetKey(["indicators", "trends"])
OVERVIEW = dg.AssetKey(["maps", "overzicht"])
MONTH = dg.AssetKey(["tijdreeksen", "maand"])
POSTGIS = dg.AssetKey(["maps", "postgis"])
# Read again with every partner update (from its cache: cheap), so that a database published before this table
# existed still gets it.
REFERENCE = dg.AssetKey(["raw", "vergelijkbare_buurten_referentie"])

build = dg.define_asset_job(
    "build",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(OVERVIEW, MONTH),
    description="Build one gemeente in one year, from source files to site, and publish database and site together.",
)
partner_update = dg.define_asset_job(
    "partner_update",
    selection=dg.AssetSelection.assets(PARTNERS).downstream().required_multi_asset_neighbors()
    | dg.AssetSelection.assets(REFERENCE),
    description="Load a new partner file and republish everything that depends on it.",
)
overview = dg.define_asset_job(
    "overview",
    selection=dg.AssetSelection.assets(OVERVIEW),
    description="The overview of a configuration of several gemeenten, from what their builds published.",
)
timeseries_month = dg.define_asset_job(
    "timeseries_month",
    selection=dg.AssetSelection.assets(MONTH),
    description="One month of a gemeente's sensor time series, computed and stored on its own (gemeente × maand).",
)
trends_update = dg.define_asset_job(
    "trends_update",
    selection=dg.AssetSelection.assets(TRENDS).downstream() - dg.AssetSelection.assets(POSTGIS),  # trends stay local
    description="Recompute the change since an earlier year and republish the site.",
)


@dg.op(description="Download every source with a 'download' block (the only network step), through the cache.")
def fetch_open_data(context: dg.OpExecutionContext, datalab: DataLabResource) -> int:
    config = datalab.config
    if not isinstance(config, ProjectConfig):
        context.log.warning("downloading is configured per gemeente; a configuration of several gemeenten reads files")
        return 0
    return fetch_sources(config, FetchSettings(), report=context.log.info)


@dg.job(description="Download the open data again (PDOK, CBS, files) through the cache.")
def fetch():
    fetch_open_data()


@dg.op(description="Delete partner files and rows older than their bewaartermijn, in every build's database.")
def delete_expired_partner_data(context: dg.OpExecutionContext, datalab: DataLabResource) -> dg.Output:
    config = datalab.config
    log = []
    for gemeente, jaar in builds_of(config):
        project = project_for(config, gemeente, jaar)
        for entry in retain_partner_data(project, now=dt.datetime.now(), run_id=context.run.run_id):
            log.append({"gemeente": gemeente, "jaar": jaar, **entry})
            context.log.info(f"{gemeente} {jaar}: deleted {entry['aantal']} × {entry['wat']} of {entry['partner']}")
    return dg.Output(len(log), metadata={"deleted": dg.MetadataValue.json(log)})


@dg.job(description="Apply the retention rule (bewaartermijn_dagen) to partner files and rows; counts are logged.")
def retention():
    delete_expired_partner_data()


all_jobs: list = [build, partner_update, trends_update, overview, timeseries_month, fetch, retention]
