"""Vectorised candidate pairs (member, shift) for the whole instance.

Eligibility for all members at once: a grid of cells a quarter of the largest radius wide
finds the shifts near each member, skills are bit masks, windows are found by one ``searchsorted`` over all
members' merged windows. Commitments join as forced pairs (eligible by definition).
Pairs that clash with the member's own commitments, or that do not fit in the caps left
after them, are dropped here, since no solution can use them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import TOL, Instance

GRID_REACH = 4  # cells per largest radius in the grid that finds shifts near homes


@dataclass
class Pairs:
    """Arrays over shifts (s_*), members (m_*) and candidate pairs (p_*)."""

    s_start: np.ndarray
    s_end: np.ndarray
    s_x: np.ndarray
    s_y: np.ndarray
    s_slots: np.ndarray
    s_pay: np.ndarray
    m_cap_min: np.ndarray  # inf when uncapped
    m_cap_pay: np.ndarray
    m_target: np.ndarray
    p_member: np.ndarray
    p_shift: np.ndarray
    p_value: np.ndarray
    p_forced: np.ndarray
    weight: float
    minutes_per_km: float

    @property
    def s_minutes(self) -> np.ndarray:
        minutes: np.ndarray = self.s_end - self.s_start
        return minutes


def build_pairs(instance: Instance) -> Pairs:
    members, shifts = instance.members, instance.shifts
    n_s, n_m = len(shifts), len(members)
    s_start = np.array([s.start for s in shifts], dtype=np.int64)
    s_end = np.array([s.end for s in shifts], dtype=np.int64)
    s_loc = np.array([s.location for s in shifts], dtype=np.float64).reshape(n_s, 2)
    s_slots = np.array([s.slots for s in shifts], dtype=np.int64)
    s_pay = np.array([s.pay_cents for s in shifts], dtype=np.int64)
    homes = np.array([m.home for m in members], dtype=np.float64).reshape(n_m, 2)
    radii = np.array([instance.radius(m) for m in members], dtype=np.float64)

    # Radius, first by a k-d tree (the exact test of the contract follows below, after
    # the cheaper tests: in a dense city only one hit in ten survives skills and windows).
    pm, ps = _within_reach(homes, radii + 1e-5, s_loc)

    # Skills.
    skill_names = sorted({s.skill for s in shifts if s.skill is not None})
    if len(skill_names) <= 62:
        bit = {name: 1 << i for i, name in enumerate(skill_names)}
        s_mask = np.array([0 if s.skill is None else bit[s.skill] for s in shifts], dtype=np.int64)
        m_mask = np.array([sum(bit.get(k, 0) for k in m.skills) for m in members], dtype=np.int64)
        ok = (s_mask[ps] == 0) | ((s_mask[ps] & m_mask[pm]) != 0)
    else:
        ok = np.array(
            [
                shifts[s].skill is None or shifts[s].skill in members[m].skills
                for m, s in zip(pm.tolist(), ps.tolist(), strict=True)
            ],
            dtype=bool,
        )
    pm, ps = pm[ok], ps[ok]

    # Windows: one sorted array of all merged windows, keyed by (member, start).
    w_owner = np.array([i for i, m in enumerate(members) for _ in m.windows], dtype=np.int64)
    w_start = np.array([w[0] for m in members for w in m.windows], dtype=np.int64)
    w_end = np.array([w[1] for m in members for w in m.windows], dtype=np.int64)
    if len(w_owner) and len(pm):
        lo = min(int(w_start.min()), int(s_start.min()))
        hi = max(int(w_end.max()), int(s_end.max()))
        span = hi - lo + 2
        keys = w_owner * span + (w_start - lo)  # already sorted: members in order
        q = pm * span + (s_start[ps] - lo)
        idx = np.searchsorted(keys, q, side="right") - 1
        idx_c = np.clip(idx, 0, len(keys) - 1)
        ok = (idx >= 0) & (w_owner[idx_c] == pm) & (s_end[ps] <= w_end[idx_c])
        pm, ps = pm[ok], ps[ok]
    else:
        pm, ps = pm[:0], ps[:0]

    dist = np.hypot(homes[pm, 0] - s_loc[ps, 0], homes[pm, 1] - s_loc[ps, 1])
    ok = dist <= radii[pm] + TOL
    pm, ps = pm[ok], ps[ok]

    # Blocked shifts.
    shift_index = {s.id: i for i, s in enumerate(shifts)}
    blocked = {
        (i, shift_index[b]) for i, m in enumerate(members) for b in m.blocked if b in shift_index
    }
    # Commitments: forced pairs.
    forced = {(i, shift_index[c]) for i, m in enumerate(members) for c in m.commitments}
    if blocked or forced:
        drop = np.array([m * n_s + s for m, s in blocked | forced], dtype=np.int64)
        ok = ~np.isin(pm * n_s + ps, drop)
        pm, ps = pm[ok], ps[ok]
    # Per member in the order of the shifts (the k-d tree answers in no fixed order).
    key = np.sort(pm * n_s + ps)
    pm, ps = key // max(1, n_s), key % max(1, n_s)
    f_pairs = sorted(forced)
    fm = np.array([m for m, _ in f_pairs], dtype=np.int64)
    fs = np.array([s for _, s in f_pairs], dtype=np.int64)
    p_forced = np.concatenate([np.ones(len(fm), bool), np.zeros(len(pm), bool)])
    pm = np.concatenate([fm, pm])
    ps = np.concatenate([fs, ps])

    cap_min = np.array(
        [np.inf if m.max_minutes is None else m.max_minutes for m in members], dtype=np.float64
    )
    cap_pay = np.array(
        [np.inf if m.max_pay_cents is None else m.max_pay_cents for m in members],
        dtype=np.float64,
    )
    minutes = s_end - s_start

    # Drop pairs that cannot join the member's commitments (clash or caps).
    if len(fm):
        used_min = np.bincount(fm, weights=minutes[fs], minlength=n_m)
        used_pay = np.bincount(fm, weights=s_pay[fs], minlength=n_m)
        ok = p_forced | (
            (used_min[pm] + minutes[ps] <= cap_min[pm] + TOL)
            & (used_pay[pm] + s_pay[ps] <= cap_pay[pm] + TOL)
        )
        # Every (free pair, commitment of the same member) combination at once.
        mpk = 60.0 / instance.travel_speed_kmh
        f_order = np.argsort(fm, kind="stable")
        f_sorted_m, f_sorted_s = fm[f_order], fs[f_order]
        first_f = np.searchsorted(f_sorted_m, pm, side="left")
        after_f = np.searchsorted(f_sorted_m, pm, side="right")
        counts = np.where(p_forced, 0, after_f - first_f)
        if counts.sum():
            p_rep = np.repeat(np.arange(len(pm)), counts)
            offs = np.arange(len(p_rep)) - np.repeat(np.cumsum(counts) - counts, counts)
            c = f_sorted_s[np.repeat(first_f, counts) + offs]
            s = ps[p_rep]
            first = s_start[s] <= s_start[c]
            a = np.where(first, s, c)
            b = np.where(first, c, s)
            travel = np.hypot(*(s_loc[a] - s_loc[b]).T) * mpk
            clash = s_end[a] + travel > s_start[b] + TOL
            ok[p_rep[clash]] = False
        pm, ps, p_forced = pm[ok], ps[ok], p_forced[ok]
    else:
        ok = (minutes[ps] <= cap_min[pm] + TOL) & (s_pay[ps] <= cap_pay[pm] + TOL)
        pm, ps, p_forced = pm[ok], ps[ok], p_forced[ok]

    dist = np.hypot(homes[pm, 0] - s_loc[ps, 0], homes[pm, 1] - s_loc[ps, 1])
    value = s_pay[ps] - instance.km_cost_cents * dist
    return Pairs(
        s_start=s_start,
        s_end=s_end,
        s_x=s_loc[:, 0].copy(),
        s_y=s_loc[:, 1].copy(),
        s_slots=s_slots,
        s_pay=s_pay,
        m_cap_min=cap_min,
        m_cap_pay=cap_pay,
        m_target=np.array([m.target_minutes for m in members], dtype=np.float64),
        p_member=pm,
        p_shift=ps,
        p_value=value,
        p_forced=p_forced,
        weight=instance.shortfall_cents_per_minute,
        minutes_per_km=60.0 / instance.travel_speed_kmh,
    )


def _within_reach(
    homes: np.ndarray, radii: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(member, shift) index pairs with the shift in the square of side 2 x radius
    around the member's home (the exact circle is tested later), from a grid of cells a
    quarter of the largest radius wide: each member looks in the cells its square
    touches. Numpy alone (scipy's k-d tree costs its import on the command line's
    clock)."""
    empty = np.zeros(0, np.int64)
    if not len(homes) or not len(points):
        return empty, empty
    reach = GRID_REACH
    size = max(float(radii.max()) / reach, 1e-3)
    lo = np.minimum(homes.min(axis=0), points.min(axis=0))
    cell = np.floor((points - lo) / size).astype(np.int64)
    width = int(cell[:, 1].max()) + 2 * reach + 2
    key = (cell[:, 0] + reach) * width + (cell[:, 1] + reach)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    home_cell = np.floor((homes - lo) / size).astype(np.int64)
    m_parts, s_parts = [], []
    for dx in range(-reach, reach + 1):
        for dy in range(-reach, reach + 1):
            # Members whose square can touch that cell at all.
            who = np.flatnonzero(
                (max(0, abs(dx) - 1) * size <= radii) & (max(0, abs(dy) - 1) * size <= radii)
            )
            k = (home_cell[who, 0] + reach + dx) * width + (home_cell[who, 1] + reach + dy)
            first = np.searchsorted(sorted_key, k, side="left")
            counts = np.searchsorted(sorted_key, k, side="right") - first
            total = int(counts.sum())
            if not total:
                continue
            m = np.repeat(who, counts)
            offs = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            s = order[np.repeat(first, counts) + offs]
            near = (np.abs(points[s, 0] - homes[m, 0]) <= radii[m]) & (
                np.abs(points[s, 1] - homes[m, 1]) <= radii[m]
            )
            m_parts.append(m[near])
            s_parts.append(s[near])
    if not m_parts:
        return empty, empty
    return np.concatenate(m_parts), np.concatenate(s_parts)
