"""Data checks that guard publication (run as Dagster asset checks; the blocking ones stop the maps).

Each check returns a :class:`CheckOutcome` whose metadata says what failed, with examples.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb

from .config import Privacy, ProjectConfig
from .indicators.catalogue import Catalogue
from .indicators.compare import MIN_DISTINCT_VALUES, indistinct_reason
from .indicators.disclosure import recoverable_withheld_cells
from .init.choose_sources import MIN_ADDRESS_SHARE  # the rule by which init leaves a sample of addresses out
from .storage import query_row, relation_kind

EXAMPLES = 5
CBS_ROUNDING = 5  # CBS rounds buurt and wijk inhabitants to 5


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one data check: whether it passed, a short description and metadata such as examples."""

    passed: bool
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)


def _examples(con: duckdb.DuckDBPyConnection, sql: str, parameters: Any = None) -> list:
    rows = con.execute(sql, parameters).fetchall() if parameters is not None else con.execute(sql).fetchall()
    return [row[0] if len(row) == 1 else list(row) for row in rows[:EXAMPLES]]


def buurtcodes_unique_and_complete(con: duckdb.DuckDBPyConnection, config: ProjectConfig) -> CheckOutcome:
    """Every buurt has a code BU + the gemeente's digits + 4 digits, once, and a wijkcode of that gemeente."""
    prefix = f"BU{config.gemeente.digits}"
    total, doubles, malformed, no_wijk = query_row(
        con,
        "SELECT count(*), count(*) - count(DISTINCT buurtcode), "
        "count(*) FILTER (WHERE NOT regexp_full_match(coalesce(buurtcode, ''), $pattern)), "
        "count(*) FILTER (WHERE wijkcode IS NULL OR NOT starts_with(wijkcode, $wijk)) FROM staging.buurten",
        {"pattern": prefix + "[0-9]{4}", "wijk": f"WK{config.gemeente.digits}"},
    )
    bad = _examples(
        con,
        "SELECT buurtcode FROM staging.buurten WHERE NOT regexp_full_match(coalesce(buurtcode, ''), "
        "$pattern) OR wijkcode IS NULL ORDER BY 1",
        {"pattern": prefix + "[0-9]{4}"},
    )
    passed = total > 0 and doubles == 0 and malformed == 0 and no_wijk == 0
    return CheckOutcome(
        passed,
        f"{total} buurten, {doubles} duplicate codes, {malformed} malformed, {no_wijk} without wijk",
        {"buurten": total, "duplicates": doubles, "malformed": malformed, "examples": bad},
    )


def buurt_geometries_valid_and_in_the_netherlands(con: duckdb.DuckDBPyConnection) -> CheckOutcome:
    """Every buurt polygon is valid, has area, and lies in the Netherlands (RD New bounds)."""
    invalid = _examples(
        con, "SELECT buurtcode FROM staging.buurten WHERE NOT ST_IsValid(geometry) OR ST_Area(geometry) <= 0 ORDER BY 1"
    )
    outside = _examples(
        con,
        "SELECT buurtcode FROM staging.buurten WHERE ST_XMin(geometry) < -7000 OR "
        "ST_XMax(geometry) > 300000 OR ST_YMin(geometry) < 289000 OR ST_YMax(geometry) > 629000 ORDER BY 1",
    )
    passed = not invalid and not outside
    return CheckOutcome(
        passed,
        f"{len(invalid)} invalid or empty, {len(outside)} outside the Netherlands",
        {"invalid_examples": invalid, "outside_examples": outside},
    )


def buurten_have_inhabitants_or_are_marked(con: duckdb.DuckDBPyConnection, config: ProjectConfig) -> CheckOutcome:
    """Check that every buurt without a known number of inhabitants is listed in parameters.onbewoonde_buurten."""
    unknown = _examples(
        con,
        "SELECT buurtcode FROM staging.buurten WHERE aantal_inwoners IS NULL "
        "AND NOT list_contains($marked, buurtcode) ORDER BY 1",
        {"marked": list(config.parameters.onbewoonde_buurten)},
    )
    return CheckOutcome(
        not unknown,
        f"{len(unknown)} buurten without inhabitants that are not marked uninhabited",
        {"examples": unknown, "marked_uninhabited": len(config.parameters.onbewoonde_buurten)},
    )


