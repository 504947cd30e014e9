from .accounts import Invitation, User
from .cooperatives import Cooperative, Membership, Skill
from .governance import Cosigner, Elector, Proposal, Proxy, SimulationView, Vote
from .profiles import (
    AvailabilityException,
    AvailabilitySlot,
    MemberSkill,
    NotificationPreference,
    Profile,
)

__all__ = [
    "AvailabilityException",
    "AvailabilitySlot",
    "Cooperative",
    "Cosigner",
    "Elector",
    "Invitation",
    "MemberSkill",
    "Membership",
    "NotificationPreference",
    "Profile",
    "Proposal",
    "Proxy",
    "SimulationView",
    "Skill",
    "User",
    "Vote",
]
