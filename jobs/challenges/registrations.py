"""What the right-to-challenge app registers with ``jobs`` at app start."""

from jobs.services.jobs import shift_guard_register
from members.services.privacy import person_reference_register, personal_data_register

from .services.contracts import contract_shift_guard
from .services.social import export_target_groups, target_groups_erase

shift_guard_register(contract_shift_guard)
personal_data_register(
    name="social_return",
    fields=("challenges.TargetGroupMember.user",),
    export=export_target_groups,
    erase=target_groups_erase,
)
person_reference_register(
    "challenges.TargetGroupMember.recorded_by",
    "challenges.Tender.created_by",
    "challenges.Challenge.submitted_by",
    "challenges.Challenge.decided_by",
    "challenges.Bid.submitted_by",
    "challenges.Bid.created_by",
    "challenges.BidScore.assessor",
    "challenges.ContractAmendment.agreed_by",
    reason="who acted for a municipality or a board; the erased person's own row names nobody",
)

# Load the tasks so every process (web, worker, beat, tests) has them registered; their
# schedule is in werkstation/beat.py.
from . import tasks  # noqa: E402,F401
