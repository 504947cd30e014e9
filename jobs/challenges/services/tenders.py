"""Tenders: the municipality publishes a public task, closes the window, scores and decides."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.challenges.access import require_municipality_user
from jobs.challenges.audit_actions import BID_DECIDED, TENDER_DECIDED, ChallengeAction
from jobs.challenges.lifecycle import BID, TENDER
from jobs.challenges.models import Bid, BidScore, Challenge, Tender
from jobs.challenges.notifications import board_of, notify
from jobs.models.work import CATEGORY_CHOICES
from members.validators import clean_postcode
from werkstation.audit import audit_record
from werkstation.errors import Conflict, PermissionDenied, ValidationFailed
from werkstation.geocoding import geocode
from werkstation.locks import lock_available, lock_get, lock_one, lock_where

from .common import cents, text

if TYPE_CHECKING:
    from jobs.models import Client
    from members.models import User

CATEGORIES = {value for value, _label in CATEGORY_CHOICES}


def _weights(price: object, quality: object, social: object) -> tuple[int, int, int]:
    values: list[int] = []
    for name, value in (
        ("weight_price", price),
        ("weight_quality", quality),
        ("weight_social", social),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise ValidationFailed(_("Give a weight from 0 to 100."), field=name)
        values.append(value)
    if sum(values) != 100:
        raise ValidationFailed(
            _("The weights of price, quality and social value add up to 100."),
            code="weights_sum",
            field="weight_social",
        )
    return values[0], values[1], values[2]


def _outcomes(value: object) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list):
        raise ValidationFailed(_("List the required outcomes."), field="required_outcomes")
    clean = [str(v).strip()[:300] for v in value if str(v).strip()]
    if not clean:
        raise ValidationFailed(
            _("Name at least one outcome the work must deliver."),
            code="required",
            field="required_outcomes",
        )
    return clean[:20]


def _reference(client: Client) -> str:
    year = timezone.localdate().year
    count = Tender.objects.filter(client=client, created_at__year=year).count()
    return f"RTC-{client.pk}-{year}-{count + 1:03d}"


@transaction.atomic
def tender_create(
    *,
    actor: User,
    client: Client,
    title: str,
    description: str,
    category: str,
    area: str,
    street: str,
    postcode: str,
    period_start: date,
    period_end: date,
    budget_ceiling: str | Decimal | int | float,
    required_outcomes: object,
    weight_price: int,
    weight_quality: int,
    weight_social: int,
    submission_deadline: datetime,
    decision_deadline: date,
    challenge: Challenge | None = None,
    publish: bool = False,
) -> Tender:
    require_municipality_user(actor, client)
    title = text(title, "title", max_length=150)
    description = text(description, "description")
    area = text(area, "area", max_length=200)
    street = text(street, "street", max_length=150)
    if category not in CATEGORIES:
        raise ValidationFailed(_("Choose a category from the list."), field="category")
    postcode = clean_postcode(postcode)
    found = geocode(postcode=postcode, street=street)
    if found is None:
        raise ValidationFailed(
            _("We could not find this address."), code="not_geocoded", field="postcode"
        )
    if period_end < period_start:
        raise ValidationFailed(
            _("The period ends before it starts."), code="end_before_start", field="period_end"
        )
    if period_end < timezone.localdate():
        raise ValidationFailed(_("The period has already ended."), field="period_end")
    ceiling = cents(budget_ceiling, "budget_ceiling")
    weights = _weights(weight_price, weight_quality, weight_social)
    outcomes = _outcomes(required_outcomes)
    now = timezone.now()
    if timezone.is_naive(submission_deadline):
        raise ValidationFailed(_("Give times with a time zone."), field="submission_deadline")
    if submission_deadline <= now:
        raise ValidationFailed(
            _("The submission deadline must be in the future."), field="submission_deadline"
        )
    if decision_deadline < timezone.localtime(submission_deadline).date():
        raise ValidationFailed(
            _("The decision deadline comes after the submission deadline."),
            field="decision_deadline",
        )
    if challenge is not None:
        if challenge.client_id != client.pk or challenge.status != Challenge.Status.ACCEPTED:
            raise ValidationFailed(
                _("Only an accepted challenge to this municipality leads to a tender."),
                field="challenge",
            )
        if Tender.objects.filter(challenge=challenge).exists():
            raise Conflict(_("This challenge already has a tender."), field="challenge")
    tender = Tender.objects.create(
        client=client,
        challenge=challenge,
        reference=_reference(client),
        title=title,
        description=description,
        category=category,
        area=area,
        street=street,
        postcode=postcode,
        latitude=found[0],
        longitude=found[1],
        period_start=period_start,
        period_end=period_end,
        budget_ceiling_cents=ceiling,
        required_outcomes=outcomes,
        weight_price=weights[0],
        weight_quality=weights[1],
        weight_social=weights[2],
        submission_opens=now,
        submission_deadline=submission_deadline,
        decision_deadline=decision_deadline,
        created_by=actor,
    )
    audit_record(actor=actor, action=ChallengeAction.TENDER_CREATED, target=tender)
    if publish:
        tender = tender_publish(actor=actor, tender=tender)
    return tender


@transaction.atomic
def tender_publish(*, actor: User, tender: Tender) -> Tender:
    require_municipality_user(actor, tender.client_id)
    # The municipality's row too (it is verified under its lock), in the lock order.
    lock_one("jobs.Client", tender.client_id)
    tender = lock_get("challenges.Tender", tender.pk, select_related=("client",))
    TENDER.check(
        tender,
        Tender.Status.OPEN,
        message=_("This tender is already published."),
        code="invalid_state",
    )
    if not tender.client.is_verified:
        raise PermissionDenied(
            _(
                "Platform staff have not verified this municipality yet; until then no tender goes out under its name."
            ),
            code="municipality_not_verified",
        )
    now = timezone.now()
    if tender.submission_deadline <= now:
        raise ValidationFailed(
            _("The submission deadline must be in the future."), field="submission_deadline"
        )
    tender.submission_opens = now
    TENDER.transition(
        tender,
        Tender.Status.OPEN,
        by=actor,
        at=now,
        extra_update_fields=["submission_opens"],
        audit_action=ChallengeAction.TENDER_PUBLISHED,
        cooperative_id=None,
    )
    boards = []
    for coop_id in tender.client.links.values_list("cooperative_id", flat=True):
        boards.extend(board_of(coop_id))
    notify(boards, event="tender_published", context={"tender": tender})
    return tender


def tender_window_open(tender: Tender, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        tender.status == Tender.Status.OPEN
        and tender.submission_opens <= now < tender.submission_deadline
    )


def _close(tender: Tender, *, actor: User | None = None) -> None:
    TENDER.transition(tender, Tender.Status.CLOSED, by=actor)
    # Drafts never submitted lapse with the window. All the tender's bids are locked at
    # once, in key order: deciding locks the submitted ones next.
    bids = cast("list[Bid]", lock_where(Bid.objects.filter(tender=tender)))
    for bid in [b for b in bids if b.status == Bid.Status.DRAFT]:
        bid.decision_reason = _("Not submitted before the deadline.")
        BID.transition(
            bid,
            Bid.Status.WITHDRAWN,
            by=None,
            extra_update_fields=["decision_reason"],
            audit_action=ChallengeAction.BID_LAPSED,
        )
    audit_record(
        actor=actor,
        action=ChallengeAction.TENDER_CLOSED,
        target=tender,
        data={"bids": Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).count()},
    )


@transaction.atomic
def tenders_close_due(*, now: datetime | None = None) -> int:
    """Beat: the side effects of a closed window (drafts lapse, the audit row).

    Readers need not wait for it: ``Tender.effective_status`` is closed from the deadline
    on. Idempotent: only tenders still stored as open are touched."""
    now = now or timezone.now()
    due = cast(
        "list[Tender]",
        lock_available(
            Tender.objects.filter(status=Tender.Status.OPEN, submission_deadline__lte=now)
        ),
    )
    for tender in due:
        _close(tender)
    return len(due)


@transaction.atomic
def bid_score(
    *, actor: User, bid: Bid, quality: object, social: object, note: str = ""
) -> BidScore:
    bid = Bid.objects.select_related("tender").get(pk=bid.pk)
    require_municipality_user(actor, bid.tender.client_id)
    if bid.tender.effective_status != Tender.Status.CLOSED:
        raise Conflict(
            _("Bids are scored after the submission window closes and before the decision."),
            code="invalid_state",
            field="tender",
        )
    if bid.status != Bid.Status.SUBMITTED:
        raise Conflict(_("Only submitted bids are scored."), code="invalid_state", field="bid")
    values: dict[str, Decimal] = {}
    for name, value in (("quality", quality), ("social", social)):
        try:
            number = Decimal(str(value))
        except Exception as exc:
            raise ValidationFailed(_("Give a score from 0 to 10."), field=name) from exc
        if not number.is_finite() or not 0 <= number <= 10:
            raise ValidationFailed(_("Give a score from 0 to 10."), field=name)
        values[name] = number.quantize(Decimal("0.1"))
    score, _created = BidScore.objects.update_or_create(
        bid=bid, assessor=actor, defaults={**values, "note": text(note, "note", required=False)}
    )
    audit_record(
        actor=actor,
        action=ChallengeAction.BID_SCORED,
        target=bid,
        cooperative_id=bid.cooperative_id,
        data={"quality": str(values["quality"]), "social": str(values["social"])},
    )
    return score


class BidRank(TypedDict):
    """A bid's points out of 100 (``bid_ranking``); ``None`` until an assessor scored it."""

    bid: Bid
    price: Decimal
    quality: Decimal | None
    social: Decimal | None
    total: Decimal | None
    assessors: int


