"""Indicators layer: one value per buurt and indicator, with wijk and gemeente roll-ups."""

from __future__ import annotations

import dagster as dg

from ogw_datalab.indicators.compare import compare_indicators
from ogw_datalab.indicators.compute_indicators import compute_indicators
from ogw_datalab.indicators.history import import_years, record_history
from ogw_datalab.indicators.score_opgaven import score_opgaven
from ogw_datalab.indicators.store_similar_buurten import store_similar_buurten
from ogw_datalab.indicators.suppress import publish_indicators
from ogw_datalab.indicators.trends import compute_trends
from ogw_datalab.storage import query_row

from ..partitions import GEMEENTE_JAAR
from ..resources import DataLabResource
from .metadata import table_metadata


@dg.multi_asset(
    partitions_def=GEMEENTE_JAAR,
    specs=[
        dg.AssetSpec(
            ["indicators", "buurt"],
            description="Every indicator per buurt: value, numerator (teller) and denominator (noemer).",
            deps=[
                ["joined", "adressen_buurt"],
                ["joined", "layers"],
                ["staging", "parken"],
                ["joined", "partners"],
                ["joined", "tijdreeksen"],
                ["staging", "wijken"],
            ],
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["indicators", "wijk"],
            description="Every indicator per wijk, recomputed from the sums of its buurten.",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["indicators", "gemeente"],
            description="Every indicator for the whole gemeente, from the sums.",
            kinds={"duckdb"},
        ),
    ],
    group_name="indicators",
)
def indicator_tables(datalab: DataLabResource):
    """Compute every indicator of the catalogue ('indicatoren:' in the configuration) per buurt, keeping the
    intermediate tables (areas, distances per home) as joined.indicator_<id>_... so that every number can be traced."""
    config, catalogue = datalab.project.config, datalab.project.catalogue
    with datalab.connect() as con:
        counts = compute_indicators(con, config, catalogue)
        for level in ("buurt", "wijk", "gemeente"):
            yield dg.MaterializeResult(
                asset_key=["indicators", level],
                metadata=table_metadata(con, "indicators", level, indicators=counts["indicators"]),
            )


@dg.multi_asset(
    partitions_def=GEMEENTE_JAAR,
    specs=[
        dg.AssetSpec(
            ["indicators", f"publicatie_{level}"],
            description=f"The publishable values per {level}: small groups withheld (with complementary cells, so that "
            "nothing can be worked out from totals), with status 'onderdrukt' and the reason. Only these tables reach "
            "maps and downloads.",
            deps=[["indicators", "buurt"], ["indicators", "wijk"], ["indicators", "gemeente"]],
            kinds={"duckdb"},
        )
        for level in ("buurt", "wijk", "gemeente")
    ],
    group_name="indicators",
)
def indicator_publication(datalab: DataLabResource):
    """Apply disclosure control ('privacy:' in the configuration) before anything is published."""
    config, catalogue = datalab.project.config, datalab.project.catalogue
    with datalab.connect() as con:
        counts = publish_indicators(con, config, catalogue)
        for level in ("buurt", "wijk", "gemeente"):
            suppressed = con.execute(
                f"SELECT count(*) FROM indicators.publicatie_{level} WHERE status = 'onderdrukt'"
            ).fetchone()
            yield dg.MaterializeResult(
                asset_key=["indicators", f"publicatie_{level}"],
                metadata=table_metadata(
                    con,
                    "indicators",
                    f"publicatie_{level}",
                    suppressed=int(suppressed[0]) if suppressed else 0,
                    suppressed_buurt_total=counts["onderdrukt_buurt"],
                    suppressed_to_protect_others=counts["aanvullend_onderdrukt"],
                ),
            )


