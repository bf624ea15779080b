"""The disclosure audit's linear programmes, solved by the HiGHS that SciPy bundles.

The audit solves thousands of small programmes a build over one constraint matrix per system,
each with another objective. ``scipy.optimize.linprog(method="highs")`` checks and converts its
input on every call, about nine tenths of the time a call takes. :class:`LinearProgramme` prepares
the matrix and bounds once and hands each objective to the same HiGHS with the same options
``linprog`` passes (dual simplex, presolve on), each solve from scratch as ``linprog`` does, so the
optima and the binding constraints are those ``linprog`` finds. ``scipy.optimize._highspy`` is
SciPy's own (private) module, as in the locked 1.17.1; where a SciPy lacks it, this calls ``linprog``.
``tests/test_linear_programme.py`` holds the two to the same answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

try:
    from scipy.optimize._highspy import _core as highs
except ImportError:  # an older SciPy: linprog does the work
    highs = None

# Below this a dual value is zero: the constraint does not bind.
BINDING = 1e-9


@dataclass(frozen=True)
class Optimum:
    """The minimum of one objective, or why there is none.

    ``status`` is "optimal", "unbounded", "infeasible" or "failed" (``message`` says why); with
    "optimal", ``value`` is the minimum and the ``binding_*`` arrays hold the rows and the columns
    whose lower or upper bound bind it (a dual value other than zero).
    """

    status: str
    value: float = math.nan
    binding_rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))
    binding_lower: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))
    binding_upper: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))
    message: str = ""


class LinearProgramme:
    """Minimise ``c @ x`` subject to ``matrix @ x <= limits`` and ``lower <= x <= upper``.

    Parameters
    ----------
    matrix
        The constraint rows (sparse, one column per unknown).
    limits, lower, upper
        Right-hand sides of the rows and the bounds of the unknowns (infinite where there is none).
    use_highs
        False solves through ``linprog`` (for comparison); by default HiGHS is used where bundled.
    """

    def __init__(
        self,
        matrix: sparse.spmatrix,
        limits: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        *,
        use_highs: bool = True,
    ) -> None:
        self.matrix, self.limits = matrix, np.asarray(limits, dtype=float)
        self.lower, self.upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
        self._model = _highs_model(matrix, self.limits, self.lower, self.upper) if use_highs and highs else None

    def minimise(self, objective: np.ndarray) -> Optimum:
        """Return the minimum of ``objective @ x`` and what binds it."""
        if self._model is None:
            return self._minimise_with_linprog(objective)
        return self._minimise_with_highs(self._model, objective)

    def _minimise_with_highs(self, model: Any, objective: np.ndarray) -> Optimum:
        solver = highs._Highs()
        solver.passOptions(_options())
        model.col_cost_ = np.asarray(objective, dtype=float)
        solver.passModel(model)
        solver.run()
        status = solver.getModelStatus()
        if status != highs.HighsModelStatus.kOptimal:
            return Optimum(_STATUS.get(status, "failed"), message=solver.modelStatusToString(status))
        solution, basis = solver.getSolution(), solver.getBasis()
        rows = np.flatnonzero(np.abs(np.asarray(solution.row_dual)) > BINDING)
        columns = np.flatnonzero(np.abs(np.asarray(solution.col_dual)) > BINDING)
        at = basis.col_status
        lower = np.array([i for i in columns if at[i] == highs.HighsBasisStatus.kLower], dtype=int)
        upper = np.array([i for i in columns if at[i] == highs.HighsBasisStatus.kUpper], dtype=int)
        return Optimum("optimal", solver.getInfo().objective_function_value, rows, lower, upper)

    def _minimise_with_linprog(self, objective: np.ndarray) -> Optimum:
        result = linprog(
            objective,
            A_ub=self.matrix if self.limits.size else None,
            b_ub=self.limits if self.limits.size else None,
            bounds=np.column_stack([self.lower, self.upper]),
            method="highs",
        )
        if result.status != 0:
            status = {2: "infeasible", 3: "unbounded"}.get(result.status, "failed")
            return Optimum(status, message=result.message)
        return Optimum(
            "optimal",
            float(result.fun),
            np.flatnonzero(np.abs(result.ineqlin.marginals) > BINDING),
            np.flatnonzero(np.abs(result.lower.marginals) > BINDING),
            np.flatnonzero(np.abs(result.upper.marginals) > BINDING),
        )


def _highs_model(matrix: sparse.spmatrix, limits: np.ndarray, lower: np.ndarray, upper: np.ndarray):
    """Build the programme as ``linprog`` hands it to HiGHS (column-wise, HiGHS's own infinity)."""
    columns = sparse.csc_array(matrix, dtype=float) if limits.size else sparse.csc_array((0, lower.size))
    model = highs.HighsLp()
    model.num_col_ = model.a_matrix_.num_col_ = lower.size
    model.num_row_ = model.a_matrix_.num_row_ = limits.size
    model.a_matrix_.format_ = highs.MatrixFormat.kColwise
    model.a_matrix_.start_ = columns.indptr
    model.a_matrix_.index_ = columns.indices
    model.a_matrix_.value_ = columns.data
    model.col_lower_, model.col_upper_ = _finite(lower), _finite(upper)
    model.row_lower_, model.row_upper_ = np.full(limits.size, -highs.kHighsInf), _finite(limits)
    return model


def _finite(values: np.ndarray) -> np.ndarray:
    return np.clip(values, -highs.kHighsInf, highs.kHighsInf)


@cache
def _options() -> Any:
    """Return the options ``linprog(method="highs")`` sets: presolve on, dual simplex, silent."""
    options = highs.HighsOptions()
    options.presolve = "on"
    options.highs_debug_level = highs.HighsDebugLevel.kHighsDebugLevelNone
    options.log_to_console = False
    options.output_flag = False
    options.simplex_strategy = highs.simplex_constants.SimplexStrategy.kSimplexStrategyDual
    return options


_STATUS = (
    {
        highs.HighsModelStatus.kUnbounded: "unbounded",
        highs.HighsModelStatus.kInfeasible: "infeasible",
        highs.HighsModelStatus.kModelError: "infeasible",
    }
    if highs
    else {}
)
