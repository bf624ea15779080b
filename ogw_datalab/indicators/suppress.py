"""Disclosure control: no figure about a small group is published, nor recoverable from totals.

Primary suppression withholds a figure when its area has too few inhabitants or its
denominator too few persons, homes, rows or respondents (``privacy`` in the configuration).
Secondary suppression then makes sure that a withheld buurt figure cannot be recomputed
as "wijk total minus the other buurten": in every wijk whose total is published, either no
buurt or at least two buurten are withheld; the same holds for wijken under the gemeente.
Only ``indicators.publicatie_*`` tables are published; they carry the value only (never the
numerator or denominator), with status ``onderdrukt`` and the reason where withheld.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..config import ProjectConfig
from ..storage import frame_to_temp_table, publish_temp_table, run_sql_file
from .catalogue import Catalogue

SUPPRESSED = "onderdrukt"
SECONDARY = "aanvullend onderdrukt: anders terug te rekenen uit het totaal van de {level}"


def publish_indicators(con: duckdb.DuckDBPyConnection, config: ProjectConfig, catalogue: Catalogue) -> dict[str, int]:
    """Write ``indicators.publicatie_buurt``, ``publicatie_wijk`` and ``publicatie_gemeente``."""
    _register_meta(con, catalogue)
    privacy = config.privacy
    run_sql_file(
        con,
        "suppress_primary.sql",
        {
            "min_inwoners": privacy.min_inwoners,
            "min_noemer": privacy.min_noemer,
            "min_respondenten": privacy.min_respondenten,
        },
    )
    buurten = con.execute("SELECT * FROM buurt_kandidaten ORDER BY indicator, buurtcode").df()
    wijken = con.execute("SELECT * FROM wijk_kandidaten ORDER BY indicator, wijkcode").df()
    gemeente = con.execute(
        "SELECT g.indicator, g.gemeentecode, g.waarde, m.aggregatie, g.reden AS reden_geen_waarde "
        "FROM indicators.gemeente AS g "
        "JOIN indicator_meta AS m USING (indicator)"
    ).df()
    buurten = suppress_complements(
        buurten, parent="wijkcode", parent_published=_published(wijken, "wijkcode"), level="wijk"
    )
    wijken = suppress_complements(wijken, parent=None, parent_published=None, level="gemeente")
    gemeente["reden"] = [("bestaat alleen per buurt" if a == "geen" else None) for a in gemeente["aggregatie"]]
    counts = {}
    for name, frame, keys in (
        ("publicatie_buurt", buurten, ["buurtcode", "buurtnaam", "wijkcode"]),
        ("publicatie_wijk", wijken, ["wijkcode"]),
        ("publicatie_gemeente", gemeente, ["gemeentecode"]),
    ):
        counts[name] = _write(con, name, frame, keys)
    counts["onderdrukt_buurt"] = int((buurten["reden"].notna()).sum())
    return counts


def _register_meta(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> None:
    meta = pd.DataFrame(
        [{"indicator": i.id, "noemer_soort": i.noemer_soort, "aggregatie": i.aggregatie} for i in catalogue.indicatoren]
    )
    frame_to_temp_table(con, "indicator_meta", meta)


def _published(frame: pd.DataFrame, key: str) -> set[tuple[str, str]]:
    return {(i, k) for i, k, r in zip(frame["indicator"], frame[key], frame["reden"], strict=True) if pd.isna(r)}


def suppress_complements(
    frame: pd.DataFrame, *, parent: str | None, parent_published: set | None, level: str
) -> pd.DataFrame:
    """Withhold one more figure wherever exactly one sibling is withheld under a published total.

    Siblings are the rows of one indicator under one ``parent`` (all rows when ``parent`` is
    None: the gemeente). The extra figure is the published sibling with the smallest
    denominator (or value), which hides the least. Figures that are not added up into a
    published total (aggregation 'geen') need no complement.
    """
    frame = frame.copy()
    frame["reden"] = frame["reden"].astype(object).where(frame["reden"].notna(), None)
    groups = ["indicator"] + ([parent] if parent else [])
    for key, rows in frame.groupby(groups, sort=True):
        if rows["aggregatie"].iloc[0] == "geen":
            continue
        if parent and parent_published is not None and tuple(key) not in parent_published:
            continue  # the total itself is withheld: nothing to subtract from
        withheld = rows["reden"].notna()
        if withheld.sum() != 1 or (~withheld).sum() == 0:
            continue
        candidates = rows[~withheld]
        size = candidates["noemer"].fillna(candidates["waarde"].abs()).fillna(0)
        frame.loc[size.idxmin(), "reden"] = SECONDARY.format(level=level)
    return frame


def _write(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, keys: list[str]) -> int:
    published = frame[["indicator", *keys]].copy()
    withheld = frame["reden"].notna()
    published["waarde"] = frame["waarde"].where(~withheld, None).astype(float)
    published["status"] = [
        SUPPRESSED if w else ("geen waarde" if pd.isna(v) else "gepubliceerd")
        for w, v in zip(withheld, frame["waarde"], strict=True)
    ]
    # A total that could not be computed (a buurt's count unknown) has no value, with the roll-up's reason.
    no_value = frame.get("reden_geen_waarde", pd.Series(None, index=frame.index, dtype=object))
    published["reden"] = frame["reden"].where(withheld, no_value)
    frame_to_temp_table(con, "staged", published)
    return publish_temp_table(con, "staged", "indicators", name)
