"""Disclosure control: no figure about a small group is published, nor recoverable from totals.

Primary suppression withholds a figure when its area has too few inhabitants or its
denominator too few persons, homes, rows or respondents (``privacy`` in the configuration).
Secondary suppression then withholds more figures until the disclosure audit
(:mod:`ogw_datalab.indicators.disclosure`) finds no withheld figure that can be recomputed from
the published ones, exactly or within its protection width: through a wijk or gemeente total,
the difference of two totals, or a published rate times its denominator.
Only ``indicators.publicatie_*`` tables are published; they carry the value only (never the
numerator or denominator), with status ``onderdrukt`` and the reason where withheld.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..config import Privacy, ProjectConfig
from ..storage import frame_to_temp_table, publish_temp_table, run_sql_file
from .catalogue import Catalogue
from .disclosure import (
    LEVELS,
    PUBLISHED,
    WITHHELD,
    DisclosureError,
    Interval,
    Label,
    NumeratorSystem,
    numerator_systems,
)

SECONDARY = "aanvullend onderdrukt: anders is de onderdrukte waarde van {what} terug te rekenen uit {sources}"
KEYS = {"buurt": "buurtcode", "wijk": "wijkcode", "gemeente": "gemeentecode"}


def publish_indicators(con: duckdb.DuckDBPyConnection, config: ProjectConfig, catalogue: Catalogue) -> dict[str, int]:
    """Write ``indicators.publicatie_buurt``, ``publicatie_wijk`` and ``publicatie_gemeente``.

    Parameters
    ----------
    con
        Connection with ``indicators.buurt``, ``wijk``, ``gemeente`` and ``staging.buurten``.
    config
        The project configuration; ``privacy`` holds the thresholds.
    catalogue
        The indicator catalogue.

    Returns
    -------
    dict
        Rows per publication table, ``onderdrukt_buurt`` (withheld buurt figures) and
        ``aanvullend_onderdrukt`` (figures withheld only so that others cannot be recomputed).
    """
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
    frames = {
        "buurt": con.execute("SELECT * FROM buurt_kandidaten ORDER BY indicator, buurtcode").df(),
        "wijk": con.execute("SELECT * FROM wijk_kandidaten ORDER BY indicator, wijkcode").df(),
        "gemeente": con.execute(
            "SELECT g.indicator, g.gemeentecode, g.waarde, g.noemer, m.aggregatie FROM indicators.gemeente AS g "
            "JOIN indicator_meta AS m USING (indicator) ORDER BY g.indicator"
        ).df(),
    }
    _add_inhabitants(con, frames)
    frames["gemeente"]["reden"] = [
        ("bestaat alleen per buurt" if a == "geen" else None) for a in frames["gemeente"]["aggregatie"]
    ]
    extra = suppress_until_safe(frames, catalogue, privacy)
    counts = {}
    for name, level, keys in (
        ("publicatie_buurt", "buurt", ["buurtcode", "buurtnaam", "wijkcode"]),
        ("publicatie_wijk", "wijk", ["wijkcode"]),
        ("publicatie_gemeente", "gemeente", ["gemeentecode"]),
    ):
        counts[name] = _write(con, name, frames[level], keys)
    counts["onderdrukt_buurt"] = int(frames["buurt"]["reden"].notna().sum())
    counts["aanvullend_onderdrukt"] = extra
    return counts


def suppress_until_safe(frames: dict[str, pd.DataFrame], catalogue: Catalogue, privacy: Privacy) -> int:
    """Withhold more figures until no withheld figure can be recomputed; return how many.

    Parameters
    ----------
    frames
        Per level (buurt, wijk, gemeente) the figures with ``indicator``, the area code,
        ``waarde`` and ``reden`` (set where withheld); the buurt frame also has ``buurtnaam``,
        ``wijkcode``, ``teller`` and ``noemer``; every frame has ``aggregatie``, ``noemer`` (not
        for the gemeente) and ``inwoners``. ``reden`` is filled in place.
    catalogue
        The indicator catalogue.
    privacy
        The privacy thresholds.

    Returns
    -------
    int
        The number of figures withheld here.

    Notes
    -----
    Each round audits every numerator whose figures changed. For each withheld figure that can
    still be recomputed, the published figures that pin it down (the binding constraints of the
    audit's linear programme) are candidates; the one that loses least, the smallest denominator
    (for a count: the fewest inhabitants), is withheld, and again, until the figure is protected. Candidates that
    turn out not to be needed are then published again, largest first. Newly withheld figures
    must be protected in turn, so the rounds go on until an audit finds nothing.
    """
    for level, frame in frames.items():
        frame["reden"] = frame["reden"].astype(object).where(frame["reden"].notna(), None)
        frames[level] = frame
    buurten = frames["buurt"]
    known = buurten[["indicator", "buurtcode", "wijkcode", "teller", "noemer"]]
    names = dict(zip(buurten["buurtcode"], buurten["buurtnaam"], strict=True))
    wijk_of = dict(zip(buurten["buurtcode"], buurten["wijkcode"], strict=True))
    titles = {i.id: i.titel for i in catalogue.indicatoren}
    sizes = _sizes(frames)
    pending: set[str] | None = None
    extra = 0
    for _ in range(sum(len(f) for f in frames.values()) + 1):
        changed: set[str] = set()
        for system in numerator_systems(_publication(frames), known, catalogue, privacy, indicators=pending):
            for label, target in _protect(system, sizes).items():
                _withhold(frames, label, _reason(target, system, names, wijk_of, titles))
                changed |= {i.id for i in system.members}
                extra += 1
        if not changed:
            return extra
        pending = changed
    raise DisclosureError("secondary suppression did not finish: every figure would have to be withheld")


def _sizes(frames: dict[str, pd.DataFrame]) -> dict[Label, float]:
    """Measure what withholding each figure loses: its denominator, or for a count its inhabitants."""
    sizes = {}
    for level, frame in frames.items():
        noemer = frame["noemer"] if "noemer" in frame else pd.Series(float("nan"), index=frame.index)
        for indicator, code, ratio, n, inwoners in zip(
            frame["indicator"],
            frame[KEYS[level]],
            frame["aggregatie"] == "verhouding",
            noemer,
            frame["inwoners"],
            strict=True,
        ):
            sizes[(indicator, level, code)] = float(n) if ratio and not pd.isna(n) else float(inwoners)
    return sizes


def _protect(system: NumeratorSystem, sizes: dict[Label, float]) -> dict[Label, tuple[Label, Interval]]:
    """Choose figures to withhold so that each withheld figure of the system is protected.

    Returns per extra figure the figure it protects and the attacker's interval that it closes.
    """
    chosen: dict[Label, tuple[Label, Interval]] = {}
    order = sorted(system.withheld, key=lambda label: (LEVELS.index(label[1]), label[2], label[0]))
    for label in order:
        interval = system.interval(label, also_withheld=frozenset(chosen))
        if interval.recoverable:
            for cell, exposing in _cover(system, label, interval, frozenset(chosen), sizes).items():
                chosen[cell] = (label, exposing)
    return chosen


def _cover(
    system: NumeratorSystem, label: Label, interval: Interval, already: frozenset[Label], sizes: dict[Label, float]
) -> dict[Label, Interval]:
    """Choose published figures that, withheld as well, protect ``label``: smallest denominators first.

    Returns per figure the interval (and so the attack) that it closes.
    """
    added: dict[Label, Interval] = {}
    current = interval
    while current.recoverable:
        taken = already | set(added)
        candidates = [s for s in current.sources if s in system.published and s not in taken]
        if not candidates:  # the binding figures are all withheld already: widen the search
            candidates = [s for s in system.published if s not in taken]
        if not candidates:
            raise DisclosureError(f"figure {label[2]} of '{label[0]}' cannot be protected by withholding more")
        added[min(candidates, key=lambda s: (sizes[s], LEVELS.index(s[1]), s[2], s[0]))] = current
        current = system.interval(label, also_withheld=already | frozenset(added))
    for cell in sorted(added, key=lambda s: (sizes[s], LEVELS.index(s[1])), reverse=True):
        trial = frozenset(added) - {cell}
        if not system.interval(label, also_withheld=already | trial).recoverable:
            del added[cell]  # not needed after all
    return added


def _reason(
    target: tuple[Label, Interval],
    system: NumeratorSystem,
    names: dict[str, str],
    wijk_of: dict[str, str],
    titles: dict[str, str],
) -> str:
    """Say in one plain sentence which withheld figure would otherwise be recomputed, and from what."""
    (indicator, niveau, code), interval = target
    what = {"buurt": f"buurt {names.get(code) or code}", "wijk": f"wijk {code}", "gemeente": "de gemeente"}[niveau]
    parts: list[str] = []
    for source, source_level, source_code in sorted(interval.sources, key=lambda s: (-LEVELS.index(s[1]), s[2])):
        if source_code == code and source_level == niveau:
            part = f"de gepubliceerde '{titles.get(source, source)}' van dezelfde {niveau}"
        else:
            part = _source_phrase(niveau, code, source_level, source_code, wijk_of)
            if source != indicator:
                part += f" van '{titles.get(source, source)}'"
        if part not in parts:
            parts.append(part)
    sources = " en ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else (parts or ["de totalen"])[0]
    return SECONDARY.format(what=what, sources=sources)


def _source_phrase(niveau: str, code: str, source_level: str, source_code: str, wijk_of: dict[str, str]) -> str:
    if source_level == "gemeente":
        return "het gemeentetotaal"
    if source_level == "wijk":
        own = source_code == (wijk_of.get(code) if niveau == "buurt" else code)
        return "het wijktotaal" if own else "de wijken"
    return "de andere buurten" if niveau == "buurt" else "de buurten"


def _publication(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return what would be published: one long frame, as the audit reads it from the tables."""
    parts = []
    for level, frame in frames.items():
        withheld = frame["reden"].notna()
        parts.append(
            pd.DataFrame(
                {
                    "indicator": frame["indicator"],
                    "niveau": level,
                    "code": frame[KEYS[level]],
                    "wijkcode": frame["wijkcode"] if "wijkcode" in frame else None,
                    "waarde": frame["waarde"].where(~withheld, None).astype(float),
                    "status": _status(frame),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _status(frame: pd.DataFrame) -> list[str]:
    return [
        WITHHELD if r is not None else ("geen waarde" if pd.isna(v) else PUBLISHED)
        for r, v in zip(frame["reden"], frame["waarde"], strict=True)
    ]


def _withhold(frames: dict[str, pd.DataFrame], label: Label, reden: str) -> None:
    indicator, niveau, code = label
    frame = frames[niveau]
    rows = (frame["indicator"] == indicator) & (frame[KEYS[niveau]] == code)
    frame.loc[rows, "reden"] = reden


def _add_inhabitants(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """Add the inhabitants per area (unknown counts as 0): what withholding a count there loses."""
    areas = con.execute("SELECT buurtcode, wijkcode, coalesce(aantal_inwoners, 0) AS n FROM staging.buurten").df()
    per_level = {
        "buurt": areas.set_index("buurtcode")["n"],
        "wijk": areas.groupby("wijkcode")["n"].sum(),
    }
    for level, frame in frames.items():
        if level == "gemeente":
            frame["inwoners"] = float(areas["n"].sum())
        else:
            frame["inwoners"] = frame[KEYS[level]].map(per_level[level]).fillna(0.0).astype(float)


def _register_meta(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> None:
    meta = pd.DataFrame(
        [{"indicator": i.id, "noemer_soort": i.noemer_soort, "aggregatie": i.aggregatie} for i in catalogue.indicatoren]
    )
    frame_to_temp_table(con, "indicator_meta", meta)


def _write(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, keys: list[str]) -> int:
    published = frame[["indicator", *keys]].copy()
    withheld = frame["reden"].notna()
    published["waarde"] = frame["waarde"].where(~withheld, None).astype(float)
    published["status"] = _status(frame)
    published["reden"] = frame["reden"]
    frame_to_temp_table(con, "staged", published)
    return publish_temp_table(con, "staged", "indicators", name)
