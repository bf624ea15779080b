r"""Disclosure audit: proof that no withheld figure can be recomputed from what is published.

The audit reads every publication table of one build together (``indicators.publicatie_buurt``,
``publicatie_wijk`` and ``publicatie_gemeente``) and, per numerator, sets up the linear system an
attacker could solve over the hierarchy buurt ⊂ wijk ⊂ gemeente. For every withheld figure it
computes by linear programming the smallest and the largest numerator that agree with everything
published; the figure can be recomputed when that interval is narrower than its protection width.
:func:`recoverable_withheld_cells` reads the tables as written to the database, never the
bookkeeping of the suppression, so that it can stop a publication as a blocking check. The
suppression (:mod:`ogw_datalab.indicators.suppress`) uses the same :class:`NumeratorSystem` on its
publication in memory to choose what more to withhold. One database holds one gemeente.

Notes
-----
The unknowns are the numerators :math:`t_b` of the buurten; how a formula type's numerator is read
is declared in its registry entry (:class:`~ogw_datalab.indicators.formulas.Disclosure`). Indicators
that count the same thing share the unknowns: points of one layer counted, per 1,000 inhabitants
and per km² are one count (their types share a ``numerator``). Each published figure over the
buurten :math:`A` it covers (one buurt, a wijk, the gemeente; buurten whose numerator is NULL are
left out, as in the roll-up) is a linear constraint:

- ``som``: :math:`v = \sum_{b \in A} t_b`;
- ``verhouding``: :math:`v = s \sum_{b \in A} t_b / \sum_{b \in A} n_b`. The denominators
  :math:`n_b` are taken to be public knowledge (inhabitants and homes are published by CBS and the
  BAG), so :math:`\sum_{b \in A} t_b = v \sum_{b \in A} n_b / s`. This also covers a count
  recovered as a published rate times its published denominator;
- ``geen``: the figure is not added up, so there is nothing to recompute.

A value equal to itself rounded to the indicator's ``decimalen`` is read as that rounding:
:math:`v \pm \tfrac12 10^{-d}` (buurt values are rounded, wijk and gemeente values are not). A
count is a whole number, so the interval of a summed count is narrowed to the whole numbers in it
(a rate of 4.6 per 1,000 over 655 inhabitants holds 2.98 to 3.05 playgrounds: exactly 3).
Bounds known beforehand: :math:`t_b \ge 0` when no numerator is negative; :math:`t_b \le n_b` for
shares; a value at its type's cap (a canopy of 100 %) only says :math:`t_b \ge n_b`.

For a withheld figure over buurten :math:`S` the attacker's interval is
:math:`[\min \sum_{b \in S} t_b, \max \sum_{b \in S} t_b]` under all constraints. It must be at
least as wide as the protection width

.. math:: w_S = \min\bigl(w_0, (U_S - L_S) / 2\bigr)

where :math:`[L_S, U_S]` is the interval the bounds alone allow, :math:`w_0` = ``min_noemer`` for a
numerator that counts (persons, homes, rows, points) and ``min_noemer`` times the gemeente's mean
numerator per unit of denominator for one that measures (m², metres, a partner column). A count is
an integer, so its interval is measured between the integers it holds: width 0 is exact recovery.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from scipy import sparse

from ..config import Privacy
from ..storage import read_sql_file
from .catalogue import Catalogue, Indicator
from .linear_programme import LinearProgramme

PUBLISHED = "gepubliceerd"
WITHHELD = "onderdrukt"
LEVELS = ("buurt", "wijk", "gemeente")
# Numerical slack: LP tolerances and float sums, far below any protection width.
SLACK = 1e-6

Label = tuple[str, str, str]  # indicator, niveau, code


class DisclosureError(ValueError):
    """The published figures contradict each other, so the audit cannot prove anything."""


def recoverable_withheld_cells(con: duckdb.DuckDBPyConnection, catalogue: Catalogue, privacy: Privacy) -> list[dict]:
    """List every withheld figure of the build that can be recomputed from what is published.

    Reads the three publication tables and the denominators per buurt (``indicators.buurt``,
    assumed to be public knowledge) and solves, per numerator, the linear system described in
    the module notes. An empty list is the proof that nothing withheld can be recovered.

    Parameters
    ----------
    con
        Connection to the build's database, with ``indicators.publicatie_buurt``, ``_wijk``,
        ``_gemeente`` and ``indicators.buurt``.
    catalogue
        The indicator catalogue of the build (aggregation, scale, decimals, formula type).
    privacy
        The privacy thresholds; ``min_noemer`` sets the protection width.

    Returns
    -------
    list of dict
        One dict per recoverable withheld figure, with ``indicator``, ``niveau`` (buurt, wijk,
        gemeente), ``code``, ``exact`` (the value itself can be worked out), ``ondergrens`` and
        ``bovengrens`` (the numerator an attacker can bound it to), ``waarde_van`` and
        ``waarde_tot`` (the same interval for the value), ``breedte``, ``vereiste_breedte`` and
        ``bronnen`` (the published figures that pin it down, as dicts with indicator, niveau,
        code). Sorted by indicator, level and code.

    Raises
    ------
    DisclosureError
        When the published figures of an indicator contradict each other.
    """
    published = con.execute(read_sql_file("disclosure_published.sql")).df()
    known = con.execute(read_sql_file("disclosure_known.sql")).df()
    gemeenten = published.loc[published["niveau"] == "gemeente", "code"].unique()
    if len(gemeenten) > 1:
        raise DisclosureError(f"indicators.publicatie_gemeente holds {len(gemeenten)} gemeenten; audit one at a time")
    return audit_publication(published, known, catalogue, privacy)


def audit_publication(
    published: pd.DataFrame,
    known: pd.DataFrame,
    catalogue: Catalogue,
    privacy: Privacy,
) -> list[dict]:
    """Find the recoverable withheld figures of a publication given as frames.

    Parameters
    ----------
    published
        One row per figure: ``indicator``, ``niveau`` (buurt, wijk, gemeente), ``code``,
        ``wijkcode`` (of a buurt), ``waarde`` (empty where withheld) and ``status``.
    known
        One row per buurt and indicator: ``indicator``, ``buurtcode``, ``wijkcode``, ``teller``
        and ``noemer`` (the denominator is taken as known; the numerator only decides which
        buurten a total adds up and which bounds hold).
    catalogue
        The indicator catalogue.
    privacy
        The privacy thresholds.

    Returns
    -------
    list of dict
        As :func:`recoverable_withheld_cells`.
    """
    found: list[dict] = []
    for system in numerator_systems(published, known, catalogue, privacy):
        found += system.recoverable()
    return sorted(found, key=lambda r: (r["indicator"], LEVELS.index(r["niveau"]), r["code"]))


def numerator_systems(
    published: pd.DataFrame, known: pd.DataFrame, catalogue: Catalogue, privacy: Privacy
) -> list[NumeratorSystem]:
    """Set up one attacker's system per numerator of the catalogue (see :class:`NumeratorSystem`).

    Parameters
    ----------
    published, known, catalogue, privacy
        As :func:`audit_publication`.

    Returns
    -------
    list of NumeratorSystem
        In catalogue order; numerators without buurten are left out.
    """
    systems = []
    for members in numerator_groups(catalogue):
        ids = [i.id for i in members]
        mine = known[known["indicator"].isin(ids)]
        if not mine.empty:
            systems.append(NumeratorSystem(members, published[published["indicator"].isin(ids)], mine, privacy))
    return systems


def numerator_groups(catalogue: Catalogue) -> list[list[Indicator]]:
    """Group the catalogue's indicators by what their numerator counts or measures.

    Indicators whose figures are not added up (aggregation 'geen') are left out.

    Parameters
    ----------
    catalogue
        The indicator catalogue.

    Returns
    -------
    list of list of Indicator
        One list per numerator, in catalogue order.
    """
    groups: dict[tuple, list[Indicator]] = {}
    for indicator in catalogue.indicatoren:
        if indicator.aggregation != "geen":
            groups.setdefault(_numerator_key(indicator), []).append(indicator)
    return list(groups.values())


def _numerator_key(indicator: Indicator) -> tuple:
    formule = indicator.formule
    inputs = formule.model_dump(exclude={"type", "per", "van"})
    numerator = formule.formula.disclosure.numerator or formule.type
    return (numerator, *sorted((k, repr(v)) for k, v in inputs.items()))


@dataclass(frozen=True)
class Interval:
    """What an attacker can work out about one withheld figure's numerator.

    Attributes
    ----------
    low, high
        The smallest and largest numerator that agree with everything published.
    width
        ``high - low``; for a count both bounds are whole numbers.
    required
        The protection width the figure needs.
    sources
        The published figures that bind the interval (indicator, niveau, code).
    """

    low: float
    high: float
    width: float
    required: float
    sources: frozenset[Label]

    @property
    def recoverable(self) -> bool:
        """True when the interval is narrower than the protection width."""
        return self.required > SLACK and self.width < self.required - SLACK


@dataclass(frozen=True)
class _Constraint:
    label: Label
    support: np.ndarray
    low: float
    high: float


@dataclass(frozen=True)
class _Target:
    label: Label
    support: np.ndarray
    noemer: float
    required: float
    counting: bool
    indicator: Indicator


@dataclass
class _State:
    """Bounds per buurt and the programme over the buurten not pinned to one value."""

    lower: np.ndarray
    upper: np.ndarray
    lower_source: list[Label | None]
    upper_source: list[Label | None]
    programme: LinearProgramme
    labels: list[frozenset[Label]]
    linked: np.ndarray
    column: np.ndarray  # per buurt its column in the programme, -1 where pinned
    solved: dict[tuple[int, ...], tuple[float, float, frozenset[Label]]] = field(default_factory=dict)


class NumeratorSystem:
    """The attacker's linear system for one numerator (see the module notes).

    Parameters
    ----------
    members
        The indicators that share the numerator.
    published
        Their figures, as in :func:`audit_publication`.
    known
        Their numerators and denominators per buurt, as in :func:`audit_publication`.
    privacy
        The privacy thresholds.

    Attributes
    ----------
    members : list of Indicator
        The indicators that share the numerator.
    published : dict
        Per published figure (indicator, niveau, code) its constraint.
    withheld : set
        The withheld figures that have a value (and so need protection).
    """

    def __init__(self, members: list[Indicator], published: pd.DataFrame, known: pd.DataFrame, privacy: Privacy):
        self.members = members
        buurten = sorted(known["buurtcode"].unique())
        self._index = {code: n for n, code in enumerate(buurten)}
        first = known.drop_duplicates("buurtcode").set_index("buurtcode")
        self._wijk_of = first["wijkcode"].reindex(buurten).to_numpy()
        parts = {i.id: _Parts.of(i, known, self._index) for i in members}
        self._lower, self._upper = _prior_bounds(members, parts, len(buurten))
        by_id = {i.id: i for i in members}
        self.published: dict[Label, _Constraint] = {}
        self.withheld: set[Label] = set()
        self._targets: dict[Label, _Target] = {}  # every figure, published or not, as something to protect
        columns = [published[c].tolist() for c in ("indicator", "niveau", "code", "waarde", "status")]
        for indicator_id, niveau, code, waarde, status in zip(*columns, strict=True):
            self._add((indicator_id, niveau, code), by_id[indicator_id], parts[indicator_id], waarde, status, privacy)
        self._states: dict[frozenset[Label], _State] = {}
        self._by_area: dict[tuple[str, str], list[Label]] = {}
        for published_label in self.published:
            self._by_area.setdefault(published_label[1:], []).append(published_label)

    def _add(self, label: Label, indicator: Indicator, part: _Parts, waarde: Any, status: str, privacy: Privacy):
        support, noemer = part.cover(label[1], label[2], self._index, self._wijk_of)
        if support.size == 0 or (part.ratio and not noemer > 0):
            return  # no figure exists here: nothing to learn, nothing to protect
        counting = indicator.formule.formula.disclosure.counting
        span = float(self._upper[support].sum() - self._lower[support].sum())
        width = privacy.min_noemer * (1.0 if counting else part.mean)
        self._targets[label] = _Target(label, support, noemer, min(width, span / 2), counting, indicator)
        if status == PUBLISHED and not pd.isna(waarde):
            low, high = _numerator_interval(indicator, float(waarde), noemer)
            self.published[label] = _Constraint(label, support, low, high)
        elif status == WITHHELD:
            self.withheld.add(label)

    def recoverable(self) -> list[dict]:
        """List every withheld figure whose interval is narrower than its protection width.

        Returns
        -------
        list of dict
            As :func:`recoverable_withheld_cells`.
        """
        found = []
        for label in sorted(self.withheld):
            interval = self.interval(label)
            if interval.recoverable:
                found.append(_describe(self._targets[label], interval))
        return found

    def published_in(self, niveau: str, code: str) -> list[Label]:
        """List the published figures of one area (all indicators of this numerator)."""
        return self._by_area.get((niveau, code), [])

    def pinned(self, niveau: str, code: str) -> bool:
        """Tell whether a buurt's published figures sit at a bound known beforehand (0, or 100 %).

        Such a figure leaves no room on one side, so withholding it rarely hides another.
        Totals are never pinned: withholding one opens the way to the level above.
        """
        if niveau != "buurt":
            return False
        cells = [self.published[label] for label in self.published_in(niveau, code)]
        return any(c.high - self._lower[c.support].sum() < 1 or self._upper[c.support].sum() - c.low < 1 for c in cells)

    def near(self, label: Label, niveau: str, code: str) -> bool:
        """Tell whether an area lies within the wijken of a figure (its siblings and its own wijk)."""
        if niveau == "gemeente" or label[1] == "gemeente":
            return False
        wijken = set(self._wijk_of[self._targets[label].support])
        return code in wijken if niveau == "wijk" else self._wijk_of[self._index[code]] in wijken

    def room(self, label: Label, interval: Interval, niveau: str, code: str) -> float | None:
        """Estimate how much withholding a buurt could widen a figure's interval (None for a total).

        A withheld buurt can move from its published value down to its lower bound and up to its
        upper bound; the figure's interval can widen by as much where it is not at its own bounds.
        """
        if niveau != "buurt":
            return None
        cells = [self.published[cell] for cell in self.published_in(niveau, code)]
        b = self._index[code]
        value = max(c.low for c in cells)
        support = self._targets[label].support
        room = 0.0
        if interval.high < self._upper[support].sum():
            room += value - self._lower[b]
        if interval.low > self._lower[support].sum():
            room += self._upper[b] - min(c.high for c in cells)
        return room

    def first_recoverable(
        self, *, also_withheld: frozenset[Label] = frozenset(), first: Label | None = None
    ) -> tuple[Label, Interval] | None:
        """Find a withheld figure that is recoverable, trying ``first`` first.

        Parameters
        ----------
        also_withheld
            Published figures to treat as withheld; they must be protected as well.
        first
            A withheld figure to check before the others (the likeliest to fail).

        Returns
        -------
        tuple or None
            The first recoverable figure found and its interval (the attack), or None when every one is protected.
        """
        for label in sorted(self.withheld | also_withheld, key=lambda label: label != first):
            interval = self.interval(label, also_withheld=also_withheld)
            if interval.recoverable:
                return label, interval
        return None

    def interval(self, label: Label, *, also_withheld: frozenset[Label] = frozenset()) -> Interval:
        """Compute the attacker's interval for a withheld figure, optionally with more withheld.

        Parameters
        ----------
        label
            The figure (indicator, niveau, code): withheld, or in ``also_withheld``.
        also_withheld
            Published figures to treat as withheld (to try out extra suppression).

        Returns
        -------
        Interval
            Bounds, width, required width and the binding published figures.
        """
        target = self._targets[label]
        state = self._state(also_withheld)
        key = tuple(target.support.tolist())
        if key not in state.solved:
            state.solved[key] = _solve(state, target.support)
        low, high, sources = state.solved[key]
        if target.counting:  # a count is a whole number
            low = math.ceil(low - SLACK) if not math.isinf(low) else low
            high = math.floor(high + SLACK) if not math.isinf(high) else high
        return Interval(low, high, _width(low, high), target.required, sources)

    def _state(self, removed: frozenset[Label]) -> _State:
        if removed not in self._states:
            if len(self._states) > 16:
                self._states = {k: v for k, v in self._states.items() if not k}  # keep the unchanged system
            self._states[removed] = self._build([c for k, c in self.published.items() if k not in removed])
        return self._states[removed]

    def _build(self, constraints: list[_Constraint]) -> _State:
        lower, upper = self._lower.copy(), self._upper.copy()
        lower_source: list[Label | None] = [None] * len(lower)
        upper_source: list[Label | None] = [None] * len(lower)
        totals = []
        for constraint in constraints:
            if constraint.support.size > 1:
                totals.append(constraint)
                continue
            b = int(constraint.support[0])  # a single buurt: a bound, remembered with where it came from
            if constraint.low > lower[b]:
                lower[b], lower_source[b] = constraint.low, constraint.label
            if constraint.high < upper[b]:
                upper[b], upper_source[b] = constraint.high, constraint.label
        # Buurten pinned to one value are constants: leaving them out keeps the programme small.
        free = np.flatnonzero(upper - lower > SLACK)
        column = np.full(len(lower), -1)
        column[free] = np.arange(free.size)
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        limits: list[float] = []
        labels: list[frozenset[Label]] = []
        linked = np.zeros(len(lower), dtype=bool)
        for constraint in totals:
            inside = column[constraint.support]
            variable = inside[inside >= 0]
            if variable.size == 0:
                continue
            linked[constraint.support] = True
            constants = constraint.support[inside < 0]
            constant = float(lower[constants].sum())
            # A binding total exposes the target together with the published buurten it adds up.
            sources = frozenset({constraint.label} | {s for i in constants if (s := lower_source[i]) is not None})
            for sign, limit in ((1.0, constraint.high - constant), (-1.0, constant - constraint.low)):
                if math.isinf(limit):
                    continue
                rows += [len(limits)] * variable.size
                columns += variable.tolist()
                values += [sign] * variable.size
                limits.append(limit)
                labels.append(sources)
        matrix = sparse.csr_matrix((values, (rows, columns)), shape=(len(limits), free.size))
        programme = LinearProgramme(matrix, np.array(limits), lower[free], upper[free])
        return _State(lower, upper, lower_source, upper_source, programme, labels, linked, column)


@dataclass
class _Parts:
    """One indicator's numerators and denominators per buurt, and which buurten its sums cover."""

    teller: np.ndarray
    noemer: np.ndarray
    member: np.ndarray
    ratio: bool
    mean: float  # the gemeente's numerator per unit of denominator (0 without a denominator)

    @classmethod
    def of(cls, indicator: Indicator, known: pd.DataFrame, index: dict[str, int]) -> _Parts:
        rows = known[known["indicator"] == indicator.id]
        teller = np.full(len(index), np.nan)
        noemer = np.full(len(index), np.nan)
        positions = [index[c] for c in rows["buurtcode"]]
        teller[positions] = rows["teller"].to_numpy(dtype=float)
        noemer[positions] = rows["noemer"].to_numpy(dtype=float)
        ratio = indicator.aggregation == "verhouding"
        member = ~np.isnan(teller) & (~np.isnan(noemer) if ratio else True)
        total = np.nansum(noemer[member])
        mean = float(np.nansum(teller[member]) / total) if total > 0 else 0.0
        return cls(teller, noemer, member, ratio, mean)

    def cover(self, niveau: str, code: str, index: dict[str, int], wijk_of: np.ndarray) -> tuple[np.ndarray, float]:
        """Buurten a figure adds up, and its summed denominator (NULL counts as 0; NaN for a sum)."""
        if niveau == "buurt":
            area = np.zeros(len(index), dtype=bool)
            if code in index:
                area[index[code]] = True
        elif niveau == "wijk":
            area = wijk_of == code
        else:
            area = np.ones(len(index), dtype=bool)
        return np.flatnonzero(area & self.member), float(np.nansum(self.noemer[area])) if self.ratio else math.nan