def bid_ranking(tender: Tender) -> list[BidRank]:
    """Submitted (and decided) bids with their points out of 100, best first.

    Price earns 10 × lowest price ÷ this price; quality and social value are the mean of
    the assessors' scores; each is weighted by the tender's weights.
    """
    bids = list(
        Bid.objects.filter(
            tender=tender,
            status__in=[Bid.Status.SUBMITTED, Bid.Status.AWARDED, Bid.Status.REJECTED],
        )
        .select_related("cooperative")
        .prefetch_related("scores")
    )
    if not bids:
        return []
    lowest = min(b.price_cents for b in bids)
    rows: list[BidRank] = []
    for bid in bids:
        scores = list(bid.scores.all())
        price = Decimal(10) * lowest / bid.price_cents
        quality = sum((s.quality for s in scores), Decimal(0)) / len(scores) if scores else None
        social = sum((s.social for s in scores), Decimal(0)) / len(scores) if scores else None
        total = (
            (
                tender.weight_price * price
                + tender.weight_quality * quality
                + tender.weight_social * social
            )
            / 10
            if quality is not None and social is not None  # that is, if scores
            else None
        )
        rows.append(
            {
                "bid": bid,
                "price": price.quantize(Decimal("0.1")),
                "quality": quality.quantize(Decimal("0.1")) if quality is not None else None,
                "social": social.quantize(Decimal("0.1")) if social is not None else None,
                "total": total.quantize(Decimal("0.1")) if total is not None else None,
                "assessors": len(scores),
            }
        )
    rows.sort(key=lambda r: (r["total"] is None, -(r["total"] or 0), r["bid"].pk))
    return rows


