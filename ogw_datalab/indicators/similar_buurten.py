"""Vergelijkbare buurten: for every buurt the buurten elsewhere most alike in structure, and how it compares.

"How do our buurten compare with similar buurten elsewhere?" The structure of a buurt is a
handful of CBS kerncijfers (density, age shares, household size, stedelijkheid, chosen in
the configuration under ``vergelijkbare_buurten.kenmerken``); the most similar buurten are its
nearest neighbours in that space after standardising every feature; per indicator the buurt's
published value is set against theirs ("hoger dan 8 van 10 vergelijkbare buurten").

Tables of a build (:func:`store_similar_buurten`; always present, empty without ``vergelijkbare_buurten``):

- ``indicators.vergelijkbare_buurten`` (:func:`find_similar_buurten` ``.pairs``): ``buurtcode``,
  ``rang`` (1 = most alike), ``vergelijkbare_buurtcode``, ``vergelijkbare_buurtnaam``,
  ``vergelijkbare_gemeentecode``, ``vergelijkbare_gemeentenaam`` (also as ``gemeentenaam``),
  ``afstand`` (in standard deviations).
- ``indicators.vergelijkbare_buurten_kenmerken`` (``.standardisation``): per feature its CBS
  column, transformation, mean and standard deviation over the reference buurten.
- ``indicators.vergelijking_vergelijkbaar`` (:func:`compare_with_similar`): per buurt and
  indicator the value, the median of the similar buurten, how many have a value, how many lie
  below and above, and the sentence for tooltips and buurtprofielen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..config import ProjectConfig
from ..readers.read_areas import SENTINEL_MAX, read_cbs_areas
from ..readers.source_files import SourceFilesError
from ..storage import write_frame
from .catalogue import Catalogue


@dataclass(frozen=True)
class Feature:
    """A structure feature: its CBS column in the older and newer kaart, and whether it is compared on a log scale."""

    columns: tuple[str, ...]
    log: bool
    beschrijving: str


# Densities span four orders of magnitude: compared as log10(1 + x), so that 100 vs 200 weighs as 5,000 vs 10,000.
FEATURES: dict[str, Feature] = {
    "bevolkingsdichtheid": Feature(
        ("BEV_DICHTH", "bevolkingsdichtheid_inwoners_per_km2"), True, "inwoners per km² land"
    ),
    "omgevingsadressendichtheid": Feature(
        ("OAD", "omgevingsadressendichtheid"), True, "adressen per km² binnen 1 km (omgevingsadressendichtheid)"
    ),
    "stedelijkheid": Feature(
        ("STED", "stedelijkheid_adressen_per_km2"), False, "stedelijkheidsklasse, 1 (zeer sterk) tot 5 (niet)"
    ),
    "aandeel_0_14": Feature(("P_00_14_JR", "percentage_personen_0_tot_15_jaar"), False, "% inwoners 0-14 jaar"),
    "aandeel_15_24": Feature(("P_15_24_JR", "percentage_personen_15_tot_25_jaar"), False, "% inwoners 15-24 jaar"),
    "aandeel_25_44": Feature(("P_25_44_JR", "percentage_personen_25_tot_45_jaar"), False, "% inwoners 25-44 jaar"),
    "aandeel_45_64": Feature(("P_45_64_JR", "percentage_personen_45_tot_65_jaar"), False, "% inwoners 45-64 jaar"),
    "aandeel_65plus": Feature(("P_65_EO_JR", "percentage_personen_65_jaar_en_ouder"), False, "% inwoners 65+"),
    "huishoudensgrootte": Feature(("GEM_HH_GR", "gemiddelde_huishoudsgrootte"), False, "personen per huishouden"),
    "aandeel_eenpersoonshuishoudens": Feature(
        ("P_EENP_HH", "percentage_eenpersoonshuishoudens"), False, "% eenpersoonshuishoudens"
    ),
    "aandeel_huishoudens_met_kinderen": Feature(
        ("P_HH_M_K", "percentage_huishoudens_met_kinderen"), False, "% huishoudens met kinderen"
    ),
}
IDENTITY = {
    "buurtcode": ("BU_CODE", "buurtcode"),
    "buurtnaam": ("BU_NAAM", "buurtnaam"),
    "gemeentecode": ("GM_CODE", "gemeentecode"),
    "gemeentenaam": ("GM_NAAM", "gemeentenaam"),
    "aantal_inwoners": ("AANT_INW", "aantal_inwoners"),
}
# Kerncijfers the catalogue can name, and their columns in the kaart (as staging maps them).
KERNCIJFER_COLUMNS = {"aantal_inwoners": ("AANT_INW", "aantal_inwoners"), "aantal_huishoudens": ("AANTAL_HH",)}


class SimilarityError(ValueError):
    """The reference buurten lack a feature, or too few buurten can be compared."""


@dataclass(frozen=True)
class SimilarBuurten:
    """The result of :func:`find_similar_buurten`.

    Attributes
    ----------
    pairs
        One row per buurt and similar buurt (see the module docstring).
    standardisation
        Per feature: ``kenmerk``, ``kolom``, ``transformatie``, ``gemiddelde``, ``standaardafwijking``, ``buurten``.
    excluded
        Buurten left out of the search and why (``te_weinig_inwoners``, ``kenmerk_onbekend``).
    """

    pairs: pd.DataFrame
    standardisation: pd.DataFrame
    excluded: dict[str, int] = field(default_factory=dict)


def structure_features(areas: pd.DataFrame, kenmerken: Sequence[str]) -> pd.DataFrame:
    """Take the identity and the chosen structure features of every buurt of a CBS kaart frame.

    Reads the older (``BU_CODE``, ``P_65_EO_JR``) or newer (``buurtcode``,
    ``percentage_personen_65_jaar_en_ouder``) columns; CBS secret values become missing.

    Returns
    -------
    pandas.DataFrame
        ``buurtcode``, ``buurtnaam``, ``gemeentecode``, ``gemeentenaam``, ``aantal_inwoners``,
        then one column per feature (raw values, before transformation).
    """
    unknown = [k for k in kenmerken if k not in FEATURES]
    if unknown:
        raise SimilarityError(f"unknown kenmerken {unknown}; choose from {sorted(FEATURES)}")
    out = pd.DataFrame(index=areas.index)
    for ours, candidates in IDENTITY.items():
        column = _find(areas, candidates, ours)
        out[ours] = areas[column].astype("string").str.strip() if ours != "aantal_inwoners" else areas[column]
    out["buurtcode"] = out["buurtcode"].str.upper()
    out["gemeentecode"] = out["gemeentecode"].str.upper()
    out["aantal_inwoners"] = _cbs_number(out["aantal_inwoners"])
    for kenmerk in kenmerken:
        out[kenmerk] = _cbs_number(areas[_find(areas, FEATURES[kenmerk].columns, kenmerk)])
    if out["buurtcode"].duplicated().any():
        doubles = out.loc[out["buurtcode"].duplicated(), "buurtcode"].head(5).tolist()
        raise SimilarityError(f"the reference holds buurtcodes more than once, e.g. {doubles}; merge the files first")
    return out.reset_index(drop=True)


def find_similar_buurten(
    features: pd.DataFrame,
    *,
    kenmerken: Sequence[str],
    aantal: int = 10,
    zelfde_gemeente: bool = False,
    min_inwoners: int = 100,
    buurtcodes: Sequence[str] | None = None,
) -> SimilarBuurten:
    r"""For every buurt (or those in ``buurtcodes``) the ``aantal`` most similar buurten of ``features``.

    Parameters
    ----------
    features
        :func:`structure_features` of the reference buurten (a region or the whole country).
    kenmerken
        The features to compare on (keys of :data:`FEATURES`).
    aantal
        Similar buurten per buurt.
    zelfde_gemeente
        Whether buurten of the buurt's own gemeente may count; by default only buurten elsewhere.
    min_inwoners
        Buurten with fewer inhabitants (or unknown) are neither compared nor a comparison: CBS
        shares of a few dozen people are noise.
    buurtcodes
        The buurten to find neighbours for (default: every eligible reference buurt). They
        must be in ``features``.

    Notes
    -----
    Every feature is transformed (``log10(1 + x)`` for densities, identity otherwise) and
    standardised over the eligible reference buurten,
    :math:`z_{ik} = (t(x_{ik}) - \bar{t}_k) / s_k`, with :math:`s_k` the sample standard deviation;
    features weigh equally. The distance between buurten is Euclidean,
    :math:`d_{ij} = \sqrt{\sum_k (z_{ik} - z_{jk})^2}`, and the similar buurten of :math:`i` are
    the ``aantal`` nearest :math:`j \ne i` (not of :math:`i`'s gemeente unless ``zelfde_gemeente``),
    ties broken by buurtcode. A buurt lacking any feature is left out.
    """
    for kenmerk in kenmerken:
        if kenmerk not in features.columns:
            raise SimilarityError(f"the reference buurten have no column '{kenmerk}'; use structure_features")
    inhabitants = pd.to_numeric(features["aantal_inwoners"], errors="coerce")
    few = ~(inhabitants >= min_inwoners)
    unknown = features[list(kenmerken)].isna().any(axis=1) & ~few
    eligible = features.loc[~few & ~unknown].sort_values("buurtcode").reset_index(drop=True)
    if len(eligible) <= aantal:
        raise SimilarityError(f"only {len(eligible)} reference buurten can be compared; need more than {aantal}")
    z, standardisation = _standardise(eligible, kenmerken)
    subjects = _subjects(eligible, features, buurtcodes)
    pairs = _nearest(eligible, z, subjects, aantal, zelfde_gemeente)
    excluded = {"te_weinig_inwoners": int(few.sum()), "kenmerk_onbekend": int(unknown.sum())}
    return SimilarBuurten(pairs, standardisation, excluded)


def compare_with_similar(similar: pd.DataFrame, values: pd.DataFrame, *, min_met_waarde: int = 5) -> pd.DataFrame:
    r"""Per buurt and indicator: its value against the values of its similar buurten.

    Parameters
    ----------
    similar
        ``pairs`` of :func:`find_similar_buurten`.
    values
        Published values of all buurten concerned: ``indicator``, ``buurtcode``, ``waarde``
        (missing where suppressed or absent; only publishable values belong here).
    min_met_waarde
        Below this many similar buurten with a value, no comparison is made.

    Returns
    -------
    pandas.DataFrame
        ``buurtcode``, ``indicator``, ``waarde``, ``mediaan_vergelijkbaar``,
        ``vergelijkbaar_met_waarde`` (n), ``lager`` and ``hoger`` (similar buurten with a lower
        or higher value), ``tekst`` (for example "hoger dan 8 van 10 vergelijkbare buurten")
        and ``reden`` when there is no comparison.

    Notes
    -----
    With :math:`v` the buurt's value and :math:`v_1..v_n` those of its similar buurten that
    have one: ``lager`` :math:`= \#\{j: v_j < v\}`, ``hoger`` :math:`= \#\{j: v_j > v\}`; the
    sentence says "hoger dan ``lager`` van n" when ``lager`` > ``hoger``, "lager dan ``hoger``
    van n" when ``hoger`` > ``lager``, and "gelijk aan het midden van n" otherwise.
    """
    ordered = similar.sort_values(["buurtcode", "rang"])
    subjects = ordered["buurtcode"].drop_duplicates().to_numpy()
    k = int(ordered.groupby("buurtcode").size().max()) if len(ordered) else 0
    neighbours = np.full((len(subjects), k), None, dtype=object)
    position = ordered.groupby("buurtcode").cumcount().to_numpy()
    row = pd.Index(subjects).get_indexer(ordered["buurtcode"])
    neighbours[row, position] = ordered["vergelijkbare_buurtcode"].to_numpy()
    frames = []
    for indicator, group in values.groupby("indicator", sort=True):
        by_code = pd.Series(pd.to_numeric(group["waarde"], errors="coerce").to_numpy(), index=group["buurtcode"])
        by_code = by_code[~by_code.index.duplicated()]
        frames.append(_compare_one(str(indicator), subjects, neighbours, by_code, min_met_waarde))
    columns = ["buurtcode", "indicator", "waarde", "mediaan_vergelijkbaar", "vergelijkbaar_met_waarde"]
    if not frames:
        return pd.DataFrame(columns=[*columns, "lager", "hoger", "tekst", "reden"])
    return pd.concat(frames, ignore_index=True).sort_values(["indicator", "buurtcode"]).reset_index(drop=True)


def kaart_values(
    areas: pd.DataFrame, catalogue: Catalogue, config: ProjectConfig, *, min_inwoners: int | None = None
) -> pd.DataFrame:
    """Values of the catalogue's indicators that come straight from the CBS kaart, for every buurt of ``areas``.

    A single-gemeente build has no published values of other gemeenten; the indicators that are a
    kerncijfer, or a ``partner_waarde`` of a partner of kind ``cbs_wijkbuurtkaart``, can be read
    from the reference kaart itself. A value is left out where the buurt has fewer inhabitants
    than the privacy threshold (``privacy.min_inwoners``), as its own gemeente would withhold it.

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``buurtcode``, ``waarde``.
    """
    threshold = config.privacy.min_inwoners if min_inwoners is None else min_inwoners
    codes = areas[_find(areas, IDENTITY["buurtcode"], "buurtcode")].astype("string").str.strip().str.upper()
    inhabitants = _cbs_number(areas[_find(areas, IDENTITY["aantal_inwoners"], "aantal_inwoners")])
    publishable = (inhabitants >= threshold).to_numpy()
    partners = {p.name: p for p in config.partners if p.kind == "cbs_wijkbuurtkaart"}
    frames = []
    for indicator in catalogue.indicatoren:
        formule, column = indicator.formule, None
        if formule.formula.copies == "kaart" and formule.kolom in KERNCIJFER_COLUMNS:
            column = _find(areas, KERNCIJFER_COLUMNS[formule.kolom], formule.kolom)
        elif formule.formula.copies == "partner" and formule.partner in partners and formule.kolom:
            column = _find(areas, (partners[formule.partner].columns[formule.kolom],), formule.kolom)
        if column is None:
            continue
        values = _cbs_number(areas[column]).where(publishable)
        frames.append(pd.DataFrame({"indicator": indicator.id, "buurtcode": codes.to_numpy(), "waarde": values}))
    if not frames:
        return pd.DataFrame(columns=["indicator", "buurtcode", "waarde"])
    return pd.concat(frames, ignore_index=True)


def _find(frame: pd.DataFrame, candidates: Sequence[str], ours: str) -> str:
    by_lower = {str(c).lower(): str(c) for c in frame.columns}
    for candidate in candidates:
        if candidate.lower() in by_lower:
            return by_lower[candidate.lower()]
    raise SimilarityError(f"the reference buurten have no column for '{ours}' (looked for {list(candidates)})")


def _cbs_number(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    return numbers.where(numbers > SENTINEL_MAX)


def _standardise(eligible: pd.DataFrame, kenmerken: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    columns, rows = [], []
    for kenmerk in kenmerken:
        feature = FEATURES[kenmerk]
        raw = eligible[kenmerk].to_numpy(dtype=float)
        transformed = np.log10(1 + np.clip(raw, 0, None)) if feature.log else raw
        mean, sd = float(transformed.mean()), float(transformed.std(ddof=1))
        if not sd > 0:
            raise SimilarityError(f"kenmerk '{kenmerk}' has the same value in every reference buurt")
        columns.append((transformed - mean) / sd)
        rows.append(
            {
                "kenmerk": kenmerk,
                "beschrijving": feature.beschrijving,
                "transformatie": "log10(1 + x)" if feature.log else "x",
                "gemiddelde": mean,
                "standaardafwijking": sd,
                "buurten": len(raw),
            }
        )
    return np.column_stack(columns), pd.DataFrame(rows)


def _subjects(eligible: pd.DataFrame, features: pd.DataFrame, buurtcodes: Sequence[str] | None) -> np.ndarray:
    """Positions in ``eligible`` of the buurten to search for (ineligible ones are left out)."""
    if buurtcodes is None:
        return np.arange(len(eligible))
    wanted = pd.Index([c.strip().upper() for c in buurtcodes])
    missing = wanted.difference(pd.Index(features["buurtcode"]))
    if len(missing):
        raise SimilarityError(f"buurten not in the reference: {list(missing[:5])}; the reference must hold them")
    found = pd.Index(eligible["buurtcode"]).get_indexer(wanted)
    return np.sort(found[found >= 0])


def _nearest(
    eligible: pd.DataFrame, z: np.ndarray, subjects: np.ndarray, aantal: int, zelfde_gemeente: bool
) -> pd.DataFrame:
    tree = cKDTree(z)
    gemeente = eligible["gemeentecode"].to_numpy()
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    pending, k = subjects, min(len(eligible), 3 * aantal + 1)
    while len(pending):
        # Most buurten find enough neighbours among the first few; those whose nearest are mostly
        # of their own gemeente are searched again with a wider net.
        subject_rows, neighbour_rows, rank, d = _allowed_nearest(tree, z, gemeente, pending, k, aantal, zelfde_gemeente)
        counts = np.bincount(np.searchsorted(pending, subject_rows), minlength=len(pending))
        done = (counts >= aantal) | (k >= len(eligible))
        keep = np.isin(subject_rows, pending[done])
        found.append((subject_rows[keep], neighbour_rows[keep], rank[keep], d[keep]))
        pending, k = pending[~done], min(len(eligible), k * 4)
    subject_rows, neighbour_rows, rank, d = (np.concatenate(parts) for parts in zip(*found, strict=True))
    order = np.lexsort((rank, subject_rows))
    subject_rows, neighbour_rows, rank, d = subject_rows[order], neighbour_rows[order], rank[order], d[order]
    return pd.DataFrame(
        {
            "buurtcode": eligible["buurtcode"].to_numpy()[subject_rows],
            "rang": rank,
            "vergelijkbare_buurtcode": eligible["buurtcode"].to_numpy()[neighbour_rows],
            "vergelijkbare_buurtnaam": eligible["buurtnaam"].to_numpy()[neighbour_rows],
            "vergelijkbare_gemeentecode": gemeente[neighbour_rows],
            "vergelijkbare_gemeentenaam": eligible["gemeentenaam"].to_numpy()[neighbour_rows],
            "afstand": np.round(d, 4),
        }
    )


def _allowed_nearest(
    tree: cKDTree,
    z: np.ndarray,
    gemeente: np.ndarray,
    subjects: np.ndarray,
    k: int,
    aantal: int,
    zelfde_gemeente: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Up to ``aantal`` allowed neighbours of the ``k`` nearest per subject: subject, neighbour, rank, distance."""
    distances, indices = tree.query(z[subjects], k=k)
    distances, indices = distances.reshape(len(subjects), k), indices.reshape(len(subjects), k)
    rows = np.repeat(np.arange(len(subjects)), k)
    candidates, d = indices.ravel(), distances.ravel()
    # Per subject by distance, equal distances by buurtcode (eligible is sorted by buurtcode, so by index).
    order = np.lexsort((candidates, np.round(d, 12), rows))
    rows, candidates, d = rows[order], candidates[order], d[order]
    subject_of_row = subjects[rows]
    allowed = candidates != subject_of_row
    if not zelfde_gemeente:
        allowed &= gemeente[candidates] != gemeente[subject_of_row]
    rows, candidates, d, subject_of_row = rows[allowed], candidates[allowed], d[allowed], subject_of_row[allowed]
    rank = pd.Series(rows).groupby(rows).cumcount().to_numpy() + 1
    keep = rank <= aantal
    return subject_of_row[keep], candidates[keep], rank[keep], d[keep]


def _compare_one(
    indicator: str, subjects: np.ndarray, neighbours: np.ndarray, by_code: pd.Series, min_met_waarde: int
) -> pd.DataFrame:
    own = by_code.reindex(subjects).to_numpy(dtype=float)
    flat = neighbours.ravel()
    present = pd.notna(flat)
    found = np.full(flat.shape, np.nan)
    found[present] = by_code.reindex(flat[present]).to_numpy(dtype=float)
    others: np.ndarray = found.reshape(neighbours.shape)
    n = np.sum(~np.isnan(others), axis=1)
    with np.errstate(invalid="ignore"):
        lower = np.sum(others < own[:, None], axis=1)
        higher = np.sum(others > own[:, None], axis=1)
    median = np.full(len(subjects), np.nan)
    some = n > 0
    median[some] = np.nanmedian(others[some], axis=1)
    comparable = ~np.isnan(own) & (n >= min_met_waarde)
    texts: list[str | None] = []
    reasons: list[str | None] = []
    for i in range(len(subjects)):
        if np.isnan(own[i]):
            texts.append(None)
            reasons.append("geen gepubliceerde waarde in deze buurt")
        elif not comparable[i]:
            texts.append(None)
            reasons.append(f"te weinig vergelijkbare buurten met een waarde ({n[i]} van {neighbours.shape[1]})")
        else:
            texts.append(_sentence(int(lower[i]), int(higher[i]), int(n[i])))
            reasons.append(None)
    return pd.DataFrame(
        {
            "buurtcode": subjects,
            "indicator": indicator,
            "waarde": own,
            "mediaan_vergelijkbaar": np.where(comparable, median, np.nan),
            "vergelijkbaar_met_waarde": n,
            "lager": pd.Series(lower, dtype="Int64").where(comparable),
            "hoger": pd.Series(higher, dtype="Int64").where(comparable),
            "tekst": texts,
            "reden": reasons,
        }
    )


def _sentence(lower: int, higher: int, n: int) -> str:
    if lower > higher:
        return f"hoger dan {lower} van {n} vergelijkbare buurten"
    if higher > lower:
        return f"lager dan {higher} van {n} vergelijkbare buurten"
    return f"gelijk aan het midden van {n} vergelijkbare buurten"


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
        The build's database with ``staging.buurten`` and ``indicators.publicatie_buurt``.
    config
        The gemeente's configuration; ``vergelijkbare_buurten.referentie`` (default ``sources.buurten``)
        is the CBS kaart searched (read once per process).
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
    straight from the kaart (:func:`kaart_values`), withheld below ``privacy.min_inwoners``.
    """
    settings = config.vergelijkbare_buurten
    counts = dict.fromkeys(
        ("buurten", "paren", "vergelijkingen", "niet_in_referentie", "te_weinig_inwoners", "kenmerk_onbekend"), 0
    )
    pairs, comparison = _typed(pd.DataFrame(), PAIR_COLUMNS), _typed(pd.DataFrame(), COMPARISON_COLUMNS)
    standardisation = _typed(pd.DataFrame(), STANDARDISATION_COLUMNS)
    if settings is not None:
        reference = _reference_areas(config)
        features = _reference_features(reference, tuple(settings.kenmerken))
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


def _reference_areas(config: ProjectConfig) -> pd.DataFrame:
    settings = config.vergelijkbare_buurten
    assert settings is not None
    source = settings.referentie or config.sources.buurten
    where = "vergelijkbare_buurten.referentie" if settings.referentie is not None else "sources.buurten"
    if source.kind != "cbs_wijkbuurtkaart":
        raise SimilarityError(f"{where}: similar buurten need a CBS wijk- en buurtkaart (kind 'cbs_wijkbuurtkaart')")
    try:
        return read_cbs_areas(source.path, layer=source.layer, crs=source.crs, where=where).frame
    except SourceFilesError as error:
        raise SimilarityError(str(error)) from None


# Structure features of a reference kaart, per kaart (read once per process, so the same object) and kenmerken:
# the same for every gemeente of a run.
_FEATURES: dict[tuple[int, tuple[str, ...]], tuple[pd.DataFrame, pd.DataFrame]] = {}


def _reference_features(reference: pd.DataFrame, kenmerken: tuple[str, ...]) -> pd.DataFrame:
    key = (id(reference), kenmerken)
    cached = _FEATURES.get(key)
    if cached is None or cached[0] is not reference:  # an id is only reused after its object is gone
        if len(_FEATURES) >= 4:
            _FEATURES.clear()
        cached = _FEATURES[key] = (reference, structure_features(reference, kenmerken))
    return cached[1]


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
