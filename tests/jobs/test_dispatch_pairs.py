"""The vectorised candidates and components agree with the contract's own rules."""

from __future__ import annotations

import pytest

from jobs.dispatch import generate, parse_instance
from jobs.dispatch.heuristics import component_labels
from jobs.dispatch.pairs import build_pairs


@pytest.mark.parametrize(
    ("family", "seed"), [(None, 1), ("utrecht", 2), ("clustered", 3), ("night", 4)]
)
def test_candidates_are_exactly_the_eligible_pairs(family, seed):
    instance = parse_instance(generate(shifts=200, members=50, seed=seed, family=family))
    P = build_pairs(instance)
    found = set(zip(P.p_member.tolist(), P.p_shift.tolist(), strict=True))
    free = {(m, s) for m, s in found if not P.p_forced[_index(P, m, s)]}
    expected = set()
    for i, member in enumerate(instance.members):
        for j, shift in enumerate(instance.shifts):
            if instance.ineligibility(member, shift) is None and shift.id not in member.commitments:
                expected.add((i, j))
    # Pairs that cannot join the member's own commitments are dropped on purpose.
    assert free <= expected
    dropped = expected - free
    for i, j in dropped:
        assert instance.members[i].commitments


def _index(P, m, s):
    hits = ((P.p_member == m) & (P.p_shift == s)).nonzero()[0]
    return int(hits[0])


def test_components_join_exactly_what_shares_a_candidate():
    first = generate(shifts=150, members=40, seed=5, family="utrecht")
    second = generate(shifts=150, members=40, seed=6, family="night")
    for m in second["members"]:
        m["id"] = "b" + m["id"]
        m["home"] = [m["home"][0] + 500, m["home"][1]]
        m["blocked"] = ["b" + b for b in m.get("blocked", [])]
        m["commitments"] = ["b" + c for c in m.get("commitments", [])]
    for s in second["shifts"]:
        s["id"] = "b" + s["id"]
        s["location"] = [s["location"][0] + 500, s["location"][1]]
    data = {**first, "members": first["members"] + second["members"]}
    data["shifts"] = first["shifts"] + second["shifts"]
    instance = parse_instance(data)
    P = build_pairs(instance)
    groups, m_label, s_label = component_labels(P, len(instance.members), len(instance.shifts))
    # Every candidate pair lies inside one component, and the two cities never meet.
    assert (m_label[P.p_member] == s_label[P.p_shift]).all()
    labels_a = set(m_label[:40].tolist()) - {-1}
    labels_b = set(m_label[40:].tolist()) - {-1}
    assert labels_a
    assert labels_b
    assert not labels_a & labels_b
    assert sum(len(g) for g in groups) == len(P.p_member)


@pytest.mark.parametrize("family", [None, "utrecht", "team-heavy"])
def test_components_are_scipys(family):
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    instance = parse_instance(generate(shifts=600, members=300, seed=7, family=family))
    P = build_pairs(instance)
    n_m, n_s = len(instance.members), len(instance.shifts)
    _, m_label, s_label = component_labels(P, n_m, n_s)
    graph = coo_matrix(
        (np.ones(len(P.p_member)), (P.p_member, n_m + P.p_shift)), shape=(n_m + n_s,) * 2
    )
    _, theirs = connected_components(graph, directed=False)
    ours = np.concatenate([m_label, s_label])
    used = ours >= 0
    # The same partition of the nodes that have candidates: a one-to-one relabelling.
    pairs = set(zip(ours[used].tolist(), theirs[used].tolist(), strict=True))
    assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs})