def buurt_totals_reconcile_with_wijken(con: duckdb.DuckDBPyConnection, config: ProjectConfig) -> CheckOutcome:
    """Inhabitants of the buurten add up to those of their wijk, within CBS rounding (5 per buurt)."""
    if config.indeling("buurten") != config.indeling("wijken"):
        return CheckOutcome(True, "wijken are of another gebiedsindeling: not comparable", {"skipped": True})
    rows = con.execute(
        """SELECT w.wijkcode, w.aantal_inwoners, sum(b.aantal_inwoners), count(b.buurtcode)
           FROM staging.wijken AS w JOIN staging.buurten AS b USING (wijkcode)
           WHERE w.aantal_inwoners IS NOT NULL GROUP BY ALL ORDER BY 1"""
    ).fetchall()
    off = [
        [w, total, summed]
        for w, total, summed, n in rows
        if summed is not None and abs(total - summed) > CBS_ROUNDING * n
    ]
    return CheckOutcome(
        not off,
        f"{len(off)} of {len(rows)} wijken whose buurten do not add up",
        {"examples (wijk, wijk total, sum of buurten)": off[:EXAMPLES]},
    )


def partner_match_rates_above_threshold(con: duckdb.DuckDBPyConnection, config: ProjectConfig) -> CheckOutcome:
    """Every partner file places at least its min_koppelpercentage of rows; otherwise something is wrong with it.

    The rate is over the rows that belong to the gemeente (rows of other gemeenten are left out
    before it is computed). Without partners the check passes; it never assumes that the
    partner tables exist, because a configuration without partners never creates them.
    """
    if not config.partners:
        return CheckOutcome(True, "no partners configured", {"rates": {}})
    names = [p.naam for p in config.partners]
    rates: dict[str, float] = {}
    if _table_exists(con, "joined", "partners"):
        rates = dict(
            con.execute(
                "SELECT partner, match_rate FROM joined.partners WHERE list_contains($names, partner)", {"names": names}
            ).fetchall()
        )
    low = [
        [p.naam, rates.get(p.naam), p.min_koppelpercentage]
        for p in config.partners
        if (rates.get(p.naam) or 0.0) < p.min_koppelpercentage
    ]
    reasons = []
    if _table_exists(con, "joined", "quarantaine_partners"):
        reasons = _examples(
            con,
            "SELECT partner || ': ' || reden || ' (' || count(*) || ' rijen)' FROM joined.quarantaine_partners "
            "WHERE list_contains($names, partner) GROUP BY partner, reden ORDER BY count(*) DESC, 1",
            {"names": names},
        )
    return CheckOutcome(
        not low,
        f"{len(low)} partners below their minimum match rate",
        {"below (partner, rate, minimum)": low, "rates": rates, "quarantine": reasons},
    )


def addresses_cover_the_gemeente(con: duckdb.DuckDBPyConnection, config: ProjectConfig) -> CheckOutcome:
    """Check that the BAG addresses in the buurten are at least :data:`MIN_ADDRESS_SHARE` of the households (CBS).

    Fewer means a part of the gemeente (a sample of a few streets, one district's extract): distances from homes
    would be those of that part, and partner rows keyed by address or postcode elsewhere would be left out as
    another gemeente's, without lowering the match rate.
    """
    if config.bronnen.adressen is None:
        return CheckOutcome(True, "no BAG addresses configured", {"skipped": True})
    addresses, households = con.execute(
        "SELECT (SELECT count(*) FROM joined.adressen_buurt WHERE buurtcode IS NOT NULL), "
        "(SELECT sum(aantal_huishoudens) FROM staging.buurten)"
    ).fetchone() or (0, None)
    if not households:
        return CheckOutcome(True, "the CBS kaart gives no households to compare with", {"skipped": True})
    without = _examples(
        con,
        "SELECT buurtnaam || ' (' || CAST(aantal_huishoudens AS BIGINT) || ' households)' FROM staging.buurten AS b "
        "WHERE aantal_huishoudens >= 50 AND NOT EXISTS "
        "(SELECT 1 FROM joined.adressen_buurt AS a WHERE a.buurtcode = b.buurtcode) "
        "ORDER BY aantal_huishoudens DESC, buurtnaam",
    )
    share = addresses / households
    return CheckOutcome(
        share >= MIN_ADDRESS_SHARE,
        f"the BAG addresses hold {addresses:,} addresses in the gemeente's buurten, {share:.0%} of its "
        f"{households:,.0f} households (CBS): a part of the gemeente? Distances from homes are then those of that "
        "part, and partner rows by address or postcode outside it are left out as another gemeente's; e.g. no "
        f"address in {', '.join(without) or 'none'}",
        {"addresses": addresses, "households": households, "buurten without addresses (examples)": without},
    )


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return relation_kind(con, schema, table) is not None


