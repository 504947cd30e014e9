"""Eligibility: may this member take this shift? One definition, used everywhere.

Design overview
---------------
* **The work context** (``context.py``) is what decides it for a member: their home,
  radius, cooperatives (with travel speeds), weekly availability with dated exceptions,
  skills with certificate dates, the clients they blocked, the shifts they claimed, their
  slot-holding claims (commitments) and what is left of their yearly earnings cap.
  ``work_contexts`` loads it for any number of members in a fixed number of queries;
  ``member_facts`` is the feed's cached read of the part that changes rarely.
* **The rules** (``rules.py``) are pure functions of a context and a shift:
  ``refusal`` says why the member may not take it (or None). Distance is the dispatch
  contract's: Euclidean on the local plane (``werkstation.geo.project_km``), here the
  plane around the member's home, with the contract's tolerance; travel minutes are
  ``distance / speed × 60`` at the speed of the shift's cooperative.
* **The feed** states the same rules as SQL (``sql.py``): same arithmetic, same order,
  so the two agree to the last bit. ``tests/jobs/test_eligibility.py`` checks on random
  worlds that every shift the feed shows passes the claim check, and every open shift
  with a free slot that the claim check accepts is in the feed.
* **Dispatch instances** (``instance.py``): dispatch, plan my week and the tender
  capacity check build their instance of the file contract
  (``shared/dispatch-format.md``) with one builder. It blocks every candidate pair the
  dispatcher would allow but the rules refuse, so no plan or offer proposes a shift the
  claim check would turn down.
"""

from __future__ import annotations

from .context import (
    epoch_minute,
    horizon_of,
    local_times,
    member_facts,
    shift_facts,
    work_context,
    work_contexts,
)
from .instance import DispatchWeights, InstanceShift, dispatch_instance
from .rules import (
    Commitment,
    MemberFacts,
    Plane,
    ShiftFacts,
    WorkContext,
    clash,
    distance_from_home_km,
    plane_of,
    refusal,
)
from .sql import Sql, distance2_sql, eligible_sql

__all__ = [
    "Commitment",
    "DispatchWeights",
    "InstanceShift",
    "MemberFacts",
    "Plane",
    "ShiftFacts",
    "Sql",
    "WorkContext",
    "clash",
    "dispatch_instance",
    "distance2_sql",
    "distance_from_home_km",
    "eligible_sql",
    "epoch_minute",
    "horizon_of",
    "local_times",
    "member_facts",
    "plane_of",
    "refusal",
    "shift_facts",
    "work_context",
    "work_contexts",
]
