"""The disclosure audit's programmes: SciPy's bundled HiGHS called directly answers as ``linprog`` does."""

import math

import numpy as np
import pytest
from scipy import sparse

from ogw_datalab.indicators import linear_programme
from ogw_datalab.indicators.linear_programme import LinearProgramme


def audit_like_programme(rng: np.random.Generator, buurten: int, totals: int, *, upper: bool) -> tuple:
    """Published totals over random sets of buurten (each within a half of its true sum), and bounds."""
    high = rng.integers(20, 80, size=buurten).astype(float)
    true = rng.integers(0, high + 1)  # the numerators the attacker is after
    rows, columns, limits = [], [], []
    for _ in range(totals):
        members = rng.choice(buurten, size=rng.integers(2, buurten + 1), replace=False)
        total = float(true[members].sum())
        for sign, limit in ((1.0, total + 0.5), (-1.0, -(total - 0.5))):
            rows += [len(limits)] * members.size
            columns += [(sign, m) for m in members]
            limits.append(limit)
    values = [sign for sign, _ in columns]
    matrix = sparse.csr_matrix((values, (rows, [m for _, m in columns])), shape=(len(limits), buurten))
    return matrix, np.array(limits), np.zeros(buurten), high if upper else np.full(buurten, math.inf)


def both_answers(matrix, limits, lower, upper, objective):
    direct = LinearProgramme(matrix, limits, lower, upper).minimise(objective)
    through_linprog = LinearProgramme(matrix, limits, lower, upper, use_highs=False).minimise(objective)
    return direct, through_linprog


def assert_same(direct, through_linprog):
    assert direct.status == through_linprog.status
    if direct.status == "optimal":
        assert direct.value == through_linprog.value
        for part in ("binding_rows", "binding_lower", "binding_upper"):
            assert getattr(direct, part).tolist() == getattr(through_linprog, part).tolist(), part


def test_the_locked_scipy_bundles_highs_so_the_audit_takes_the_fast_way():
    assert linear_programme.highs is not None, "scipy.optimize._highspy is gone: the audit falls back to linprog"


@pytest.mark.parametrize("seed", range(12))
def test_the_bundled_highs_finds_the_optimum_and_binding_figures_that_linprog_finds(seed):
    rng = np.random.default_rng(seed)
    buurten = int(rng.integers(3, 30))
    matrix, limits, lower, upper = audit_like_programme(
        rng, buurten, totals=int(rng.integers(1, 6)), upper=seed % 3 > 0
    )
    for _ in range(20):
        objective = np.zeros(lower.size)
        objective[rng.choice(lower.size, size=rng.integers(1, lower.size + 1), replace=False)] = rng.choice([1.0, -1.0])
        direct, through_linprog = both_answers(matrix, limits, lower, upper, objective)
        assert direct.status in ("optimal", "unbounded")  # the totals hold for the true numerators
        assert_same(direct, through_linprog)


def test_a_side_nothing_limits_is_unbounded_both_ways():
    matrix = sparse.csr_matrix(np.array([[1.0, 1.0]]))
    direct, through_linprog = both_answers(
        matrix, np.array([10.0]), np.zeros(2), np.full(2, math.inf), np.array([-1.0, 0])
    )
    assert direct.status == through_linprog.status == "optimal"  # the row limits x0 to 10
    assert direct.value == -10.0
    direct, through_linprog = both_answers(
        sparse.csr_matrix((0, 2)), np.zeros(0), np.zeros(2), np.full(2, math.inf), np.array([-1.0, 0])
    )
    assert direct.status == through_linprog.status == "unbounded"


def test_contradicting_totals_are_infeasible_both_ways():
    matrix = sparse.csr_matrix(np.array([[1.0, 1.0], [-1.0, -1.0]]))
    limits = np.array([5.0, -8.0])  # x0 + x1 <= 5 and x0 + x1 >= 8
    direct, through_linprog = both_answers(matrix, limits, np.zeros(2), np.full(2, 9.0), np.array([1.0, 1.0]))
    assert direct.status == through_linprog.status == "infeasible"


def test_binding_figures_are_named_by_row_and_by_bound():
    # x0 + x1 <= 7 with x0 <= 3: the most of x0 + x1 is 7 (the row binds); the most of x0 is 3 (its bound).
    matrix = sparse.csr_matrix(np.array([[1.0, 1.0]]))
    programme = LinearProgramme(matrix, np.array([7.0]), np.zeros(2), np.array([3.0, 10.0]))
    total = programme.minimise(np.array([-1.0, -1.0]))
    assert (total.value, total.binding_rows.tolist(), total.binding_upper.tolist()) == (-7.0, [0], [])
    first = programme.minimise(np.array([-1.0, 0.0]))
    assert (first.value, first.binding_rows.tolist(), first.binding_upper.tolist()) == (-3.0, [], [0])
