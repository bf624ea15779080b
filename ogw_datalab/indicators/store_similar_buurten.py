"""Vergelijkbare buurten of a build: the method of :mod:`.similar_buurten` on the build's database.

Reads the reference kaart from ``raw.vergelijkbare_buurten_referentie`` (:mod:`.read_reference`), the build's
buurten from ``staging.buurten`` and its published values from ``indicators.publicatie_buurt``, and writes
(always, empty without ``vergelijkbare_buurten``):

- ``indicators.vergelijkbare_buurten`` (:func:`~.similar_buurten.find_similar_buurten` ``.pairs``):
  ``buurtcode``, ``rang`` (1 = most alike), ``vergelijkbare_buurtcode``, ``vergelijkbare_buurtnaam``,
  ``vergelijkbare_gemeentecode``, ``vergelijkbare_gemeentenaam`` (also as ``gemeentenaam``),
  ``afstand`` (in standard deviations).
- ``indicators.vergelijkbare_buurten_kenmerken`` (``.standardisation``): per feature its transformation,
  mean and standard deviation over the reference buurten.
- ``indicators.vergelijking_vergelijkbaar`` (:func:`~.similar_buurten.compare_with_similar`): per buurt and
  indicator the value, the median of the similar buurten, how many have a value, how many lie below and
  above, and the sentence for tooltips and buurtprofielen.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..config import ProjectConfig
from ..storage import relation_kind, table_name, write_frame
from .catalogue import Catalogue
from .read_reference import PROVENANCE, SCHEMA, TABLE
from .similar_buurten import (
    SimilarityError,
    compare_with_similar,
    find_similar_buurten,
    kaart_values,
    structure_features,
)

PAIR_COLUMNS = {
    "buurtcode": "string",
    "rang": "Int64",
    "vergelijkbare_buurtcode": "string",
    "vergelijkbare_buurtnaam": "string",
    "vergelijkbare_gemeentecode": "string",
    "vergelijkbare_gemeentenaam": "string",
    "gemeentenaam": "string",
    "afstand": "float64",
}
COMPARISON_COLUMNS = {
    "buurtcode": "string",
    "indicator": "string",
    "waarde": "float64",
    "mediaan_vergelijkbaar": "float64",
    "vergelijkbaar_met_waarde": "Int64",
    "lager": "Int64",
    "hoger": "Int64",
    "tekst": "string",
    "reden": "string",
}
STANDARDISATION_COLUMNS = {
    "kenmerk": "string",
    "kolom": "string",
    "transformatie": "string",
    "gemiddelde": "float64",
    "standaardafwijking": "float64",
    "buurten": "Int64",
}


def store_similar_buurten(
    con: duckdb.DuckDBPyConnection, config: ProjectConfig, catalogue: Catalogue
) -> dict[str, int]:
    """Find the similar buurten of this gemeente's buurten and compare its published values with theirs.

    Writes ``indicators.vergelijkbare_buurten``, ``indicators.vergelijkbare_buurten_kenmerken`` and
    ``indicators.vergelijking_vergelijkbaar`` (see the module docstring); all three empty when the
    configuration has no ``vergelijkbare_buurten``.

    Parameters
    ----------
    con
        The build's database with ``raw.vergelijkbare_buurten_referentie`` (the CBS kaart searched),
        ``staging.buurten`` and ``indicators.publicatie_buurt``.
    config
        The gemeente's configuration (``vergelijkbare_buurten``).
    catalogue
        The indicators compared.

    Returns
    -------
    dict of str to int
        ``buurten`` compared, ``paren``, ``vergelijkingen`` (with a sentence), ``niet_in_referentie``
        (buurten of the build the reference lacks), ``te_weinig_inwoners`` and ``kenmerk_onbekend``.

    Notes
    -----
    The buurt's own values are its published ones (withheld values are missing, so they are neither
    compared nor reveal anything); the similar buurten elsewhere contribute only the values that come
    straight from the kaart (:func:`~.similar_buurten.kaart_values`), withheld below ``privacy.min_inwoners``.
    """
    settings = config.vergelijkbare_buurten
    counts = dict.fromkeys(
        ("buurten", "paren", "vergelijkingen", "niet_in_referentie", "te_weinig_inwoners", "kenmerk_onbekend"), 0
    )
    pairs, comparison = _typed(pd.DataFrame(), PAIR_COLUMNS), _typed(pd.DataFrame(), COMPARISON_COLUMNS)
    standardisation = _typed(pd.DataFrame(), STANDARDISATION_COLUMNS)
    if settings is not None:
        reference = read_reference_table(con)
        features = structure_features(reference, settings.kenmerken)
        own = [str(c) for (c,) in con.execute("SELECT buurtcode FROM staging.buurten ORDER BY 1").fetchall()]
        in_reference = set(features["buurtcode"])
        known = [c for c in own if c in in_reference]
        result = find_similar_buurten(
            features,
            kenmerken=settings.kenmerken,
            aantal=settings.aantal,
            zelfde_gemeente=settings.zelfde_gemeente,
            min_inwoners=settings.min_inwoners,
            buurtcodes=known,
        )
        pairs = _typed(result.pairs.assign(gemeentenaam=result.pairs["vergelijkbare_gemeentenaam"]), PAIR_COLUMNS)
        standardisation = _typed(result.standardisation, STANDARDISATION_COLUMNS)
        needed = set(result.pairs["vergelijkbare_buurtcode"])
        in_pairs = features["buurtcode"].isin(needed).to_numpy()  # features keep the reference's row order
        values = _comparison_values(con, reference[in_pairs], catalogue, config, own)
        compared = compare_with_similar(result.pairs, values, min_met_waarde=settings.min_met_waarde)
        comparison = _typed(compared[compared["buurtcode"].isin(own)], COMPARISON_COLUMNS)
        counts.update(result.excluded)
        counts.update(
            buurten=int(pairs["buurtcode"].nunique()),
            paren=len(pairs),
            vergelijkingen=int(comparison["tekst"].notna().sum()),
            niet_in_referentie=len(own) - len(known),
        )
    write_frame(con, "indicators", "vergelijkbare_buurten", pairs)
    write_frame(con, "indicators", "vergelijkbare_buurten_kenmerken", standardisation)
    write_frame(con, "indicators", "vergelijking_vergelijkbaar", comparison)
    return counts


def read_reference_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the kaart's columns of ``raw.vergelijkbare_buurten_referentie``, the CBS kaart searched, in its order.

    Raises
    ------
    SimilarityError
        When the table is missing (its asset, ``raw/vergelijkbare_buurten_referentie``, did not run).
    """
    if relation_kind(con, SCHEMA, TABLE) is None:
        raise SimilarityError(
            f"{SCHEMA}.{TABLE} is missing: materialize the asset {SCHEMA}/{TABLE} (the reference kaart) first"
        )
    provenance = ", ".join(PROVENANCE)  # where each row came from; the comparison needs only the kaart's columns
    return con.execute(f"SELECT * EXCLUDE ({provenance}) FROM {table_name(SCHEMA, TABLE)}").df()


def _comparison_values(
    con: duckdb.DuckDBPyConnection,
    reference: pd.DataFrame,
    catalogue: Catalogue,
    config: ProjectConfig,
    own: list[str],
) -> pd.DataFrame:
    """Return the published values of our buurten, and the kaart's (publishable) values of ``reference`` elsewhere."""
    ours = con.execute(
        "SELECT indicator, buurtcode, CASE WHEN status = 'gepubliceerd' THEN waarde END AS waarde "
        "FROM indicators.publicatie_buurt"
    ).df()
    others = kaart_values(reference, catalogue, config)
    others = others[~others["buurtcode"].isin(own)]
    return pd.concat([ours, others], ignore_index=True)


def _typed(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Return ``frame``'s ``columns`` in this order and type (an empty table keeps its columns and types in DuckDB)."""
    return pd.DataFrame({c: pd.Series(frame[c] if c in frame else [], dtype=t) for c, t in columns.items()})
