from .clients import BlockedClient, Client, ClientCooperative, ClientLinkRequest, ClientUser
from .dispatching import DispatchPolicy, DispatchRun, Offer
from .work import SLOT_HOLDING, CalendarFeed, Claim, Job, RateCard, Shift, Timesheet

__all__ = [
    "SLOT_HOLDING",
    "BlockedClient",
    "CalendarFeed",
    "Claim",
    "Client",
    "ClientCooperative",
    "ClientLinkRequest",
    "ClientUser",
    "DispatchPolicy",
    "DispatchRun",
    "Job",
    "Offer",
    "RateCard",
    "Shift",
    "Timesheet",
]
