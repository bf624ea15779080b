"""Area of a polygon layer per buurt (green area, for example), cutting polygons at buurt boundaries."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from ..storage import query_row, quote_identifier, run_sql_file, table_name


def compute_area_per_buurt(
    con: duckdb.DuckDBPyConnection, layer: str, target: str, typen: Sequence[str] = ()
) -> dict[str, float]:
    """Write ``joined.<target>`` (buurtcode, oppervlak_m2, delen) from the polygons of ``staging.<layer>``.

    Notes
    -----
    For buurt *b* and layer polygons *g*: ``oppervlak_m2(b) = sum area(g ∩ b)``, with
    ``area(g)`` itself when *g* lies wholly within *b*, which skips the costly intersection
    for most polygons. Polygons of the layer must not overlap each other. With ``typen``,
    only polygons whose ``type`` column has one of those values count.
    """
    columns = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'staging' AND table_name = ?",
            [layer],
        ).fetchall()
    }
    if typen and "type" not in columns:
        raise ValueError(f"staging.{layer} has no 'type' column to select {list(typen)} from")
    run_sql_file(
        con,
        "area_per_buurt.sql",
        {"typen": list(typen)},
        identifiers={
            "layer": table_name("staging", layer),
            "target": table_name("joined", target),
            "type_column": quote_identifier("type") if "type" in columns else "NULL",
        },
    )
    buurten, area = query_row(
        con, f"SELECT count(*), coalesce(sum(oppervlak_m2), 0) FROM {table_name('joined', target)}"
    )
    return {"buurten": buurten, "oppervlak_m2": area}
