"""One member's candidate shifts as arrays, the first part of the exact week
(``stapel.py``): sorted by (start, end), with the minutes axis (durations in units of
their gcd, capped at what the week can use), the segments between commitments and the
time after which a shift is compatible with everything later (``settle_at``)."""

from __future__ import annotations

import math

import numpy as np

from jobs.dispatch.model import TOL

NEG = -math.inf
START = -2  # predecessor marker: the path starts here


class Candidates:
    """Candidates of one member as arrays, sorted by (start, end)."""

    def __init__(
        self,
        start: np.ndarray,
        end: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        value: np.ndarray,
        pay: np.ndarray,
        forced: np.ndarray,
        *,
        max_minutes: float | None,
        max_pay: float | None,
        target: float,
        weight: float,
        speed: float,
    ):
        order = np.lexsort((end, start))
        self.order = order
        self.start = start[order].astype(np.float64)
        self.end = end[order].astype(np.float64)
        self.x = x[order].astype(np.float64)
        self.y = y[order].astype(np.float64)
        self.value = value[order].astype(np.float64)
        self.pay = pay[order].astype(np.float64)
        self.forced = forced[order].astype(bool)
        self.n = n = len(order)
        self.minutes_per_km = 60.0 / speed
        minutes = (end - start)[order].astype(np.int64)
        self.minutes = minutes
        self.weight = weight
        self.target = target
        bonus_on = weight > 0 and target > 0
        total = int(minutes.sum())
        cap_on = max_minutes is not None and total > max_minutes + TOL
        g = int(np.gcd.reduce(minutes)) if n else 1
        if g <= 0:
            g = 1
        if cap_on and max_minutes is not None:
            self.K = math.floor((max_minutes + TOL) / g)
            self.saturate = False
        elif bonus_on:
            self.K = min(math.ceil(target / g), total // g)
            self.saturate = True
        else:
            self.K = 0
            self.saturate = True
        self.g = g
        self.units = (minutes // g).astype(np.int64)
        ks = np.arange(self.K + 1)
        self.bonus = weight * np.minimum(ks * g, target) if bonus_on else np.zeros(self.K + 1)
        self.max_pay = max_pay if max_pay is not None and self.pay.sum() > max_pay + TOL else None
        # Segments between commitments: a path visits every commitment in time order.
        cum = np.cumsum(self.forced) - self.forced
        self.req_seg = cum.astype(np.int64)
        self.prov_seg = (cum + self.forced).astype(np.int64)
        self.n_forced = int(self.forced.sum())
        # Largest travel from each shift to any candidate: distance to the farthest
        # corner of the candidates' bounding box.
        if n:
            xs = (self.x.min(), self.x.max())
            ys = (self.y.min(), self.y.max())
            far = np.max(
                [np.hypot(self.x - cx, self.y - cy) for cx in xs for cy in ys],
                axis=0,
            )
            self.settle_at = self.end + far * self.minutes_per_km + 1e-7
        else:
            self.settle_at = np.zeros(0)