@dg.multi_asset(
    partitions_def=GEMEENTE_JAAR,
    specs=[
        dg.AssetSpec(
            ["indicators", f"vergelijking_{level}"],
            description=f"Per {level} the published value beside the gemeente and the Netherlands, the difference from "
            "the gemeente, the rank (1 = asks most attention) and the percentile.",
            deps=[
                ["indicators", "publicatie_buurt"],
                ["indicators", "publicatie_wijk"],
                ["indicators", "publicatie_gemeente"],
            ],
            kinds={"duckdb"},
        )
        for level in ("buurt", "wijk")
    ],
    group_name="indicators",
)
def indicator_comparison(datalab: DataLabResource):
    """Compare every buurt and wijk with the gemeente and the Netherlands."""
    catalogue = datalab.project.catalogue
    with datalab.connect() as con:
        compare_indicators(con, catalogue)
        for level in ("buurt", "wijk"):
            yield dg.MaterializeResult(
                asset_key=["indicators", f"vergelijking_{level}"],
                metadata=table_metadata(con, "indicators", f"vergelijking_{level}"),
            )


@dg.multi_asset(
    partitions_def=GEMEENTE_JAAR,
    specs=[
        dg.AssetSpec(
            ["indicators", "opgave_scores"],
            description="Per opgave and buurt a composite score (weighted mean of percentiles, "
            "0 = no attention needed, 100 = the most) with the indicators that weigh most in it.",
            deps=[["indicators", "publicatie_buurt"]],
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["indicators", "prioriteiten"],
            description="Per opgave the buurten with the highest score: where an intervention can help most.",
            deps=[["indicators", "publicatie_buurt"]],
            kinds={"duckdb"},
        ),
    ],
    group_name="indicators",
)
def opgave_scores(datalab: DataLabResource):
    """Scores and priority buurten per opgave."""
    catalogue, opgaven = datalab.project.catalogue, datalab.project.opgaven
    with datalab.connect() as con:
        score_opgaven(con, opgaven, catalogue)
        left_out = query_row(con, "SELECT count(*) FROM indicators.opgave_indicatoren_weggelaten")[0]
        for table in ("opgave_scores", "prioriteiten"):
            yield dg.MaterializeResult(
                asset_key=["indicators", table],
                metadata=table_metadata(con, "indicators", table, indicators_left_out_of_scores=left_out),
            )


@dg.asset(
    partitions_def=GEMEENTE_JAAR,
    key=["indicators", "trends"],
    deps=[["indicators", "publicatie_buurt"], ["joined", "adressen_buurt"]],
    group_name="indicators",
    kinds={"duckdb"},
)
def indicator_trends(datalab: DataLabResource) -> dg.MaterializeResult:
    """Years side by side: this year's published values and buurt boundaries go into historie.*, the earlier years
    (each a jaar partition with its own database) are copied in from their databases, and per buurt the change since
    the previous year is computed on today's boundaries (reallocated by overlap, never by code)."""
    project = datalab.project
    with datalab.connect() as con:
        imported = import_years(con, project.earlier_databases, project.earlier_keys)
        assert project.config.config_file is not None
        history = record_history(con, project.jaar, project.config.config_file, project.fingerprint)
        counts = compute_trends(con, project.config, project.catalogue)
        metadata = table_metadata(
            con,
            "indicators",
            "trends",
            vorig_jaar=counts["vorig_jaar"],
            eerdere_jaren=dg.MetadataValue.json({str(y): why for y, why in imported.items()}),
            **history,
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    partitions_def=GEMEENTE_JAAR,
    key=["indicators", "vergelijkbare_buurten"],
    deps=[["indicators", "publicatie_buurt"], ["staging", "buurten"], ["raw", "vergelijkbare_buurten_referentie"]],
    group_name="indicators",
    kinds={"duckdb"},
)
def similar_buurten(datalab: DataLabResource) -> dg.MaterializeResult:
    """Per buurt the 10 buurten elsewhere most alike in structure ('vergelijkbare_buurten:' in the configuration:
    density, age shares, household size, ... standardised), and per indicator the buurt's published value against
    theirs ("hoger dan 8 van 10 vergelijkbare buurten"), for tooltips and buurtprofielen. The buurten searched are
    those of raw.vergelijkbare_buurten_referentie. Empty tables without that setting."""
    project = datalab.project
    with datalab.connect() as con:
        counts = store_similar_buurten(con, project.config, project.catalogue)
        metadata = table_metadata(con, "indicators", "vergelijkbare_buurten", **counts)
    return dg.MaterializeResult(metadata=metadata)