def sources_fresh(config: ProjectConfig, today: dt.date | None = None) -> CheckOutcome:
    """Each source with an update cycle (verversing_dagen) is younger than that cycle."""
    today = today or dt.date.today()
    stale = []
    for key, source in config.all_sources().items():
        if source.verversing_dagen is None or not source.pad.exists():
            continue
        changed = dt.date.fromtimestamp(source.pad.stat().st_mtime)
        age = (today - changed).days
        if age > source.verversing_dagen:
            stale.append([key, str(changed), f"{age} > {source.verversing_dagen} dagen"])
    return CheckOutcome(not stale, f"{len(stale)} sources older than their update cycle", {"stale": stale})


def withheld_values_not_recoverable(
    con: duckdb.DuckDBPyConnection, catalogue: Catalogue, privacy: Privacy
) -> CheckOutcome:
    """Check that no withheld figure can be recomputed from the published ones (the disclosure proof).

    Parameters
    ----------
    con
        Connection to the build's database (read-only is enough).
    catalogue
        The indicator catalogue of the build.
    privacy
        The privacy thresholds (``min_noemer`` sets the protection width).

    Returns
    -------
    CheckOutcome
        Passed when :func:`~ogw_datalab.indicators.disclosure.recoverable_withheld_cells` finds
        nothing. The metadata counts the withheld figures and the recoverable ones (``exact``:
        the value itself can be worked out) and gives examples by indicator, level and code,
        with the published figures that pin them down; never the recovered value itself.
    """
    found = recoverable_withheld_cells(con, catalogue, privacy)
    withheld = query_row(
        con,
        "SELECT (SELECT count(*) FROM indicators.publicatie_buurt WHERE status = 'onderdrukt') "
        "+ (SELECT count(*) FROM indicators.publicatie_wijk WHERE status = 'onderdrukt') "
        "+ (SELECT count(*) FROM indicators.publicatie_gemeente WHERE status = 'onderdrukt')",
    )[0]
    exact = sum(1 for f in found if f["exact"])
    examples = [
        {k: f[k] for k in ("indicator", "niveau", "code", "exact", "breedte", "vereiste_breedte", "bronnen")}
        for f in found[:EXAMPLES]
    ]
    return CheckOutcome(
        not found,
        f"{len(found)} of {withheld} withheld figures can be recomputed from the published ones ({exact} exactly)",
        {"withheld": withheld, "recoverable": len(found), "exact": exact, "examples": examples},
    )


def indicators_tell_buurten_apart(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> CheckOutcome:
    """Every indicator's published buurt values take at least three distinct values (as published).

    An indicator that cannot tell the buurten apart (the same value everywhere, or only two
    values) gets no rank on the maps and is left out of the opgave scores; this check says
    which, so that the data team can look at its inputs.

    Parameters
    ----------
    con
        The build's database, with ``indicators.publicatie_buurt`` written.
    catalogue
        The indicator catalogue (decimals of each indicator).

    Returns
    -------
    CheckOutcome
        Passed when no indicator is flagged; the metadata lists each flagged indicator with its reason.
    """
    published = con.execute("SELECT indicator, waarde FROM indicators.publicatie_buurt").df()
    flagged = []
    for indicator in catalogue.indicatoren:
        values = published.loc[published["indicator"] == indicator.id, "waarde"]
        reason = indistinct_reason(values, indicator.decimalen)
        if reason is not None:
            flagged.append([indicator.id, reason])
    named = "; ".join(f"{indicator} ({reason})" for indicator, reason in flagged[:EXAMPLES])
    more = f"; and {len(flagged) - EXAMPLES} more" if len(flagged) > EXAMPLES else ""
    return CheckOutcome(
        not flagged,
        f"{len(flagged)} of {len(catalogue.indicatoren)} indicators cannot tell the buurten apart "
        f"(fewer than {MIN_DISTINCT_VALUES} distinct published values): no rank, not in any opgave score: "
        f"{named}{more}",
        {"indicators (id, reason)": flagged},
    )
