"""Asset checks: the data guards of the pipeline. Blocking checks stop everything downstream (the maps)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dagster as dg

from ogw_datalab import checks
from ogw_datalab.checks import CheckOutcome

from .resources import DataLabResource


def _result(
    outcome: CheckOutcome, severity: dg.AssetCheckSeverity, check: tuple[dg.AssetKey, str] | None = None
) -> dg.AssetCheckResult:
    """Dagster's result of one check (``check``: its asset and name, needed when one step runs several checks)."""
    metadata: dict[str, Any] = {
        key: (value if isinstance(value, (int, float, str, bool)) else dg.MetadataValue.json(value))
        for key, value in outcome.metadata.items()
    }
    return dg.AssetCheckResult(
        passed=outcome.passed,
        severity=severity,
        description=outcome.description,
        metadata=metadata,
        asset_key=check[0] if check else None,
        check_name=check[1] if check else None,
    )


BUURTEN = dg.AssetKey(["staging", "buurten"])
PUBLICATION = dg.AssetKey(["indicators", "publicatie_buurt"])
PARTNERS = dg.AssetKey(["joined", "partners"])
ADDRESSES = dg.AssetKey(["joined", "adressen_buurt"])

# Checks of one asset run together, in one step: a step costs Dagster some 40 ms of bookkeeping, which is most of a
# check's time and, over 370 gemeenten, minutes.


@dg.multi_asset_check(
    name="buurten_checks",
    specs=[
        dg.AssetCheckSpec(
            "buurtcodes_unique_and_complete",
            asset=BUURTEN,
            blocking=True,
            description="Buurtcodes unique, well formed and with a wijk.",
        ),
        dg.AssetCheckSpec(
            "buurt_geometries_valid_and_in_the_netherlands",
            asset=BUURTEN,
            blocking=True,
            description="Buurt geometries valid, not empty and in the Netherlands.",
        ),
        dg.AssetCheckSpec(
            "buurten_have_inhabitants_or_are_marked",
            asset=BUURTEN,
            description="Every buurt has inhabitants or is known to be (almost) uninhabited.",
        ),
        dg.AssetCheckSpec(
            "buurt_totals_reconcile_with_wijken",
            asset=BUURTEN,
            additional_deps=[dg.AssetKey(["staging", "wijken"])],
            description="Inhabitants of the buurten add up to their wijk, within CBS rounding.",
        ),
    ],
)
def buurten_checks(datalab: DataLabResource) -> Iterator[dg.AssetCheckResult]:
    """The checks of ``staging.buurten``; the first two block everything downstream."""
    config = datalab.project.config
    error, warn = dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN
    with datalab.connect() as con:
        outcomes = {
            "buurtcodes_unique_and_complete": (checks.buurtcodes_unique_and_complete(con, config), error),
            "buurt_geometries_valid_and_in_the_netherlands": (
                checks.buurt_geometries_valid_and_in_the_netherlands(con),
                error,
            ),
            "buurten_have_inhabitants_or_are_marked": (
                checks.buurten_have_inhabitants_or_are_marked(con, config),
                warn,
            ),
            "buurt_totals_reconcile_with_wijken": (checks.buurt_totals_reconcile_with_wijken(con, config), warn),
        }
    for name, (outcome, severity) in outcomes.items():
        yield _result(outcome, severity, (BUURTEN, name))


@dg.multi_asset_check(
    name="joined_checks",
    specs=[
        dg.AssetCheckSpec(
            "partner_match_rates_above_threshold",
            asset=PARTNERS,
            blocking=True,
            description="Every partner file places at least its min_koppelpercentage of rows; otherwise nothing is "
            "published.",
        ),
        dg.AssetCheckSpec(
            "addresses_cover_the_gemeente",
            asset=ADDRESSES,
            description="The BAG addresses hold at least half as many addresses as the gemeente has households "
            "(CBS): not a part of it, such as a sample.",
        ),
    ],
    can_subset=True,  # a partner update joins the partners again, not the addresses
)
def joined_checks(context, datalab: DataLabResource) -> Iterator[dg.AssetCheckResult]:
    """The checks of the joins: the partners' match rates (blocking) and the addresses' coverage.

    ``context`` (an AssetCheckExecutionContext) is not annotated: with postponed annotations Dagster would see the
    annotation as text and refuse it.
    """
    config = datalab.project.config
    selected = {(key.asset_key, key.name) for key in context.selected_asset_check_keys}
    outcomes = {
        (PARTNERS, "partner_match_rates_above_threshold"): (
            checks.partner_match_rates_above_threshold,
            dg.AssetCheckSeverity.ERROR,
        ),
        (ADDRESSES, "addresses_cover_the_gemeente"): (checks.addresses_cover_the_gemeente, dg.AssetCheckSeverity.WARN),
    }
    with datalab.connect() as con:
        for check, (run, severity) in outcomes.items():
            if check in selected:
                yield _result(run(con, config), severity, check)


@dg.multi_asset_check(
    name="publication_checks",
    specs=[
        dg.AssetCheckSpec(
            "withheld_values_not_recoverable",
            asset=PUBLICATION,
            additional_deps=[
                dg.AssetKey(["indicators", "publicatie_wijk"]),
                dg.AssetKey(["indicators", "publicatie_gemeente"]),
                dg.AssetKey(["indicators", "buurt"]),
            ],
            blocking=True,
            description="No withheld value can be recomputed from the published ones (totals, differences of "
            "totals, rate × denominator), proven by linear programming over buurt ⊂ wijk ⊂ gemeente.",
        ),
        dg.AssetCheckSpec(
            "indicators_tell_buurten_apart",
            asset=PUBLICATION,
            description="Every indicator's published buurt values can tell the buurten apart (at least 3 distinct "
            "values); one that cannot gets no rank and no weight in the opgave scores.",
        ),
    ],
)
def publication_checks(datalab: DataLabResource) -> Iterator[dg.AssetCheckResult]:
    """The checks of the published buurt values; the first blocks the maps."""
    project = datalab.project
    with datalab.connect() as con:
        withheld = checks.withheld_values_not_recoverable(con, project.catalogue, project.config.privacy)
        apart = checks.indicators_tell_buurten_apart(con, project.catalogue)
    yield _result(withheld, dg.AssetCheckSeverity.ERROR, (PUBLICATION, "withheld_values_not_recoverable"))
    yield _result(apart, dg.AssetCheckSeverity.WARN, (PUBLICATION, "indicators_tell_buurten_apart"))


@dg.asset_check(
    asset=dg.AssetKey(["raw", "partners"]),
    description="Every source with an update cycle (verversing_dagen) is not older than that cycle.",
)
def sources_fresh(datalab: DataLabResource) -> dg.AssetCheckResult:
    return _result(checks.sources_fresh(datalab.project.config), dg.AssetCheckSeverity.WARN)


all_checks = [buurten_checks, joined_checks, publication_checks, sources_fresh]
