from .accounts import Invitation, User
from .cooperatives import Cooperative, Membership, Skill
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
    "Invitation",
    "MemberSkill",
    "Membership",
    "NotificationPreference",
    "Profile",
    "Skill",
    "User",
]