def _prior_bounds(members: list[Indicator], parts: dict[str, _Parts], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Bounds known before anything is published, where the data show that they hold."""
    tellers = np.concatenate([p.teller for p in parts.values()])
    lower = np.full(size, 0.0 if np.nanmin(tellers, initial=0.0) >= 0 else -math.inf)
    upper = np.full(size, math.inf)
    for indicator in members:
        part = parts[indicator.id]
        if not indicator.formule.formula.disclosure.share:
            continue
        both = part.member & ~np.isnan(part.noemer)
        if (part.teller[both] <= part.noemer[both] + SLACK).all():
            upper[both] = np.minimum(upper[both], part.noemer[both])
    return lower, upper


def _numerator_interval(indicator: Indicator, waarde: float, noemer: float) -> tuple[float, float]:
    """Return the interval of the summed numerator that a published value allows (module notes)."""
    unit = 10.0**-indicator.decimalen
    rounded = abs(waarde - round(waarde / unit) * unit) <= 1e-9 * max(1.0, abs(waarde))
    half = unit / 2 if rounded else 1e-9 * max(1.0, abs(waarde))
    low, high = waarde - half, waarde + half
    disclosure = indicator.formule.formula.disclosure
    if indicator.aggregation == "verhouding":
        low, high = low * noemer / indicator.scale, high * noemer / indicator.scale
    cap = disclosure.cap
    if cap is not None and waarde + half >= cap:
        high = math.inf
    slack = SLACK * max(1.0, abs(low))
    low, high = low - slack, high + slack
    if disclosure.counting:  # a sum of counts is a whole number
        low, high = math.ceil(low), (high if math.isinf(high) else math.floor(high))
    return low, high


def _solve(state: _State, support: np.ndarray) -> tuple[float, float, frozenset[Label]]:
    """Return the smallest and largest sum over ``support`` and the published figures that bind them."""
    inside = state.column[support]
    pinned = support[inside < 0]
    constant = float(state.lower[pinned].sum())
    sources = {s for i in pinned for s in (state.lower_source[i], state.upper_source[i]) if s}
    variable = support[inside >= 0]
    if not state.linked[variable].any():  # no published total links these buurten: their bounds decide
        sources |= {s for i in variable for s in (state.lower_source[i], state.upper_source[i]) if s}
        low = constant + float(state.lower[variable].sum())
        return low, constant + float(state.upper[variable].sum()), frozenset(sources)
    objective = np.zeros(state.programme.lower.size)
    objective[state.column[variable]] = 1.0
    low, low_sources = _optimise(state, objective)
    high, high_sources = _optimise(state, -objective)
    return constant + low, constant - high, frozenset(sources) | low_sources | high_sources


def _optimise(state: _State, objective: np.ndarray) -> tuple[float, frozenset[Label]]:
    optimum = state.programme.minimise(objective)
    if optimum.status == "unbounded":  # nothing published limits this side
        return -math.inf, frozenset()
    if optimum.status == "infeasible":
        indicators = sorted({label[0] for labels in state.labels for label in labels})
        raise DisclosureError(f"the published figures of {', '.join(indicators)} contradict each other")
    if optimum.status != "optimal":
        raise DisclosureError(f"the disclosure audit could not solve its system: {optimum.message}")
    free = np.flatnonzero(state.column >= 0)
    sources: set[Label | None] = set()
    for row in optimum.binding_rows:
        sources |= state.labels[row]
    sources |= {state.lower_source[free[i]] for i in optimum.binding_lower}
    sources |= {state.upper_source[free[i]] for i in optimum.binding_upper}
    return optimum.value, frozenset(s for s in sources if s is not None)


def _width(low: float, high: float) -> float:
    if math.isinf(low) or math.isinf(high):
        return math.inf
    return max(0.0, high - low)


def _describe(target: _Target, interval: Interval) -> dict:
    indicator, niveau, code = target.label
    scale = target.indicator.scale / target.noemer if target.indicator.aggregation == "verhouding" else 1.0
    return {
        "indicator": indicator,
        "niveau": niveau,
        "code": code,
        "exact": interval.width <= SLACK,
        "ondergrens": round(interval.low, 6),
        "bovengrens": round(interval.high, 6),
        "waarde_van": round(interval.low * scale, 6),
        "waarde_tot": round(interval.high * scale, 6),
        "breedte": round(interval.width, 6),
        "vereiste_breedte": round(interval.required, 6),
        "bronnen": [
            {"indicator": i, "niveau": n, "code": c}
            for i, n, c in sorted(interval.sources, key=lambda s: (LEVELS.index(s[1]), s[0], s[2]))
        ],
    }
