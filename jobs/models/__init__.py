from .clients import Client, ClientCooperative, ClientUser
from .dispatching import DispatchPolicy, DispatchRun, Offer
from .work import SLOT_HOLDING, CalendarFeed, Claim, Job, RateCard, Shift, Timesheet

__all__ = [
    "SLOT_HOLDING",
    "CalendarFeed",
    "Claim",
    "Client",
    "DispatchPolicy",
    "DispatchRun",
    "Offer",
    "ClientCooperative",
    "ClientUser",
    "Job",
    "RateCard",
    "Shift",
    "Timesheet",
]
