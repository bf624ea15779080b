"""Asset checks: the data guards of the pipeline. Blocking checks stop everything downstream (the maps)."""

from __future__ import annotations

from typing import Any

import dagster as dg

from ogw_datalab import checks
from ogw_datalab.checks import CheckOutcome

from .resources import DataLabResource


def _result(outcome: CheckOutcome, severity: dg.AssetCheckSeverity) -> dg.AssetCheckResult:
    metadata: dict[str, Any] = {
        key: (value if isinstance(value, (int, float, str, bool)) else dg.MetadataValue.json(value))
        for key, value in outcome.metadata.items()
    }
    return dg.AssetCheckResult(
        passed=outcome.passed, severity=severity, description=outcome.description, metadata=metadata
    )


BUURTEN = dg.AssetKey(["staging", "buurten"])


@dg.asset_check(asset=BUURTEN, blocking=True, description="Buurtcodes unique, well formed and with a wijk.")
def buurtcodes_unique_and_complete(datalab: DataLabResource) -> dg.AssetCheckResult:
    config = datalab.project.config
    with datalab.connect() as con:
        return _result(checks.buurtcodes_unique_and_complete(con, config), dg.AssetCheckSeverity.ERROR)


@dg.asset_check(asset=BUURTEN, blocking=True, description="Buurt geometries valid, not empty and in the Netherlands.")
def buurt_geometries_valid_and_in_the_netherlands(datalab: DataLabResource) -> dg.AssetCheckResult:
    with datalab.connect() as con:
        return _result(checks.buurt_geometries_valid_and_in_the_netherlands(con), dg.AssetCheckSeverity.ERROR)


@dg.asset_check(asset=BUURTEN, description="Every buurt has inhabitants or is known to be (almost) uninhabited.")
def buurten_have_inhabitants_or_are_marked(datalab: DataLabResource) -> dg.AssetCheckResult:
    config = datalab.project.config
    with datalab.connect() as con:
        return _result(checks.buurten_have_inhabitants_or_are_marked(con, config), dg.AssetCheckSeverity.WARN)


@dg.asset_check(
    asset=BUURTEN,
    additional_deps=[dg.AssetKey(["staging", "wijken"])],
    description="Inhabitants of the buurten add up to their wijk, within CBS rounding.",
)
def buurt_totals_reconcile_with_wijken(datalab: DataLabResource) -> dg.AssetCheckResult:
    config = datalab.project.config
    with datalab.connect() as con:
        return _result(checks.buurt_totals_reconcile_with_wijken(con, config), dg.AssetCheckSeverity.WARN)


@dg.asset_check(
    asset=dg.AssetKey(["joined", "partners"]),
    blocking=True,
    description="Every partner file places at least its min_koppelpercentage of rows; otherwise nothing is published.",
)
def partner_match_rates_above_threshold(datalab: DataLabResource) -> dg.AssetCheckResult:
    config = datalab.project.config
    with datalab.connect() as con:
        return _result(checks.partner_match_rates_above_threshold(con, config), dg.AssetCheckSeverity.ERROR)


@dg.asset_check(
    asset=dg.AssetKey(["indicators", "publicatie_buurt"]),
    additional_deps=[
        dg.AssetKey(["indicators", "publicatie_wijk"]),
        dg.AssetKey(["indicators", "publicatie_gemeente"]),
        dg.AssetKey(["indicators", "buurt"]),
    ],
    blocking=True,
    description="No withheld value can be recomputed from the published ones (totals, differences of totals, "
    "rate × denominator), proven by linear programming over buurt ⊂ wijk ⊂ gemeente.",
)
def withheld_values_not_recoverable(datalab: DataLabResource) -> dg.AssetCheckResult:
    project = datalab.project
    with datalab.connect() as con:
        outcome = checks.withheld_values_not_recoverable(con, project.catalogue, project.config.privacy)
    return _result(outcome, dg.AssetCheckSeverity.ERROR)


@dg.asset_check(
    asset=dg.AssetKey(["raw", "partners"]),
    description="Every source with an update cycle (verversing_dagen) is not older than that cycle.",
)
def sources_fresh(datalab: DataLabResource) -> dg.AssetCheckResult:
    return _result(checks.sources_fresh(datalab.project.config), dg.AssetCheckSeverity.WARN)


all_checks = [
    buurtcodes_unique_and_complete,
    buurt_geometries_valid_and_in_the_netherlands,
    buurten_have_inhabitants_or_are_marked,
    buurt_totals_reconcile_with_wijken,
    partner_match_rates_above_threshold,
    withheld_values_not_recoverable,
    sources_fresh,
]
