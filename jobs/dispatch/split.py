"""Cutting one instance into independent parts, and putting their answers back together.

Members and shifts form a bipartite graph through their candidate pairs (eligible or
committed). Its connected components share no member and no shift, so every rule —
slots, overlap with travel, the hour and earnings caps, commitments — and every term of
the objective stays inside one component: the optimum of the whole is the union of the
components' optima, and any feasible answers of the parts together are a feasible answer
of the whole. ``split_instance`` packs the components into at most ``parts`` instances of
the file contract (largest component first into the part with the fewest candidate pairs),
so each can be solved on its own — in another process or on another machine — and
``merge_parts`` adds the answers up.

Members with no candidate pair at all are in no part: they only add a constant (their
shortfall against their target), returned as ``constant``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .model import Assignment, Instance
from .pairs import build_pairs


@dataclass(frozen=True)
class Split:
    parts: list[dict[str, Any]]  # instances in the contract's shape
    pairs: list[int]  # candidate pairs per part (the work it represents)
    constant: float  # objective of the members in no part


def split_instance(
    data: dict[str, Any], instance: Instance, *, parts: int, part_pairs: int | None = None
) -> Split:
    """``data`` (the contract's dict) cut into at most ``parts`` independent instances;
    with ``part_pairs``, into no more parts than needed for about that many candidate
    pairs each (one part when the whole has fewer).

    ``instance`` is ``data`` parsed (``parse_instance``); the parts keep the members' and
    shifts' order and every field as given, with ``blocked`` lists reduced to the part's
    own shifts."""
    from .heuristics import component_labels

    P = build_pairs(instance)
    n_m, n_s = len(instance.members), len(instance.shifts)
    groups, m_label, s_label = component_labels(P, n_m, n_s)
    lonely = m_label < 0
    constant = float(-P.weight * P.m_target[lonely].sum())
    if part_pairs:
        parts = min(parts, -(-len(P.p_member) // max(1, part_pairs)))
    parts = max(1, min(parts, len(groups)))
    load = [0] * parts
    part_of = np.full(len(groups), -1)
    for i, g in enumerate(groups):  # largest first
        k = load.index(min(load))
        part_of[i] = k
        load[k] += len(g)
    m_part = {
        m.id: int(part_of[m_label[i]]) for i, m in enumerate(instance.members) if not lonely[i]
    }
    s_part = {
        s.id: int(part_of[s_label[i]]) for i, s in enumerate(instance.shifts) if s_label[i] >= 0
    }
    header = {k: v for k, v in data.items() if k not in ("members", "shifts")}
    out: list[dict[str, Any]] = [{**header, "members": [], "shifts": []} for _ in range(parts)]
    for raw in data["members"]:
        part = m_part.get(str(raw["id"]))
        if part is None:
            continue
        k = part
        member = dict(raw)
        if member.get("blocked"):
            member["blocked"] = [b for b in member["blocked"] if s_part.get(b) == k]
        out[k]["members"].append(member)
    for raw in data["shifts"]:
        found = s_part.get(str(raw["id"]))
        if found is not None:
            out[found]["shifts"].append(raw)
    keep = [k for k in range(parts) if out[k]["members"]]
    return Split(parts=[out[k] for k in keep], pairs=[load[k] for k in keep], constant=constant)


def merge_parts(answers: list[Assignment], constant: float) -> Assignment:
    """One answer for the whole from the parts' answers (in any order)."""
    pairs = tuple(p for a in answers for p in a.pairs)
    objective = constant + sum(a.objective for a in answers)
    bounds = [a.bound for a in answers if a.bound is not None]
    bound = None if len(bounds) < len(answers) else constant + sum(bounds)
    optimal = bool(answers) and all(a.status == "optimal" for a in answers)
    return Assignment(
        pairs=pairs,
        objective=objective,
        bound=bound,
        status="optimal" if optimal or (not answers) else "feasible",
    )
