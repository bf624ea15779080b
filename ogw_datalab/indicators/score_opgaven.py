"""One composite score per opgave and buurt, and the priority buurten with what drives them.

Notes
-----
For buurt *b* and the opgave's indicators *i* with weights *w_i*, the need score is
``s_i(b)`` = the percentile (0-100) of *b*'s published value among the gemeente's buurten,
oriented by the opgave's direction so that 100 is the value that asks most attention. The
composite is the weighted mean over the indicators with a published value,

    score(b) = sum_i w_i s_i(b) / sum_i w_i   (i with a value),

and is left empty when those indicators carry less than ``min_gewicht_aandeel`` (default
one half) of the opgave's total weight. Percentiles make indicators of different units
comparable and keep one extreme buurt from flattening the rest.

An indicator whose published values cannot tell the buurten apart (fewer than three distinct
values, see :func:`~ogw_datalab.indicators.compare.indistinct_reason`) is left out of the score
altogether, weight included: its percentiles would be a tie that moves every buurt alike, or
(with two values) a difference of one threshold. Which indicators were left out, and why,
is written to ``indicators.opgave_indicatoren_weggelaten`` for the opgave page.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..storage import frame_to_temp_table, publish_temp_table
from .catalogue import Catalogue
from .compare import indistinct_reason, need_percentile
from .opgaven import Opgave

PRIORITY_COUNT = 5
LEFT_OUT_TYPES = {"opgave": "string", "indicator": "string", "titel": "string", "gewicht": "float64", "reden": "string"}


def left_out_indicators(published: pd.DataFrame, opgave: Opgave, catalogue: Catalogue) -> pd.DataFrame:
    """List the opgave's indicators that cannot tell the buurten apart, each with the reason it is left out.

    Parameters
    ----------
    published
        Published buurt values (``indicator``, ``buurtcode``, ``waarde``).
    opgave
        The opgave whose indicators are looked at.
    catalogue
        The indicator catalogue (titles and decimals).

    Returns
    -------
    pandas.DataFrame
        One row per left-out indicator: ``opgave``, ``indicator``, ``titel``, ``gewicht``, ``reden``.
    """
    rows = []
    for item in opgave.indicatoren:
        indicator = catalogue.by_id(item.id)
        values = published.loc[published["indicator"] == item.id, "waarde"]
        reason = indistinct_reason(values, indicator.decimalen)
        if reason is not None:
            rows.append([opgave.id, item.id, indicator.titel, float(item.gewicht), reason])
    return pd.DataFrame(rows, columns=list(LEFT_OUT_TYPES)).astype(LEFT_OUT_TYPES)


def score_buurten(published: pd.DataFrame, opgave: Opgave, catalogue: Catalogue) -> pd.DataFrame:
    """Composite score per buurt for one opgave, with the two indicators that weigh most in it.

    Indicators that cannot tell the buurten apart (:func:`left_out_indicators`) do not count,
    neither in the score nor in the weight it needs.
    """
    names = published.drop_duplicates("buurtcode").set_index("buurtcode")["buurtnaam"]
    wide = published.pivot(index="buurtcode", columns="indicator", values="waarde")
    left_out = set(left_out_indicators(published, opgave, catalogue)["indicator"])
    items = [item for item in opgave.indicatoren if item.id not in left_out]
    total_weight = sum(item.gewicht for item in items)
    weighted, weights = pd.DataFrame(index=wide.index), pd.DataFrame(index=wide.index)
    for item in items:
        values = wide[item.id] if item.id in wide else pd.Series(index=wide.index, dtype=float)
        need = need_percentile(values.astype(float), item.richting)
        weighted[item.id] = need * item.gewicht
        weights[item.id] = need.notna() * item.gewicht
    present = weights.sum(axis=1)
    score = (weighted.sum(axis=1, min_count=1) / present.where(present > 0)).round(1)
    score = score.where((present > 0) & (present >= opgave.min_gewicht_aandeel * total_weight))
    titles = {item.id: catalogue.by_id(item.id).titel for item in items}
    drivers = [
        "; ".join(titles[i] for i in row.dropna().sort_values(ascending=False).index[:2]) if pd.notna(s) else None
        for (_, row), s in zip(weighted.iterrows(), score, strict=True)
    ]
    result = pd.DataFrame(
        {"opgave": opgave.id, "score": score.to_numpy(), "gewicht_met_waarde": present.to_numpy(), "drijvers": drivers},
        index=wide.index,
    ).reset_index()
    result.insert(2, "buurtnaam", result["buurtcode"].map(names))
    result["rang"] = result["score"].rank(method="min", ascending=False).astype("Int64")
    return result.sort_values(["rang", "buurtcode"], na_position="last")


def score_opgaven(con: duckdb.DuckDBPyConnection, opgaven: list[Opgave], catalogue: Catalogue) -> dict[str, int]:
    """Write the scores of every opgave, the top buurten per opgave and the indicators left out of a score.

    ``indicators.opgave_scores`` holds every buurt, ``indicators.prioriteiten`` the top per opgave and
    ``indicators.opgave_indicatoren_weggelaten`` the indicators left out of a score, with the reason.
    """
    published = con.execute("SELECT indicator, buurtcode, buurtnaam, waarde FROM indicators.publicatie_buurt").df()
    scores = pd.concat([score_buurten(published, opgave, catalogue) for opgave in opgaven], ignore_index=True)
    ranked = scores.dropna(subset=["score"]).sort_values(["opgave", "rang", "buurtcode"])
    top = ranked.groupby("opgave", sort=False).head(PRIORITY_COUNT)  # ties beyond the fifth are left out
    left_out = pd.concat(
        [pd.DataFrame(columns=list(LEFT_OUT_TYPES)).astype(LEFT_OUT_TYPES)]
        + [left_out_indicators(published, o, catalogue) for o in opgaven],
        ignore_index=True,
    )
    counts = {}
    for name, frame in (("opgave_scores", scores), ("prioriteiten", top), ("opgave_indicatoren_weggelaten", left_out)):
        frame_to_temp_table(con, "staged", frame)
        counts[name] = publish_temp_table(con, "staged", "indicators", name)
    return counts
