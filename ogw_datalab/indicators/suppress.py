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
from ..maps.dutch import wijk_title
from ..storage import frame_to_temp_table, publish_temp_table, relation_kind, run_sql_file
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
            "SELECT g.indicator, g.gemeentecode, g.waarde, g.noemer, m.aggregation, g.reden AS reden_geen_waarde "
            "FROM indicators.gemeente AS g "
            "JOIN indicator_meta AS m USING (indicator) ORDER BY g.indicator"
        ).df(),
    }
    _add_inhabitants(con, frames)
    if relation_kind(con, "staging", "wijken") is not None:  # the reasons name a wijk by its name
        wijken = dict(con.execute("SELECT wijkcode, wijknaam FROM staging.wijken").fetchall())
        frames["wijk"]["wijknaam"] = frames["wijk"]["wijkcode"].map(wijken)
    frames["gemeente"]["reden"] = [
        ("bestaat alleen per buurt" if a == "geen" else None) for a in frames["gemeente"]["aggregation"]
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
        ``wijkcode``, ``teller`` and ``noemer``, the wijk frame may have ``wijknaam``; every frame has
        ``aggregation``, ``noemer`` (not for the gemeente) and ``inwoners``. ``reden`` is filled in place.
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
    Each numerator is handled on its own (:class:`~ogw_datalab.indicators.disclosure.NumeratorSystem`).
    For each withheld figure that can be recomputed, the published figures that pin it down (the
    binding constraints of the audit's linear programme) are candidates: those of its own wijk
    first, then the one that loses least, the smallest denominator (for a count: the fewest
    inhabitants). It is withheld, and again, until the figure is protected; candidates that turn
    out not to be needed are published again. Newly withheld figures must be protected in turn,
    so this goes on until nothing can be recomputed. Last, every extra figure is tried once more,
    largest first, and published again when nothing becomes recomputable.
    """
    for frame in frames.values():
        frame["reden"] = frame["reden"].astype(object).where(frame["reden"].notna(), None)
    buurten = frames["buurt"]
    known = buurten[["indicator", "buurtcode", "wijkcode", "teller", "noemer"]]
    names = {c: n for c, n in zip(buurten["buurtcode"], buurten["buurtnaam"], strict=True) if isinstance(n, str)}
    if "wijknaam" in frames["wijk"]:
        wijken = frames["wijk"]
        names |= {c: n for c, n in zip(wijken["wijkcode"], wijken["wijknaam"], strict=True) if isinstance(n, str)}
    wijk_of = dict(zip(buurten["buurtcode"], buurten["wijkcode"], strict=True))
    titles = {i.id: i.titel for i in catalogue.indicatoren}
    sizes = _sizes(frames)
    extra = 0
    for system in numerator_systems(_publication(frames), known, catalogue, privacy):
        for label, target in _suppress_numerator(system, sizes).items():
            _withhold(frames, label, _reason(target, names, wijk_of, titles))
            extra += 1
    return extra


def _sizes(frames: dict[str, pd.DataFrame]) -> dict[Label, float]:
    """Measure what withholding each figure loses: its denominator, or for a count its inhabitants."""
    sizes = {}
    for level, frame in frames.items():
        noemer = frame["noemer"] if "noemer" in frame else pd.Series(float("nan"), index=frame.index)
        for indicator, code, ratio, n, inwoners in zip(
            frame["indicator"],
            frame[KEYS[level]],
            frame["aggregation"] == "verhouding",
            noemer,
            frame["inwoners"],
            strict=True,
        ):
            sizes[(indicator, level, code)] = float(n) if ratio and not pd.isna(n) else float(inwoners)
    return sizes


def _suppress_numerator(system: NumeratorSystem, sizes: dict[Label, float]) -> dict[Label, tuple[Label, Interval]]:
    """Choose the extra figures of one numerator; per figure the figure it protects and the attack."""
    extra: dict[Label, tuple[Label, Interval]] = {}
    for _ in range(len(system.published) + 1):
        added = False
        order = sorted(system.withheld | set(extra), key=lambda label: (LEVELS.index(label[1]), label[2], label[0]))
        for label in order:
            interval = system.interval(label, also_withheld=frozenset(extra))
            if interval.recoverable:
                for cell, exposing in _cover(system, label, interval, frozenset(extra), sizes).items():
                    extra[cell] = (label, exposing)
                    added = True
        if not added:
            break
    else:
        raise DisclosureError("secondary suppression did not finish: every figure would have to be withheld")
    _publish_unneeded(system, extra, sorted(extra, key=lambda c: (sizes[c], LEVELS.index(c[1])), reverse=True))
    return extra


def _publish_unneeded(system: NumeratorSystem, extra: dict[Label, tuple[Label, Interval]], cells: list[Label]) -> None:
    """Publish again each of ``cells`` (in turn) that the other withheld figures make unneeded.

    A cell that stays names a figure it still protects. The one it was chosen for may have been published again
    after it, in this round: such cells are looked at once more, until each names a figure that is withheld.
    (A cell found needed stays needed: publishing others only narrows an attacker's intervals.)
    """
    while cells:
        for cell in cells:
            exposed = system.first_recoverable(also_withheld=frozenset(extra) - {cell}, first=extra[cell][0])
            if exposed is None:
                del extra[cell]  # published again: the others protect everything
            elif exposed[0] != extra[cell][0]:
                extra[cell] = exposed  # it protects another figure now
        withheld = system.withheld | set(extra)
        cells = [cell for cell, (target, _) in extra.items() if target not in withheld]


def _cover(
    system: NumeratorSystem, label: Label, interval: Interval, already: frozenset[Label], sizes: dict[Label, float]
) -> dict[Label, Interval]:
    """Choose published figures that, withheld as well, protect ``label``: smallest denominators first.

    Figures of one area that share the numerator (a count and its rate per 1,000 inhabitants) are
    withheld together: either one gives the other away. Returns per figure the interval (and so
    the attack) that it closes.
    """
    added: dict[Label, Interval] = {}
    current = interval
    while current.recoverable:
        taken = already | set(added)
        areas = {(s[1], s[2]) for s in current.sources if s in system.published and s not in taken}
        if not areas:  # the binding figures are all withheld already: widen the search
            areas = {(s[1], s[2]) for s in system.published if s not in taken}
        if not areas:
            raise DisclosureError(f"figure {label[2]} of '{label[0]}' cannot be protected by withholding more")
        for area in _next_areas(system, label, current, areas, sizes):
            for cell in system.published_in(*area):
                if cell not in taken:
                    added[cell] = current
        current = system.interval(label, also_withheld=already | frozenset(added))
    chosen = sorted({(c[1], c[2]) for c in added}, key=lambda a: (_area_size(system, a, sizes), LEVELS.index(a[0])))
    for area in reversed(chosen):
        trial = frozenset(c for c in added if (c[1], c[2]) != area)
        if not system.interval(label, also_withheld=already | trial).recoverable:
            added = {c: i for c, i in added.items() if c in trial}  # not needed after all
    return added


def _next_areas(
    system: NumeratorSystem,
    label: Label,
    interval: Interval,
    areas: set[tuple[str, str]],
    sizes: dict[Label, float],
) -> list[tuple[str, str]]:
    """Take the candidate areas in order (own wijk first, then smallest) until they seem enough.

    Buurten are taken together until their estimated room covers the missing width, so that a
    figure among small counts does not cost one programme per buurt; a total is taken alone.
    """
    ranked = sorted(
        areas,
        key=lambda a: (
            not system.near(label, *a),
            system.pinned(*a),
            _area_size(system, a, sizes),
            LEVELS.index(a[0]),
            a[1],
        ),
    )
    missing = interval.required - interval.width
    taken: list[tuple[str, str]] = []
    for area in ranked:
        room = system.room(label, interval, *area)
        if room is None:
            return taken or [area]
        taken.append(area)
        missing -= room
        if missing <= 0:
            break
    return taken


def _area_size(system: NumeratorSystem, area: tuple[str, str], sizes: dict[Label, float]) -> float:
    return min(sizes[cell] for cell in system.published_in(*area))


def _reason(
    target: tuple[Label, Interval], names: dict[str, str], wijk_of: dict[str, str], titles: dict[str, str]
) -> str:
    """Say in one plain sentence which withheld figure would otherwise be recomputed, and from what."""
    (indicator, niveau, code), interval = target
    what = {
        "buurt": f"buurt {names.get(code, code)}",
        "wijk": wijk_title(names.get(code, code), "wijk"),
        "gemeente": "de gemeente",
    }[niveau]
    parts: list[str] = []
    others: list[str] = []
    for source, source_level, source_code in sorted(interval.sources, key=lambda s: (-LEVELS.index(s[1]), s[2])):
        if source != indicator and titles.get(source, source) not in others:
            others.append(titles.get(source, source))
        if (source_level, source_code) == (niveau, code):
            continue  # the same area, through another indicator
        part = _source_phrase(niveau, code, source_level, source_code, wijk_of)
        if part not in parts:
            parts.append(part)
    sources = " en ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else (parts or ["de totalen"])[0]
    if others:
        sources += " (ook via " + ", ".join(f"'{t}'" for t in others) + ")"
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


def _withhold(frames: dict[str, pd.DataFrame], label: Label, reden: str | None) -> None:
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
        [
            {"indicator": i.id, "denominator": i.denominator, "aggregation": i.aggregation, "openbaar": i.openbaar}
            for i in catalogue.indicatoren
        ]
    )
    frame_to_temp_table(con, "indicator_meta", meta)


def _write(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, keys: list[str]) -> int:
    published = frame[["indicator", *keys]].copy()
    withheld = frame["reden"].notna()
    published["waarde"] = frame["waarde"].where(~withheld, None).astype(float)
    published["status"] = _status(frame)
    # A total that could not be computed (a buurt's count unknown) has no value, with the roll-up's reason.
    no_value = frame.get("reden_geen_waarde", pd.Series(None, index=frame.index, dtype=object))
    published["reden"] = frame["reden"].where(frame["reden"].notna(), no_value)
    frame_to_temp_table(con, "staged", published)
    return publish_temp_table(con, "staged", "indicators", name)
