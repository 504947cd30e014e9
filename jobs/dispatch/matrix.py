"""A sparse matrix stored by columns, the form HiGHS takes, in numpy alone.

The models of ``milp.py`` and ``master.py`` used ``scipy.sparse`` for this; its import
alone costs the command line 0.2-0.4 s (highspy's: 0.02 s), which under a one-second
limit decided whether the restricted master could run at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Matrix:
    """Columns ``j``: rows ``indices[indptr[j]:indptr[j+1]]`` with ``data`` there."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_rows(
        cls, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]
    ) -> Matrix:
        """The matrix given row by row (CSR: row ``i``'s columns are
        ``indices[indptr[i]:indptr[i+1]]``)."""
        n_rows, n_cols = shape
        indices = np.asarray(indices, dtype=np.int64)
        rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(np.asarray(indptr)))
        order = np.argsort(indices, kind="stable")
        counts = np.bincount(indices, minlength=n_cols)
        return cls(
            indptr=np.r_[0, np.cumsum(counts)].astype(np.int64),
            indices=rows[order],
            data=np.asarray(data, dtype=np.float64)[order],
            shape=(n_rows, n_cols),
        )

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of every stored entry."""
        cols = np.repeat(np.arange(self.shape[1], dtype=np.int64), np.diff(self.indptr))
        return self.indices, cols, self.data

    def scipy(self) -> Any:
        """The same matrix as ``scipy.sparse.csc_matrix`` (benchmarks and tests)."""
        from scipy import sparse

        return sparse.csc_matrix((self.data, self.indices, self.indptr), shape=self.shape)
