"""Board dispatch: the whole cooperative planned at once, as offers members accept or decline.

The board asks for a run over a period; the run goes through the outbox to a Celery task
per cooperative, so cooperatives run in parallel on many workers. A large cooperative's
instance is cut into independent parts (connected components of the member-shift graph,
``jobs.dispatch.split``), each solved by its own task in a chord whose body merges them
into the one run (``dispatch_run_prepare`` / ``dispatch_part_solve`` /
``dispatch_run_merge``; ``dispatch_run_execute`` does all three in one process). The run builds the
dispatch instance from the database — every active member with a home and availability,
their skills with certificates valid on each date, their remaining yearly earnings
allowance, their existing claims as commitments, the open slots of the period's shifts;
the one builder of ``jobs.eligibility`` blocks whatever the claim check would refuse —
with the weights of the policy in force, solves it, and turns the new assignments into
offers with a deadline and a reason. Declined and expired offers are dispatched again
(the member who said no is not asked again for that shift).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs import dispatch, eligibility
from jobs.audit_actions import JobAction
from jobs.dispatch.report import part_report
from jobs.dispatch.split import merge_parts, split_instance
from jobs.lifecycle import CLAIM, OFFER
from jobs.models import SLOT_HOLDING, Claim, DispatchPolicy, DispatchRun, Job, Offer, Shift
from jobs.selectors.working_time import (
    PERIOD,
    RULE_NAMES,
    Held,
    MemberWork,
    held_work,
    refused_near_work,
)
from jobs.topics import Topic
from members.access import require_role
from members.models import Cooperative, Membership, Profile, User
from payouts.selectors.quotes import quote_shifts, standard_shares
from werkstation.audit import audit_record
from werkstation.engagements import ALL
from werkstation.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from werkstation.legal import LegalTable
from werkstation.locks import lock_get, lock_offers, lock_shifts, lock_users
from werkstation.money import format_money
from werkstation.notify import email_user_on_commit
from werkstation.outbox import outbox_emit
from werkstation.templatetags.money import day

from . import dispatch_report
from .claims import shift_claim

OFFER_HOURS = 24
MAX_PERIOD_DAYS = 31
TIME_LIMIT_SECONDS = 60
# A cooperative whose instance has more candidate (member, shift) pairs than this is cut
# into independent parts (connected components, packed) solved by separate tasks; at most
# MAX_PARTS of them, each given the whole time limit on its own worker.
PART_PAIRS = 60_000
MAX_PARTS = 16


def policy_in_force(cooperative_id: int, day: date) -> dict[str, Any]:
    policy = (
        DispatchPolicy.objects.filter(
            cooperative_id=cooperative_id, adopted=True, effective_from__lte=day
        )
        .order_by("-effective_from", "-version")
        .first()
    )
    if policy is None:
        return dict(DispatchPolicy.DEFAULTS)
    return {
        "km_cost_cents": policy.km_cost_cents,
        "shortfall_cents_per_minute": policy.shortfall_cents_per_minute,
    }


@transaction.atomic
def dispatch_request(
    *, actor: User | None, cooperative: Cooperative, period_start: date, period_end: date
) -> DispatchRun:
    if actor is not None:
        require_role(actor, cooperative, "board")
    if period_end < period_start:
        raise ValidationFailed(
            _("The period ends before it starts."), code="end_before_start", field="period_end"
        )
    if (period_end - period_start).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed(
            _("Dispatch at most %(n)s days at once.") % {"n": MAX_PERIOD_DAYS}, field="period_end"
        )
    run = DispatchRun.objects.create(
        cooperative=cooperative,
        period_start=period_start,
        period_end=period_end,
        requested_by=actor,
    )
    outbox_emit(topic=Topic.DISPATCH_REQUESTED, payload={"run_id": run.pk})
    audit_record(
        actor=actor,
        action=JobAction.DISPATCH_REQUESTED,
        target=run,
        cooperative_id=cooperative.pk,
        data={"from": period_start.isoformat(), "until": period_end.isoformat()},
    )
    return run


def _fairness_boost(
    user_ids: list[int], horizon: datetime, weekly_targets: dict[int, int]
) -> dict[int, int]:
    """Minutes short of target over the four weeks before: a member who had less work
    lately gets that much higher a target now (at most one week's target)."""
    since = horizon - timedelta(days=28)
    worked: dict[int, int] = defaultdict(int)
    for user_id, start, end in Claim.objects.filter(
        user_id__in=user_ids,
        status__in=["completed", "confirmed", "claimed"],
        start__gte=since,
        start__lt=horizon,
    ).values_list("user_id", "start", "end"):
        worked[user_id] += int((end - start).total_seconds() // 60)
    return {
        user_id: min(target, max(0, 4 * target - worked[user_id]) // 4)
        for user_id, target in weekly_targets.items()
    }


def _within_working_time(
    cooperative_id: int, offered_to: dict[int, list[Shift]], profiles: dict[int, Profile]
) -> tuple[dict[int, list[Shift]], list[tuple[int, int, str]]]:
    """Each member's offers that keep every Working Time Act rule, taken in start order,
    and the (member, shift, rule code) of each pair refused."""
    refused: list[tuple[int, int, str]] = []
    if not offered_to:
        return offered_to, refused
    starts = [s.start for offered in offered_to.values() for s in offered]
    ends = [s.end for offered in offered_to.values() for s in offered]
    held = held_work(offered_to, min(starts) - PERIOD, max(ends) + PERIOD)
    usual = dict(
        Membership.objects.filter(
            cooperative_id=cooperative_id, user_id__in=offered_to
        ).values_list("user_id", "engagement")
    )
    for user_id, shift_id, start, end in Offer.objects.filter(
        user_id__in=offered_to, status=Offer.Status.OPEN
    ).values_list("user_id", "shift_id", "shift__start", "shift__end"):
        held.setdefault(user_id, []).append(Held(shift_id, start, end, usual.get(user_id, "")))
    table = LegalTable.load()
    kept: dict[int, list[Shift]] = {}
    for user_id, offered in offered_to.items():
        work = MemberWork(profiles[user_id].user, held.get(user_id, []), table)
        engagement = usual.get(user_id, "")
        kept[user_id] = []
        for shift in sorted(offered, key=lambda s: (s.start, s.pk)):
            breach = work.verdict(shift.pk, shift.start, shift.end, engagement).breach
            if breach is not None:
                refused.append((user_id, shift.pk, RULE_NAMES[breach.rule]))
                continue
            work.take(shift.pk, shift.start, shift.end, engagement)
            kept[user_id].append(shift)
    return kept, refused


def build_instance(run: DispatchRun) -> tuple[dict[str, Any], dict[str, Any]]:
    """The contract's instance for a run, and what maps its ids back to rows.

    The same number of queries whatever the number of members: their work contexts are
    read in batches (``jobs.eligibility``) and the instance is built by the one builder."""
    cooperative = run.cooperative
    horizon = eligibility.horizon_of(run.period_start)
    end = eligibility.horizon_of(run.period_end + timedelta(days=1))
    days = (run.period_end - run.period_start).days + 1
    now = timezone.now()
    user_ids = list(
        Profile.objects.filter(
            user__memberships__cooperative=cooperative,
            user__memberships__status="active",
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    contexts = eligibility.work_contexts(user_ids, now=now, earnings=True)
    shifts = list(
        Shift.objects.filter(
            cooperative=cooperative,
            status="open",
            job_status__in=[Job.Status.OPEN, Job.Status.IN_PROGRESS],
            start__gte=max(horizon, now),
            start__lt=end,
        ).select_related("job__client")
    )
    shift_ids = [s.pk for s in shifts]
    # Dispatch weighs a shift by its member share before it knows who takes it.
    shares = standard_shares(shifts)
    outside: dict[int, int] = defaultdict(int)  # slots held by people outside the instance
    for shift_id in (
        Claim.objects.filter(shift_id__in=shift_ids, status__in=SLOT_HOLDING)
        .exclude(user_id__in=user_ids)
        .values_list("shift_id", flat=True)
    ):
        outside[shift_id] += 1
    pending: dict[int, int] = defaultdict(int)
    said_no: dict[int, list[str]] = defaultdict(list)  # shifts a member may not be offered (again)
    for shift_id, user_id in Offer.objects.filter(
        shift_id__in=shift_ids, status=Offer.Status.OPEN
    ).values_list("shift_id", "user_id"):
        pending[shift_id] += 1
        said_no[user_id].append(str(shift_id))
    for shift_id, user_id in Offer.objects.filter(
        shift_id__in=shift_ids, status__in=[Offer.Status.DECLINED, Offer.Status.EXPIRED]
    ).values_list("shift_id", "user_id"):
        said_no[user_id].append(str(shift_id))
    usual = dict(
        Membership.objects.filter(cooperative=cooperative, user_id__in=user_ids).values_list(
            "user_id", "engagement"
        )
    )
    # The Working Time Act: a shift that, with the work a member holds, would break a rule.
    if shifts:
        held = held_work(user_ids, horizon - PERIOD, end + PERIOD)
        born = dict(
            Profile.objects.filter(user_id__in=list(held)).values_list("user_id", "date_of_birth")
        )
        by_rule = refused_near_work(shifts, held, usual, born)
        for user_id, keys in by_rule.items():
            said_no[user_id].extend(keys)
    else:
        by_rule = {}
    # An offer is claimed as the member usually works: not where the job does not allow it.
    restricted = [s for s in shifts if set(s.job.engagements) != set(ALL)]
    if restricted:
        for shift in restricted:
            for user_id in user_ids:
                if usual.get(user_id) not in shift.job.engagements:
                    said_no[user_id].append(str(shift.pk))
    offered = [
        eligibility.InstanceShift(
            key=str(shift.pk),
            facts=eligibility.shift_facts(shift),
            slots=shift.slots - outside[shift.pk] - pending[shift.pk],
            pay_cents=shares[shift.pk],
        )
        for shift in shifts
    ]
    weekly_targets = {
        user_id: context.facts.target_minutes_per_week for user_id, context in contexts.items()
    }
    boost = _fairness_boost(user_ids, horizon, weekly_targets)
    instance = eligibility.dispatch_instance(
        contexts=list(contexts.values()),
        shifts=[s for s in offered if s.slots >= 1],
        first_day=run.period_start,
        days=days,
        weights=eligibility.DispatchWeights(
            travel_speed_kmh=cooperative.travel_speed_kmh,
            km_cost_cents=run.km_cost_cents,
            shortfall_cents_per_minute=run.shortfall_cents_per_minute,
        ),
        now_minute=eligibility.epoch_minute(now),
        refused=said_no,
        targets={
            user_id: target * days // 7 + boost[user_id]
            for user_id, target in weekly_targets.items()
        },
    )
    return instance, {
        "shifts": {str(s.pk): s for s in shifts},
        "targets": weekly_targets,
        "boost": boost,
        "working_time": {str(user_id): keys for user_id, keys in by_rule.items()},
        "coverage": dispatch_report.coverage_facts(shifts, outside, pending),
    }


def _reason(shift: Shift, profile: Profile, target: int, boost: int, pay_cents: int) -> str:
    assert profile.latitude is not None
    assert profile.longitude is not None
    km = eligibility.distance_from_home_km(
        (float(profile.latitude), float(profile.longitude)), shift.latitude, shift.longitude
    )
    local = timezone.localtime(shift.start)
    parts = [
        _("It fits your availability on %(day)s %(start)s–%(end)s")
        % {
            "day": day(local),
            "start": time_format(local, "H:i"),
            "end": time_format(timezone.localtime(shift.end), "H:i"),
        },
        _("%(km).1f km from home") % {"km": km},
        _("%(amount)s for you if you work it as posted")
        % {"amount": format_money(pay_cents, language=translation.get_language())},
    ]
    if shift.required_skill is not None:
        parts.append(_("you have the skill %(skill)s") % {"skill": shift.required_skill.name})
    if boost:
        parts.append(_("you had less work than your target lately, so you go first"))
    elif target:
        parts.append(_("it brings you closer to your target of %(h)s hours") % {"h": target // 60})
    return "; ".join(parts) + "."


def _reason_for(shift: Shift, profile: Profile, target: int, boost: int, pay_cents: int) -> str:
    with translation.override(profile.user.preferred_language or "nl"):
        return _reason(shift, profile, target, boost, pay_cents)


def dispatch_run_prepare(*, run_id: int, part_pairs: int | None = None) -> dict[str, Any] | None:
    """Build the run's instance and cut it into independent parts (``None`` when the run
    is no longer queued). Everything returned is JSON, so the parts can travel to other
    workers: ``parts`` (instances of the file contract), and what the merge needs —
    the policy, the constant of members without work, the commitments and the targets
    behind the offers' reasons."""
    run = DispatchRun.objects.select_related("cooperative").get(pk=run_id)
    if run.status != DispatchRun.Status.QUEUED:
        return None
    policy = policy_in_force(run.cooperative_id, run.period_start)
    run.km_cost_cents, run.shortfall_cents_per_minute = (
        policy["km_cost_cents"],
        policy["shortfall_cents_per_minute"],
    )
    instance_data, rows = build_instance(run)
    instance = dispatch.parse_instance(instance_data)
    split = split_instance(
        instance_data,
        instance,
        parts=MAX_PARTS,
        part_pairs=PART_PAIRS if part_pairs is None else part_pairs,
    )
    return {
        "run_id": run.pk,
        "policy": policy,
        "parts": split.parts,
        "part_pairs": split.pairs,
        "constant": split.constant,
        "commitments": [[m["id"], c] for m in instance_data["members"] for c in m["commitments"]],
        "targets": {str(user_id): minutes for user_id, minutes in rows["targets"].items()},
        "boost": {str(user_id): minutes for user_id, minutes in rows["boost"].items()},
        "explain": dispatch_report.plan_facts(instance, rows),
    }


def dispatch_part_solve(
    *, part: dict[str, Any], time_limit: float = TIME_LIMIT_SECONDS
) -> dict[str, Any]:
    """Solve one part (pure: no database). The answer is JSON for the merge; a part that
    cannot be solved answers ``{"error": ...}`` so that the merge fails the run instead
    of the chord waiting for ever."""
    try:
        instance = dispatch.parse_instance(part)
        answer = dispatch.solve(instance, time_limit=time_limit)
    except (dispatch.DispatchError, ValueError, ArithmeticError, MemoryError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {
        "pairs": [list(p) for p in answer.pairs],
        "objective": answer.objective,
        "bound": answer.bound,
        "status": answer.status,
        # What the board is shown of this part (after the solve, outside its time limit).
        "report": part_report(instance, answer.pairs),
    }


def dispatch_run_merge(*, plan: dict[str, Any], results: list[dict[str, Any]]) -> DispatchRun:
    """Merge the parts' answers into the run and make the offers. Idempotent: a run that
    is no longer queued (merged before, e.g. after a redelivered task) is left alone.
    If a part failed, the run fails and no offers are made."""
    errors = [r["error"] for r in results if "error" in r]
    if errors:
        with transaction.atomic():
            run: DispatchRun = lock_get("jobs.DispatchRun", plan["run_id"])
            if run.status == DispatchRun.Status.QUEUED:
                run.status, run.finished_at = DispatchRun.Status.FAILED, timezone.now()
                run.error = "\n".join(errors)
                run.save(update_fields=["status", "finished_at", "error"])
                audit_record(
                    actor=None,
                    action=JobAction.DISPATCH_FAILED,
                    target=run,
                    cooperative_id=run.cooperative_id,
                    data={"errors": errors},
                )
        return run
    assignment = merge_parts(
        [
            dispatch.Assignment(
                pairs=tuple((m, s) for m, s in r["pairs"]),
                objective=r["objective"],
                bound=r["bound"],
                status=r["status"],
            )
            for r in results
        ],
        plan["constant"],
    )
    committed = {(m, s) for m, s in plan["commitments"]}
    new_pairs = [(m, s) for m, s in assignment.pairs if (m, s) not in committed]
    shifts = Shift.objects.select_related("job__client", "required_skill").in_bulk(
        [int(s) for _, s in new_pairs]
    )
    profiles = {
        p.user_id: p
        for p in Profile.objects.filter(user_id__in={int(m) for m, _ in new_pairs}).select_related(
            "user"
        )
    }
    offered_to: dict[int, list[Shift]] = defaultdict(list)
    for member_id, shift_id in new_pairs:
        if int(shift_id) in shifts and int(member_id) in profiles:
            offered_to[int(member_id)].append(shifts[int(shift_id)])
    # Eligibility again as the offers are made: an offer never breaks the Working Time Act
    # across the member's claims and open offers; a pair that would is left for the next run.
    if shifts:  # one cooperative's run: every shift is its own
        cooperative_id = next(iter(shifts.values())).cooperative_id
        offered_to, refused_at_offer = _within_working_time(cooperative_id, offered_to, profiles)
    else:
        refused_at_offer = []
    new_pairs = [
        (m, s)
        for m, s in new_pairs
        if any(shift.pk == int(s) for shift in offered_to.get(int(m), ()))
    ]
    pay = {  # each offer priced for its member, as if it were their next claim
        (member_id, shift_id): quote.member_cents
        for member_id, offered in offered_to.items()
        for shift_id, quote in quote_shifts(profiles[member_id].user, offered).items()
    }
    policy = plan["policy"]
    with transaction.atomic():
        run = lock_get("jobs.DispatchRun", plan["run_id"])
        if run.status != DispatchRun.Status.QUEUED:
            return run
        now = timezone.now()
        offers = []
        for member_id, shift_id in new_pairs:
            shift, profile = shifts.get(int(shift_id)), profiles.get(int(member_id))
            if shift is None or profile is None:  # deleted while the parts were solved
                continue
            offer = Offer(
                run=run,
                shift=shift,
                user_id=int(member_id),
                deadline=min(now + timedelta(hours=OFFER_HOURS), shift.start - timedelta(hours=1)),
                reason=_reason_for(
                    shift,
                    profile,
                    plan["targets"][member_id],
                    plan["boost"][member_id],
                    pay[(int(member_id), shift.pk)],
                ),
                pay_cents=pay[(int(member_id), shift.pk)],
            )
            offers.append(offer)
        Offer.objects.bulk_create(offers)
        for offer in offers:
            user = profiles[offer.user_id].user
            email_user_on_commit(
                to=user.email,
                language=user.preferred_language,
                subject=gettext_lazy("Work offered to you"),
                template="jobs/email/offer.txt",
                context={"offer": offer, "shift": offer.shift, "job": offer.shift.job},
            )
        run.km_cost_cents = policy["km_cost_cents"]
        run.shortfall_cents_per_minute = policy["shortfall_cents_per_minute"]
        run.status, run.finished_at = DispatchRun.Status.DONE, now
        run.objective, run.bound, run.offers_made = (
            assignment.objective,
            assignment.bound,
            len(offers),
        )
        run.summary = dispatch_report.run_summary(
            run=run,
            plan=plan,
            results=results,
            assignment=assignment,
            offers=offers,
            refused_at_offer=refused_at_offer,
        )
        run.save()
        audit_record(
            actor=None,
            action=JobAction.DISPATCH_DONE,
            target=run,
            cooperative_id=run.cooperative_id,
            data={"offers": len(offers), "objective": assignment.objective, "parts": len(results)},
        )
    return run


def dispatch_run_execute(*, run_id: int, part_pairs: int | None = None) -> DispatchRun:
    """The whole run in this process: prepare, solve the parts one after the other (the
    time limit shared by their size), merge. The Celery task does the same with the
    parts on other workers. Idempotent: a finished run is left alone."""
    plan = dispatch_run_prepare(run_id=run_id, part_pairs=part_pairs)
    if plan is None:
        return DispatchRun.objects.get(pk=run_id)
    parts, sizes = plan.pop("parts"), plan.pop("part_pairs")
    total = max(1, sum(sizes))
    results = [
        dispatch_part_solve(part=part, time_limit=TIME_LIMIT_SECONDS * size / total)
        for part, size in zip(parts, sizes, strict=True)
    ]
    return dispatch_run_merge(plan=plan, results=results)


def _redispatch(offer: Offer) -> None:
    shift_day = timezone.localtime(offer.shift.start).date()
    queued = DispatchRun.objects.filter(
        cooperative_id=offer.shift.cooperative_id,
        status=DispatchRun.Status.QUEUED,
        period_start__lte=shift_day,
        period_end__gte=shift_day,
    ).exists()
    if not queued:
        dispatch_request(
            actor=None,
            cooperative=offer.shift.cooperative,
            period_start=shift_day,
            period_end=shift_day,
        )


def offer_respond(*, user: User, offer_id: int, accept: bool) -> Offer:
    """Accept (the shift becomes a confirmed claim) or decline (it is dispatched again).

    An offer whose shift can no longer be taken is marked lapsed — that is kept — and the
    member is told why.
    """
    lapsed_because = None
    with transaction.atomic():
        # Lock order (werkstation.locks): the member, the shift, then the offer; accepting
        # claims the shift, which takes the same member and shift locks again.
        shift_id = (
            Offer.objects.filter(pk=offer_id, user=user).values_list("shift_id", flat=True).first()
        )
        if shift_id is None:
            raise NotFound(_("Offer not found."), field="offer")
        lock_users([user.pk])
        lock_shifts([shift_id])
        offers = lock_offers([offer_id], select_related=("shift__job", "shift__cooperative"))
        offer: Offer | None = offers[0] if offers else None
        if offer is None:
            raise NotFound(_("Offer not found."), field="offer")
        if offer.status_at() != Offer.Status.OPEN:  # the clock ends an offer, not beat
            raise Conflict(_("This offer is no longer open."), code="offer_closed", field="offer")
        responded_at = timezone.now()
        if not accept:
            OFFER.transition(offer, Offer.Status.DECLINED, by=user, at=responded_at)
            _redispatch(offer)
            return offer
        try:
            with transaction.atomic():
                claim = shift_claim(user=user, shift=offer.shift, allow_waitlist=False)
        except ApplicationError as exc:
            OFFER.transition(offer, Offer.Status.LAPSED, by=user, at=responded_at)
            lapsed_because = exc.message
        else:
            if (
                claim.status == Claim.Status.CLAIMED
            ):  # the board made the offer: it counts as confirmed
                CLAIM.transition(claim, Claim.Status.CONFIRMED, by=user)
            OFFER.transition(offer, Offer.Status.ACCEPTED, by=user, at=responded_at)
    if lapsed_because is not None:
        raise Conflict(
            _("This shift can no longer be yours: %(reason)s") % {"reason": lapsed_because},
            code="offer_lapsed",
            field="offer",
        )
    return offer


@transaction.atomic
def offers_expire_dispatch(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    expired = [
        offer
        for offer in lock_offers(
            Offer.objects.filter(status=Offer.Status.OPEN, deadline__lt=now).values_list(
                "pk", flat=True
            ),
            select_related=("shift__cooperative",),
        )
        if offer.status == Offer.Status.OPEN
    ]
    for offer in expired:
        OFFER.transition(offer, Offer.Status.EXPIRED, by=None)
        _redispatch(offer)
    return len(expired)


def offers_of(user: User) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(user=user)
        .filter(
            Q(status=Offer.Status.OPEN) | Q(responded_at__gte=timezone.now() - timedelta(days=14))
        )
        .select_related("shift__job")
    )
