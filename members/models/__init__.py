from .accounts import Invitation, User
from .cooperatives import Cooperative, Membership, Skill
from .governance import Cosigner, Elector, Proposal, Proxy, SimulationView, Vote
from .profiles import (
    AvailabilityException,
    AvailabilitySlot,
    BenefitArrangement,
    MemberSkill,
    NotificationPreference,
    Profile,
)
from .security import (
    ApiToken,
    EnrolmentLink,
    RateLimitHit,
    RecoveryCodes,
    RoleGrant,
    SecondApproval,
    TotpDevice,
)

__all__ = [
    "ApiToken",
    "AvailabilityException",
    "AvailabilitySlot",
    "BenefitArrangement",
    "Cooperative",
    "Cosigner",
    "Elector",
    "EnrolmentLink",
    "Invitation",
    "MemberSkill",
    "Membership",
    "NotificationPreference",
    "Profile",
    "Proposal",
    "Proxy",
    "RateLimitHit",
    "RecoveryCodes",
    "RoleGrant",
    "SecondApproval",
    "SimulationView",
    "Skill",
    "TotpDevice",
    "User",
    "Vote",
]
