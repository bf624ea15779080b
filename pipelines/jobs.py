"""The jobs of the one graph. Every job that builds ends in ``maps/site``, which publishes the database and the
site together; a job runs for one partition (gemeente × jaar)."""

import dagster as dg

from ogw_datalab.fetch import FetchSettings
from ogw_datalab.fetch.fetch_sources import fetch_sources

from .resources import DataLabResource

PARTNERS = dg.AssetKey(["raw", "partners"])
TRENDS = dg.AssetKey(["indicators", "trends"])

build = dg.define_asset_job(
    "build",
    selection=dg.AssetSelection.all(),
    description="Build one gemeente in one year, from source files to site, and publish database and site together.",
)
partner_update = dg.define_asset_job(
    "partner_update",
    selection=dg.AssetSelection.assets(PARTNERS).downstream().required_multi_asset_neighbors(),
    description="Load a new partner file and republish everything that depends on it.",
)
trends_update = dg.define_asset_job(
    "trends_update",
    selection=dg.AssetSelection.assets(TRENDS).downstream(),
    description="Recompute the change since an earlier year and republish the site.",
)


@dg.op(description="Download every source with a 'download' block (the only network step), through the cache.")
def fetch_open_data(context: dg.OpExecutionContext, datalab: DataLabResource) -> int:
    return fetch_sources(datalab.config, FetchSettings(), report=context.log.info)


@dg.job(description="Download the open data again (PDOK, CBS, files) through the cache.")
def fetch():
    fetch_open_data()


all_jobs: list = [build, partner_update, trends_update, fetch]
