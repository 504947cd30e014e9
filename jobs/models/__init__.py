from .clients import Client, ClientCooperative, ClientUser
from .work import SLOT_HOLDING, CalendarFeed, Claim, Job, RateCard, Shift, Timesheet

__all__ = [
    "SLOT_HOLDING",
    "CalendarFeed",
    "Claim",
    "Client",
    "ClientCooperative",
    "ClientUser",
    "Job",
    "RateCard",
    "Shift",
    "Timesheet",
]