@transaction.atomic
def tender_decide(
    *,
    actor: User,
    tender: Tender,
    bid: Bid | None,
    reason: str,
    rejection_reasons: dict[int, str] | None = None,
) -> Tender:
    """Award one bid (it becomes a contract) or award none; every bidder hears why."""
    require_municipality_user(actor, tender.client_id)
    tender = lock_get("challenges.Tender", tender.pk)
    reason = text(reason, "reason", max_length=4000)
    if tender.status == Tender.Status.OPEN and tender.submission_deadline <= timezone.now():
        _close(tender, actor=actor)
    if tender.status != Tender.Status.CLOSED:  # the field is the tender: not the table's
        raise Conflict(
            _("A tender is decided once its window has closed, and only once."),
            code="invalid_state",
            field="tender",
        )
    bids = cast(
        "list[Bid]", lock_where(Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED))
    )
    if bid is not None and bid.pk not in {b.pk for b in bids}:
        raise ValidationFailed(_("Choose one of this tender's submitted bids."), field="bid")
    ranking = {row["bid"].pk: row for row in bid_ranking(tender)}
    rejection_reasons = rejection_reasons or {}
    for other in bids:
        rank = ranking.get(other.pk)
        points = rank["total"] if rank is not None else None
        if bid is not None and other.pk == bid.pk:
            to, other.decision_reason = Bid.Status.AWARDED, reason
        else:
            to = Bid.Status.REJECTED
            own = str(rejection_reasons.get(other.pk, "")).strip()
            other.decision_reason = own or (
                _("Another bid was chosen. Your points: %(points)s. Reasons: %(reason)s")
                % {"points": points if points is not None else "–", "reason": reason}
            )
        BID.transition(
            other,
            to,
            by=actor,
            extra_update_fields=["decision_reason"],
            audit_action=BID_DECIDED[to],
            data={"points": str(points) if points is not None else None},
        )
        notify(
            board_of(other.cooperative_id),
            event="bid_decided",
            context={"bid": other, "tender": tender},
        )
    outcome = Tender.Status.AWARDED if bid is not None else Tender.Status.NOT_AWARDED
    tender.decision_reason = reason
    TENDER.transition(
        tender,
        outcome,
        by=actor,
        extra_update_fields=["decision_reason"],
        audit_action=TENDER_DECIDED[outcome],
        cooperative_id=None,
        data={"bid": bid.pk if bid is not None else None},
    )
    if bid is not None:
        from .contracts import contract_from_bid

        contract_from_bid(actor=actor, bid=Bid.objects.get(pk=bid.pk))
    return tender


def tender_deadline_soon(tender: Tender, *, hours: int = 48) -> bool:
    return tender.submission_deadline - timezone.now() <= timedelta(hours=hours)
