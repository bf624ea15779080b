"""Vergelijkbare buurten, the method: per buurt the buurten elsewhere most alike in structure, and how it compares.

"How do our buurten compare with similar buurten elsewhere?" The structure of a buurt is a
handful of CBS kerncijfers (density, age shares, household size, stedelijkheid, chosen in
the configuration under ``vergelijkbare_buurten.kenmerken``); the most similar buurten are its
nearest neighbours in that space after standardising every feature; per indicator the buurt's
published value is set against theirs ("hoger dan 8 van 10 vergelijkbare buurten").

Pure functions on data frames, in the order a build uses them: :func:`structure_features` (the
kaart's columns to features), :func:`standardise_features`, :func:`find_nearest` (both inside
:func:`find_similar_buurten`), :func:`kaart_values` and :func:`compare_with_similar`. Nothing here
reads a file or a database: :mod:`.read_reference` loads the reference kaart into
``raw.vergelijkbare_buurten_referentie`` and :mod:`.store_similar_buurten` writes the build's tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..config import ProjectConfig
from ..readers.read_areas import SENTINEL_MAX
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
        One row per buurt and similar buurt (the columns of :func:`find_nearest`).
    standardisation
        Per feature: ``kenmerk``, ``beschrijving``, ``transformatie``, ``gemiddelde``, ``standaardafwijking``,
        ``buurten``.
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
    z, standardisation = standardise_features(eligible, kenmerken)
    subjects = _subjects(eligible, features, buurtcodes)
    pairs = find_nearest(eligible, z, subjects, aantal=aantal, zelfde_gemeente=zelfde_gemeente)
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
    present = values["indicator"].notna() & values["buurtcode"].notna()
    known = values[present].drop_duplicates(["indicator", "buurtcode"])  # the first value of a buurt counts
    indicators = sorted(known["indicator"].unique())
    if not indicators:
        columns = ["buurtcode", "indicator", "waarde", "mediaan_vergelijkbaar", "vergelijkbaar_met_waarde"]
        return pd.DataFrame(columns=[*columns, "lager", "hoger", "tekst", "reden"])
    codes = pd.Index(known["buurtcode"].unique())
    # One row per indicator, one column per buurt with a value, and a last column of nothing for any other buurt.
    table = np.full((len(indicators), len(codes) + 1), np.nan)
    table[pd.Index(indicators).get_indexer(known["indicator"]), codes.get_indexer(known["buurtcode"])] = pd.to_numeric(
        known["waarde"], errors="coerce"
    ).to_numpy(dtype=float)
    own = table[:, codes.get_indexer(subjects)]
    others = table[:, codes.get_indexer(neighbours.ravel())].reshape(len(indicators), *neighbours.shape)
    return _compare(indicators, subjects, own, others, min_met_waarde)


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
    partners = {p.naam: p for p in config.partners if p.soort == "cbs_wijkbuurtkaart"}
    frames = []
    for indicator in catalogue.indicatoren:
        formule, column = indicator.formule, None
        if formule.formula.copies == "kaart" and formule.kolom in KERNCIJFER_COLUMNS:
            column = _find(areas, KERNCIJFER_COLUMNS[formule.kolom], formule.kolom)
        elif formule.formula.copies == "partner" and formule.partner in partners and formule.kolom:
            column = _find(areas, (partners[formule.partner].kolommen[formule.kolom],), formule.kolom)
        if column is None:
            continue
        values = _cbs_number(areas[column]).where(publishable)
        frames.append(pd.DataFrame({"indicator": indicator.id, "buurtcode": codes.to_numpy(), "waarde": values}))
    if not frames:
        return pd.DataFrame(columns=["indicator", "buurtcode", "waarde"])
    return pd.concat(frames, ignore_index=True)


def kaart_columns(columns: Sequence[str], config: ProjectConfig) -> list[str]:
    """Return the columns of a CBS kaart that :func:`structure_features` and :func:`kaart_values` read for ``config``.

    Parameters
    ----------
    columns
        The kaart's columns, older (``BU_CODE``) or newer (``buurtcode``) names.
    config
        The configuration: its ``vergelijkbare_buurten.kenmerken`` (all of :data:`FEATURES` without it), and
        the columns its partners of kind ``cbs_wijkbuurtkaart`` take from the kaart.

    Returns
    -------
    list of str
        Those of ``columns`` (compared case-insensitively) that name an identity, a chosen structure feature, a
        kerncijfer or a partner's column, in the kaart's order.
    """
    settings = config.vergelijkbare_buurten
    chosen = [FEATURES[k] for k in settings.kenmerken] if settings is not None else list(FEATURES.values())
    known = [*IDENTITY.values(), *(f.columns for f in chosen), *KERNCIJFER_COLUMNS.values()]
    wanted = {name.lower() for names in known for name in names}
    wanted |= {c.lower() for p in config.partners if p.soort == "cbs_wijkbuurtkaart" for c in p.kolommen.values()}
    return [c for c in columns if str(c).lower() in wanted]


def _find(frame: pd.DataFrame, candidates: Sequence[str], ours: str) -> str:
    by_lower = {str(c).lower(): str(c) for c in frame.columns}
    for candidate in candidates:
        if candidate.lower() in by_lower:
            return by_lower[candidate.lower()]
    raise SimilarityError(f"the reference buurten have no column for '{ours}' (looked for {list(candidates)})")


def _cbs_number(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    return numbers.where(numbers > SENTINEL_MAX)


def standardise_features(eligible: pd.DataFrame, kenmerken: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    r"""Transform and standardise the features of the buurten that are searched, so that each weighs the same.

    Parameters
    ----------
    eligible
        The reference buurten that can be compared (every feature known, enough inhabitants), one
        column per feature as :func:`structure_features` gives it.
    kenmerken
        The features, in the order of the columns of the result.

    Returns
    -------
    z : numpy.ndarray
        One row per buurt of ``eligible``, one column per feature: its standard score.
    standardisation : pandas.DataFrame
        Per feature ``kenmerk``, ``beschrijving``, ``transformatie``, ``gemiddelde``,
        ``standaardafwijking`` and ``buurten``.

    Raises
    ------
    SimilarityError
        When a feature has the same value in every buurt (its standard deviation is 0).

    Notes
    -----
    With :math:`t(x) = \log_{10}(1 + \max(x, 0))` for densities and :math:`t(x) = x` otherwise,
    :math:`z_{ik} = (t(x_{ik}) - \bar{t}_k) / s_k`, where :math:`\bar{t}_k` and :math:`s_k` are the mean and the
    sample standard deviation (:math:`n - 1`) of :math:`t(x_{\cdot k})` over ``eligible``.
    """
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


def find_nearest(
    eligible: pd.DataFrame, z: np.ndarray, subjects: np.ndarray, *, aantal: int, zelfde_gemeente: bool
) -> pd.DataFrame:
    r"""For every subject the ``aantal`` nearest buurten of ``eligible`` in the standardised space.

    Parameters
    ----------
    eligible
        The buurten searched, sorted by ``buurtcode``, with ``buurtcode``, ``buurtnaam``,
        ``gemeentecode`` and ``gemeentenaam``.
    z
        Their standard scores (:func:`standardise_features`), row for row.
    subjects
        Positions in ``eligible`` of the buurten to find neighbours for, ascending.
    aantal
        Neighbours per subject.
    zelfde_gemeente
        Whether a neighbour may lie in the subject's own gemeente.

    Returns
    -------
    pandas.DataFrame
        ``buurtcode``, ``rang``, ``vergelijkbare_buurtcode``, ``vergelijkbare_buurtnaam``,
        ``vergelijkbare_gemeentecode``, ``vergelijkbare_gemeentenaam`` and ``afstand`` (rounded to
        4 decimals), by subject and rank.

    Notes
    -----
    The distance is Euclidean, :math:`d_{ij} = \sqrt{\sum_k (z_{ik} - z_{jk})^2}`; the neighbours of
    :math:`i` are the nearest :math:`j \ne i` (outside :math:`i`'s gemeente unless ``zelfde_gemeente``),
    equal distances (to 12 decimals) by buurtcode. A k-d tree is asked for the :math:`3 \cdot aantal + 1`
    nearest first; a subject with too few allowed among them (most of them in its own gemeente) is
    asked again with four times as many, until it has ``aantal`` or every buurt was looked at.
    """
    tree = cKDTree(z)
    gemeente = eligible["gemeentecode"].to_numpy()
    nothing = np.array([], dtype=int)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = [(nothing, nothing, nothing, np.array([]))]
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


def _compare(
    indicators: list[str], subjects: np.ndarray, own: np.ndarray, others: np.ndarray, min_met_waarde: int
) -> pd.DataFrame:
    """Compare ``own`` values (indicator × buurt) with ``others`` (indicator × buurt × similar buurt), row by row."""
    n = np.sum(~np.isnan(others), axis=2)
    with np.errstate(invalid="ignore"):
        lower = np.sum(others < own[:, :, None], axis=2)
        higher = np.sum(others > own[:, :, None], axis=2)
    median = np.full(own.shape, np.nan)
    some = n > 0
    median[some] = np.nanmedian(others[some], axis=1)
    comparable = ~np.isnan(own) & (n >= min_met_waarde)
    texts: list[str | None] = []
    reasons: list[str | None] = []
    for value, count, below, above, fits in zip(
        own.ravel(), n.ravel(), lower.ravel(), higher.ravel(), comparable.ravel(), strict=True
    ):
        if np.isnan(value):
            texts.append(None)
            reasons.append("geen gepubliceerde waarde in deze buurt")
        elif not fits:
            texts.append(None)
            reasons.append(f"te weinig vergelijkbare buurten met een waarde ({count} van {others.shape[2]})")
        else:
            texts.append(_sentence(int(below), int(above), int(count)))
            reasons.append(None)
    flat = comparable.ravel()
    return pd.DataFrame(
        {
            "buurtcode": np.tile(subjects, len(indicators)),
            "indicator": np.repeat(np.array(indicators, dtype=object), len(subjects)),
            "waarde": own.ravel(),
            "mediaan_vergelijkbaar": np.where(flat, median.ravel(), np.nan),
            "vergelijkbaar_met_waarde": n.ravel(),
            "lager": pd.Series(lower.ravel(), dtype="Int64").where(flat),
            "hoger": pd.Series(higher.ravel(), dtype="Int64").where(flat),
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
