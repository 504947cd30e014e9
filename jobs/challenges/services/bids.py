"""Bids: the board drafts, checks capacity, submits; a submitted bid is locked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jobs.challenges.audit_actions import ChallengeAction
from jobs.challenges.lifecycle import BID
from jobs.challenges.models import Bid, Tender
from jobs.challenges.notifications import municipality_users_of, notify
from members.access import require_role
from werkstation.audit import audit_record
from werkstation.errors import Conflict, ValidationFailed
from werkstation.locks import lock_get, lock_one
from werkstation.money import format_money

from .common import cents, text
from .recurrence import rules_clean
from .tenders import tender_window_open

if TYPE_CHECKING:
    from members.models import Cooperative, User

BID_FIELDS = {
    "price",
    "hourly_tariff",
    "plan",
    "staffing_plan",
    "social_member_hours",
    "social_target_group_members",
}


def _require_window(tender: Tender) -> None:
    if not tender_window_open(tender):
        raise Conflict(
            _("The submission window of this tender is closed."),
            code="window_closed",
            field="tender",
        )


def _clean(tender: Tender, cooperative_id: int, values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "price" in values:
        clean["price_cents"] = cents(values["price"], "price")
        if clean["price_cents"] > tender.budget_ceiling_cents:
            raise ValidationFailed(
                _("The price is above the tender's budget ceiling of %(ceiling)s.")
                % {"ceiling": format_money(tender.budget_ceiling_cents, language=get_language())},
                code="over_ceiling",
                field="price",
            )
    if "hourly_tariff" in values:
        clean["hourly_tariff_cents"] = cents(values["hourly_tariff"], "hourly_tariff")
    if "plan" in values:
        clean["plan"] = text(values["plan"], "plan")
    if "staffing_plan" in values:
        clean["staffing_plan"] = rules_clean(values["staffing_plan"], cooperative_id=cooperative_id)
    for name in ("social_member_hours", "social_target_group_members"):
        if name in values:
            value = values[name]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1_000_000:
                raise ValidationFailed(_("Give a whole number, zero or more."), field=name)
            clean[name] = value
    return clean


@transaction.atomic
def bid_create(*, actor: User, tender: Tender, cooperative: Cooperative, **values: Any) -> Bid:
    require_role(actor, cooperative, "board")
    tender = lock_get("challenges.Tender", tender.pk)
    _require_window(tender)
    if not tender.client.links.filter(cooperative=cooperative).exists():
        raise ValidationFailed(
            _("This municipality does not work with your cooperative yet."), field="cooperative"
        )
    unknown = set(values) - BID_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    for name in ("price", "hourly_tariff", "plan", "staffing_plan"):
        if name not in values:
            raise ValidationFailed(_("This field is required."), code="required", field=name)
    if (
        Bid.objects.filter(tender=tender, cooperative=cooperative)
        .exclude(status="withdrawn")
        .exists()
    ):
        raise Conflict(
            _("Your cooperative already has a bid on this tender."),
            code="duplicate",
            field="tender",
        )
    bid = Bid(
        tender=tender,
        cooperative=cooperative,
        created_by=actor,
        **_clean(tender, cooperative.pk, values),
    )
    bid.save()
    audit_record(
        actor=actor, action=ChallengeAction.BID_CREATED, target=bid, cooperative_id=cooperative.pk
    )
    return bid


def _lock_with_tender(bid: Bid) -> Bid:
    """The bid's tender, then the bid (the lock order): what closes or decides the tender
    waits for a change of the bid to end, and the other way round."""
    tender_id = Bid.objects.filter(pk=bid.pk).values_list("tender_id", flat=True).first()
    lock_one("challenges.Tender", tender_id)
    locked: Bid = lock_get("challenges.Bid", bid.pk, select_related=("tender",))
    return locked


def _locked_draft(actor: User, bid: Bid) -> Bid:
    require_role(actor, bid.cooperative_id, "board")
    bid = _lock_with_tender(bid)
    if bid.status != Bid.Status.DRAFT:
        raise Conflict(
            _("A submitted bid is locked and cannot be changed."), code="bid_locked", field="status"
        )
    return bid


@transaction.atomic
def bid_update(*, actor: User, bid: Bid, **values: Any) -> Bid:
    bid = _locked_draft(actor, bid)
    _require_window(bid.tender)
    unknown = set(values) - BID_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    clean = _clean(bid.tender, bid.cooperative_id, values)
    for name, value in clean.items():
        setattr(bid, name, value)
    if "staffing_plan" in clean:
        bid.capacity, bid.capacity_checked_at = {}, None  # the old check no longer applies
    bid.save()
    audit_record(
        actor=actor,
        action=ChallengeAction.BID_UPDATED,
        target=bid,
        cooperative_id=bid.cooperative_id,
        data={"fields": sorted(values)},
    )
    return bid


def bid_capacity_check(*, actor: User, bid: Bid) -> Bid:
    """Run the dispatcher over the shifts the contract would generate (outside a
    transaction: solving takes seconds) and keep the result on the draft."""
    from jobs.challenges.selectors.capacity import capacity_check

    require_role(actor, bid.cooperative_id, "board")
    bid = Bid.objects.select_related("tender__client", "cooperative").get(pk=bid.pk)
    if bid.status != Bid.Status.DRAFT:
        raise Conflict(
            _("A submitted bid is locked and cannot be changed."), code="bid_locked", field="status"
        )
    result = capacity_check(
        cooperative=bid.cooperative,
        tender=bid.tender,
        rules=bid.staffing_plan,
        hourly_tariff_cents=bid.hourly_tariff_cents,
    )
    with transaction.atomic():
        locked = _locked_draft(actor, bid)
        if locked.staffing_plan != bid.staffing_plan:
            raise Conflict(
                _("The staffing plan changed during the check; run it again."),
                code="stale",
                field="staffing_plan",
            )
        locked.capacity, locked.capacity_checked_at = result, timezone.now()
        locked.save(update_fields=["capacity", "capacity_checked_at"])
        audit_record(
            actor=actor,
            action=ChallengeAction.BID_CAPACITY_CHECKED,
            target=locked,
            cooperative_id=locked.cooperative_id,
            data={"coverage": result["coverage_percent"]},
        )
    return locked


@transaction.atomic
def bid_submit(*, actor: User, bid: Bid) -> Bid:
    bid = _locked_draft(actor, bid)
    _require_window(bid.tender)
    if bid.price_cents > bid.tender.budget_ceiling_cents:
        raise ValidationFailed(
            _("The price is above the tender's budget ceiling."), code="over_ceiling", field="price"
        )
    if bid.capacity_checked_at is None:
        raise Conflict(
            _("Run the capacity check first, so the municipality sees it with the bid."),
            code="capacity_unchecked",
            field="capacity",
        )
    BID.transition(
        bid,
        Bid.Status.SUBMITTED,
        by=actor,
        audit_action=ChallengeAction.BID_SUBMITTED,
        data={"price_cents": bid.price_cents},
    )
    notify(
        municipality_users_of(bid.tender.client_id),
        event="bid_submitted",
        context={"bid": bid, "tender": bid.tender},
    )
    return bid


@transaction.atomic
def bid_withdraw(*, actor: User, bid: Bid) -> Bid:
    require_role(actor, bid.cooperative_id, "board")
    bid = _lock_with_tender(bid)
    BID.check(
        bid, Bid.Status.WITHDRAWN, message=_("This bid is already decided."), code="invalid_state"
    )
    _require_window(bid.tender)
    BID.transition(bid, Bid.Status.WITHDRAWN, by=actor, audit_action=ChallengeAction.BID_WITHDRAWN)
    return bid
