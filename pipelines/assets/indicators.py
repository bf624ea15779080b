"""Indicators layer: one value per buurt and indicator, with wijk and gemeente roll-ups."""

from __future__ import annotations

import dagster as dg

from ogw_datalab.indicators.compare import compare_indicators
from ogw_datalab.indicators.compute_indicators import compute_indicators
from ogw_datalab.indicators.history import record_history
from ogw_datalab.indicators.opgaven import load_opgaven
from ogw_datalab.indicators.score_opgaven import score_opgaven
from ogw_datalab.indicators.suppress import publish_indicators
from ogw_datalab.indicators.trends import compute_trends

from ..resources import DataLabResource
from .metadata import table_metadata


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["indicators", "buurt"],
            description="Elke indicator per buurt: waarde, teller en noemer.",
            deps=[
                ["joined", "adressen_buurt"],
                ["joined", "layers"],
                ["staging", "parken"],
                ["joined", "partners"],
                ["staging", "wijken"],
            ],
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["indicators", "wijk"],
            description="Elke indicator per wijk, herberekend uit de sommen van de buurten.",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["indicators", "gemeente"],
            description="Elke indicator voor de hele gemeente, uit de sommen.",
            kinds={"duckdb"},
        ),
    ],
    group_name="indicators",
)
def indicator_tables(datalab: DataLabResource):
    """Bereken elke indicator uit de catalogus (indicatoren: in de configuratie) per buurt, met de tussentabellen
    (oppervlakken, afstanden per woning) als joined.indicator_<id>_... zodat elk getal na te rekenen is."""
    config = datalab.load_config()
    catalogue = datalab.load_catalogue(config)
    with datalab.connect() as con:
        counts = compute_indicators(con, config, catalogue)
        for level in ("buurt", "wijk", "gemeente"):
            yield dg.MaterializeResult(
                asset_key=["indicators", level],
                metadata=table_metadata(con, "indicators", level, indicators=counts["indicators"]),
            )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["indicators", f"publicatie_{level}"],
            description=f"De publiceerbare waarden per {level}: kleine groepen onderdrukt (ook aanvullend, zodat niets "
            "uit totalen terug te rekenen is), met status 'onderdrukt' en de reden. Alleen deze tabellen gaan naar "
            "kaarten en downloads.",
            deps=[["indicators", "buurt"], ["indicators", "wijk"], ["indicators", "gemeente"]],
            kinds={"duckdb"},
        )
        for level in ("buurt", "wijk", "gemeente")
    ],
    group_name="indicators",
)
def indicator_publication(datalab: DataLabResource):
    """Pas de privacydrempels toe (privacy: in de configuratie) voordat er iets wordt gepubliceerd."""
    config = datalab.load_config()
    catalogue = datalab.load_catalogue(config)
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
                ),
            )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["indicators", f"vergelijking_{level}"],
            description=f"Per {level} de gepubliceerde waarde naast de gemeente en Nederland, het verschil met "
            "de gemeente, de rang (1 = vraagt de meeste aandacht) en het percentiel.",
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
    """Vergelijk elke buurt en wijk met de gemeente en Nederland."""
    catalogue = datalab.load_catalogue(datalab.load_config())
    with datalab.connect() as con:
        compare_indicators(con, catalogue)
        for level in ("buurt", "wijk"):
            yield dg.MaterializeResult(
                asset_key=["indicators", f"vergelijking_{level}"],
                metadata=table_metadata(con, "indicators", f"vergelijking_{level}"),
            )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["indicators", "opgave_scores"],
            description="Per opgave en buurt een samengestelde score (gewogen gemiddelde van percentielen, "
            "0 = geen aandacht nodig, 100 = de meeste) met de indicatoren die de score het meest bepalen.",
            deps=[["indicators", "publicatie_buurt"]],
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["indicators", "prioriteiten"],
            description="Per opgave de buurten met de hoogste score: waar een ingreep het meest kan helpen.",
            deps=[["indicators", "publicatie_buurt"]],
            kinds={"duckdb"},
        ),
    ],
    group_name="indicators",
)
def opgave_scores(datalab: DataLabResource):
    """Scores en prioritaire buurten per opgave."""
    config = datalab.load_config()
    catalogue = datalab.load_catalogue(config)
    opgaven = load_opgaven(config.opgaven, catalogue, config.layers)
    with datalab.connect() as con:
        score_opgaven(con, opgaven, catalogue)
        for table in ("opgave_scores", "prioriteiten"):
            yield dg.MaterializeResult(
                asset_key=["indicators", table], metadata=table_metadata(con, "indicators", table)
            )


@dg.asset(
    key=["indicators", "trends"],
    deps=[["indicators", "publicatie_buurt"], ["joined", "adressen_buurt"], ["historie", "jaargang"]],
    group_name="indicators",
    kinds={"duckdb"},
)
def indicator_trends(datalab: DataLabResource) -> dg.MaterializeResult:
    """Jaren naast elkaar: de gepubliceerde waarden en buurtgrenzen van dit jaar gaan naar historie.*, en per
    buurt staat de verandering sinds het vorige vastgelegde jaar, over de grenzen van nu verdeeld (nooit op code)."""
    config = datalab.load_config()
    catalogue = datalab.load_catalogue(config)
    with datalab.connect() as con:
        history = record_history(con, config.jaar)
        counts = compute_trends(con, config, catalogue)
        metadata = table_metadata(con, "indicators", "trends", vorig_jaar=counts["vorig_jaar"], **history)
    return dg.MaterializeResult(metadata=metadata)
