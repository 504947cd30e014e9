"""Posting work: jobs, shifts (single or from a weekly pattern), edits and cancellations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.access import is_client_user, require_job_manager
from jobs.audit_actions import JobAction
from jobs.eligibility import local_times
from jobs.lifecycle import JOB
from jobs.models import SLOT_HOLDING, Claim, Client, Job, RateCard, Shift
from jobs.models.work import CATEGORY_CHOICES
from jobs.notifications import notify_claim
from members.access import has_role
from members.validators import clean_postcode
from payouts.selectors.minimum_wage import require_tariff_pays_minimum_wage
from werkstation.audit import audit_record
from werkstation.engagements import all_engagements, clean_engagements
from werkstation.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from werkstation.geo import check_coordinates
from werkstation.geocoding import geocode
from werkstation.locks import lock_claims, lock_jobs, lock_shifts
from werkstation.money import round_major, to_minor

if TYPE_CHECKING:
    from collections.abc import Iterable
    from decimal import Decimal

    from members.models import Cooperative, Skill, User

MAX_SHIFT_HOURS = 16
MAX_PATTERN_WEEKS = 52
CATEGORIES = {value for value, _label in CATEGORY_CHOICES}


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def shift_denormalize(shift: Shift, job: Job) -> Shift:
    """Copy what the feed filters on from the job and the times onto the shift."""
    shift.cooperative_id = job.cooperative_id
    shift.job_status = job.status
    shift.category = job.category
    shift.required_skill_id = job.required_skill_id
    shift.latitude = float(job.latitude)
    shift.longitude = float(job.longitude)
    for name, value in local_times(shift.start, shift.end).items():
        setattr(shift, name, value)
    return shift


def _require_poster(user: User, cooperative: Cooperative, client: Client) -> None:
    if not client.links.filter(cooperative=cooperative).exists():
        raise ValidationFailed(
            _("This client does not work with this cooperative."), field="client"
        )
    if not (is_client_user(user, client) or has_role(user, cooperative, "board")):
        raise PermissionDenied(
            _("Only the client's users or the cooperative's board post work for this client."),
            code="job_manager_required",
        )


def _money(value: str | Decimal | int | float, field: str) -> Decimal:
    """An amount in euros as given, rounded half up to the cent."""
    try:
        amount = round_major(str(value))
    except ValueError as exc:
        raise ValidationFailed(_("Enter an amount in euros."), field=field) from exc
    if amount < 0:
        raise ValidationFailed(_("An amount cannot be negative."), field=field)
    return amount


@transaction.atomic
def job_create(
    *,
    actor: User,
    cooperative: Cooperative,
    client: Client,
    title: str,
    category: str,
    street: str,
    postcode: str,
    city: str = "Utrecht",
    description: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    required_skill: Skill | None = None,
    client_tariff: Decimal | None = None,
    auto_confirm: bool = False,
    publish: bool = True,
    source: str = Job.Source.DIRECT,
    engagements: Iterable[str] | None = None,
) -> Job:
    _require_poster(actor, cooperative, client)
    if engagements is None:
        engagements = all_engagements()
    else:
        engagements = clean_engagements(engagements)
        _require_board_for_engagements(actor, cooperative.pk, engagements)
    if not (title or "").strip():
        raise ValidationFailed(_("Give the job a title."), code="required", field="title")
    if category not in CATEGORIES:
        raise ValidationFailed(_("Choose a category from the list."), field="category")
    postcode = clean_postcode(postcode)
    if required_skill is not None and required_skill.cooperative_id != cooperative.pk:
        raise ValidationFailed(
            _("This skill is not on the cooperative's list."), field="required_skill"
        )
    if (latitude is None) != (longitude is None):
        raise ValidationFailed(_("Give both latitude and longitude."), field="longitude")
    check_coordinates(latitude, longitude)
    if latitude is None:
        found = geocode(postcode=postcode, street=street)
        if found is None:
            raise ValidationFailed(
                _("We could not find this address. Check the postcode and the house number."),
                code="not_geocoded",
                field="postcode",
            )
        latitude, longitude = found
    assert longitude is not None  # given together with latitude (checked above)
    rate = RateCard.objects.filter(cooperative=cooperative, category=category).first()
    asked_tariff = client_tariff
    if client_tariff is None:
        if rate is None:
            raise ValidationFailed(
                _("The cooperative has no standard rate for this category: give the rate."),
                code="required",
                field="client_tariff",
            )
        client_tariff = rate.client_tariff.amount
    client_tariff = _money(client_tariff, "client_tariff")
    require_tariff_pays_minimum_wage(
        cooperative_id=cooperative.pk,
        tariff_cents=to_minor(client_tariff),
        category=category,
        client_kind=client.kind,
        on=timezone.localdate(),
        engagements=engagements,
    )
    if asked_tariff is not None:
        _require_board_for_another_price(actor, cooperative.pk, rate, client_tariff)
    job = Job.objects.create(
        cooperative=cooperative,
        client=client,
        title=title.strip(),
        description=description,
        category=category,
        street=street,
        postcode=postcode,
        city=city,
        latitude=latitude,
        longitude=longitude,
        required_skill=required_skill,
        client_tariff=client_tariff,
        auto_confirm=auto_confirm,
        engagements=engagements,
        status=Job.Status.OPEN if publish else Job.Status.DRAFT,
        created_by=actor,
        source=source,
    )
    audit_record(
        actor=actor, action=JobAction.JOB_CREATED, target=job, cooperative_id=cooperative.pk
    )
    return job


JOB_EDITABLE = {"title", "description", "auto_confirm", "client_tariff", "engagements"}


def _require_board_for_engagements(
    actor: User, cooperative_id: int, engagements: Iterable[str]
) -> None:
    """How members are engaged (payroll, self-employed, volunteer) is the board's call."""
    if set(engagements) != set(all_engagements()) and not has_role(actor, cooperative_id, "board"):
        raise PermissionDenied(
            _("Only the cooperative's board decides how members may be engaged for a job."),
            code="board_required",
            field="engagements",
        )


def _require_board_for_another_price(
    actor: User, cooperative_id: int, rate: RateCard | None, tariff: Decimal
) -> None:
    """A client pays the cooperative's standard price for the category: only the board
    agrees another (where the cooperative has none, the poster gives the price)."""
    if rate is None or tariff == rate.client_tariff.amount:
        return
    if not has_role(actor, cooperative_id, "board"):
        raise PermissionDenied(
            _("Only the cooperative's board agrees a price other than its standard rate."),
            code="board_required",
            field="client_tariff",
        )


@transaction.atomic
def job_update(*, actor: User, job: Job, **fields: Any) -> Job:
    require_job_manager(actor, job)
    unknown = set(fields) - JOB_EDITABLE
    if unknown:
        raise ValidationFailed(_("This field cannot be changed here."), field=sorted(unknown)[0])
    job = _lock_job(job.pk)
    if job.status in (Job.Status.COMPLETED, Job.Status.CANCELLED):
        raise Conflict(_("A finished job cannot be changed."), code="invalid_state", field="status")
    if "engagements" in fields:
        fields["engagements"] = clean_engagements(fields["engagements"])
        if fields["engagements"] != job.engagements:
            _require_board_for_engagements(actor, job.cooperative_id, [])
    if "client_tariff" in fields:
        fields["client_tariff"] = _money(fields["client_tariff"], "client_tariff")
    if "client_tariff" in fields or "engagements" in fields:
        require_tariff_pays_minimum_wage(
            cooperative_id=job.cooperative_id,
            tariff_cents=to_minor(fields.get("client_tariff", job.client_tariff.amount)),
            category=job.category,
            client_kind=job.client.kind,
            on=timezone.localdate(),
            engagements=fields.get("engagements", job.engagements),
        )
    if "client_tariff" in fields and fields["client_tariff"] != job.client_tariff.amount:
        rate = RateCard.objects.filter(cooperative_id=job.cooperative_id, category=job.category)
        _require_board_for_another_price(
            actor, job.cooperative_id, rate.first(), fields["client_tariff"]
        )
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()
    audit_record(
        actor=actor,
        action=JobAction.JOB_UPDATED,
        target=job,
        cooperative_id=job.cooperative_id,
        data={"fields": sorted(fields)},
    )
    return job


@transaction.atomic
def job_transition(*, actor: User | None, job: Job, to: str) -> Job:
    if actor is not None:
        require_job_manager(actor, job)
    job = _lock_job(job.pk)
    before = job.status
    JOB.transition(
        job,
        to,
        by=actor,
        audit_action=JobAction.JOB_STATUS_CHANGED,
        data={"from": before, "to": to},
    )
    shifts = lock_shifts(Shift.objects.filter(job=job).values_list("pk", flat=True))
    Shift.objects.filter(job=job).update(job_status=to)
    if to == Job.Status.CANCELLED:
        _cancel_shifts(
            [s for s in shifts if s.status == Shift.Status.OPEN and s.start > timezone.now()],
            reason=_("The job was cancelled."),
        )
    return job


# Work is planned at most five years ahead (a long right-to-challenge contract); a date
# near the calendar's end would overflow the arithmetic on it.
MAX_DAYS_AHEAD = 5 * 366


def _validate_times(start: datetime, end: datetime, *, field_prefix: str = "") -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationFailed(_("Give times with a time zone."), field=f"{field_prefix}start")
    if end <= start:
        raise ValidationFailed(
            _("The end must be after the start."),
            code="end_before_start",
            field=f"{field_prefix}end",
        )
    if end - start > timedelta(hours=MAX_SHIFT_HOURS):
        raise ValidationFailed(
            _("A shift lasts at most %(hours)s hours.") % {"hours": MAX_SHIFT_HOURS},
            field=f"{field_prefix}end",
        )
    if start <= timezone.now():
        raise ValidationFailed(
            _("A shift cannot start in the past."), code="in_the_past", field=f"{field_prefix}start"
        )
    if start > timezone.now() + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed(
            _("A shift starts within five years from now."),
            code="out_of_range",
            field=f"{field_prefix}start",
        )


def _validate_first_date(first_date: date) -> None:
    """Patterns start between today and ``MAX_DAYS_AHEAD`` from now."""
    today = timezone.localdate()
    if not isinstance(first_date, date) or not (
        today - timedelta(days=1) <= first_date <= today + timedelta(days=MAX_DAYS_AHEAD)
    ):
        raise ValidationFailed(
            _("Start the pattern between today and five years from now."),
            code="out_of_range",
            field="first_date",
        )


def _validate_slots(slots: int, field: str = "slots") -> None:
    if not isinstance(slots, int) or isinstance(slots, bool) or slots < 1:
        raise ValidationFailed(
            _("A shift needs at least one slot."), code="invalid_slots", field=field
        )
    if slots > 200:
        raise ValidationFailed(_("At most 200 slots per shift."), code="invalid_slots", field=field)


def _lock_job(job_id: int) -> Job:
    jobs: list[Job] = lock_jobs([job_id])
    if not jobs:
        raise NotFound(_("Job not found."), field="job")
    return jobs[0]


def _lock_shift(shift_id: int) -> Shift:
    shifts: list[Shift] = lock_shifts([shift_id], select_related=("job",))
    if not shifts:
        raise NotFound(_("Shift not found."), field="shift")
    return shifts[0]


def _open_job_for_shifts(actor: User, job: Job) -> Job:
    require_job_manager(actor, job)
    job = _lock_job(job.pk)
    if job.status not in (Job.Status.DRAFT, Job.Status.OPEN, Job.Status.IN_PROGRESS):
        raise Conflict(
            _("Shifts can only be added to a job that is not finished."),
            code="invalid_state",
            field="job",
        )
    return job


# Hooks that may refuse new shifts (the right-to-challenge contracts register one for
# their budget); each is called with the job and the new shifts and raises to refuse.
# An edit of a shift's times or slots asks them too, naming the shift it replaces.
class ShiftGuard(Protocol):
    def __call__(self, *, job: Job, shifts: list[Shift], replaces: int | None = None) -> None: ...


_SHIFT_GUARDS: list[ShiftGuard] = []


def shift_guard_register(guard: ShiftGuard) -> None:
    _SHIFT_GUARDS.append(guard)


def _create_shifts(
    job: Job, spans: list[tuple[datetime, datetime]], slots: int, actor: User | None
) -> list[Shift]:
    shifts = [
        shift_denormalize(Shift(job=job, start=start, end=end, slots=slots), job)
        for start, end in spans
    ]
    for guard in _SHIFT_GUARDS:
        guard(job=job, shifts=shifts)
    created = Shift.objects.bulk_create(shifts)
    audit_record(
        actor=actor,
        action=JobAction.SHIFT_CREATED,
        target=job,
        cooperative_id=job.cooperative_id,
        data={"count": len(created), "first": spans[0][0].isoformat()},
    )
    return created


@transaction.atomic
def shift_create(*, actor: User, job: Job, start: datetime, end: datetime, slots: int = 1) -> Shift:
    job = _open_job_for_shifts(actor, job)
    _validate_times(start, end)
    _validate_slots(slots)
    return _create_shifts(job, [(start, end)], slots, actor)[0]


@transaction.atomic
def shifts_create_weekly(
    *,
    actor: User,
    job: Job,
    first_date: date,
    weekdays: list[int],
    start_time: time,
    end_time: time,
    weeks: int,
    slots: int = 1,
) -> list[Shift]:
    """Many shifts at once, e.g. every Tuesday 9–12 for 8 weeks. An end before the start
    means the shift runs past midnight."""
    job = _open_job_for_shifts(actor, job)
    if not weekdays or any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
        raise ValidationFailed(
            _("Choose weekdays from 0 (Monday) to 6 (Sunday)."), field="weekdays"
        )
    if not isinstance(weeks, int) or not 1 <= weeks <= MAX_PATTERN_WEEKS:
        raise ValidationFailed(
            _("Repeat for 1 to %(max)s weeks.") % {"max": MAX_PATTERN_WEEKS}, field="weeks"
        )
    if start_time == end_time:
        raise ValidationFailed(
            _("The end must be after the start."), code="end_before_start", field="end_time"
        )
    _validate_slots(slots)
    _validate_first_date(first_date)
    tz = _tz()
    spans = []
    for week in range(weeks):
        for weekday in sorted(set(weekdays)):
            day = first_date + timedelta(days=(weekday - first_date.weekday()) % 7 + 7 * week)
            start = datetime.combine(day, start_time, tzinfo=tz)
            end_day = day if end_time > start_time else day + timedelta(days=1)
            end = datetime.combine(end_day, end_time, tzinfo=tz)
            spans.append((start, end))
    for start, end in spans:
        _validate_times(start, end, field_prefix="")
    return _create_shifts(job, spans, slots, actor)


@transaction.atomic
def shift_update(
    *,
    actor: User,
    shift: Shift,
    start: datetime | None = None,
    end: datetime | None = None,
    slots: int | None = None,
) -> Shift:
    shift = _lock_shift(shift.pk)
    require_job_manager(actor, shift.job)
    if shift.status != Shift.Status.OPEN:
        raise Conflict(
            _("A cancelled shift cannot be changed."), code="invalid_state", field="status"
        )
    new_start, new_end = start or shift.start, end or shift.end
    times_changed = (new_start, new_end) != (shift.start, shift.end)
    if times_changed:
        _validate_times(new_start, new_end)
    if slots is not None:
        _validate_slots(slots)
        if slots < shift.filled:
            raise Conflict(
                _(
                    "%(n)s members already hold a place; cancel claims first or keep at least that many slots."
                )
                % {"n": shift.filled},
                code="slots_below_claims",
                field="slots",
            )
        shift.slots = slots
    shift.start, shift.end = new_start, new_end
    shift_denormalize(shift, shift.job)
    if times_changed or slots is not None:
        for guard in _SHIFT_GUARDS:
            guard(job=shift.job, shifts=[shift], replaces=shift.pk)
    shift.save()
    claims = lock_claims(
        Claim.objects.filter(shift=shift)
        .exclude(status__in=["withdrawn", "rejected"])
        .values_list("pk", flat=True),
        select_related=("user", "shift__job"),
    )
    if times_changed:
        Claim.objects.filter(shift=shift).update(start=new_start, end=new_end)
        for claim in claims:
            notify_claim(claim, event="changed")
    audit_record(
        actor=actor,
        action=JobAction.SHIFT_UPDATED,
        target=shift,
        cooperative_id=shift.cooperative_id,
        data={"times_changed": times_changed, "slots": shift.slots},
    )
    return shift


def _cancel_shifts(shifts: list[Shift], *, reason: str) -> None:
    """Cancel shifts the caller has locked: their claims are locked next, all at once."""
    if not shifts:
        return
    claims = lock_claims(
        Claim.objects.filter(
            shift__in=shifts, status__in=[*SLOT_HOLDING, "waitlisted"]
        ).values_list("pk", flat=True),
        select_related=("user", "shift__job"),
    )
    for shift in shifts:
        shift.status = Shift.Status.CANCELLED
        shift.cancel_reason = reason
        shift.filled = 0
        shift.save(update_fields=["status", "cancel_reason", "filled"])
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
        status="withdrawn", status_reason=reason[:200], waitlist_position=None
    )
    for claim in claims:
        notify_claim(claim, event="cancelled")


@transaction.atomic
def shift_cancel(*, actor: User, shift: Shift, reason: str) -> Shift:
    shift = _lock_shift(shift.pk)
    require_job_manager(actor, shift.job)
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Give a reason, so the members know why."), code="required", field="reason"
        )
    if shift.status == Shift.Status.CANCELLED:
        raise Conflict(_("This shift is already cancelled."), code="invalid_state", field="status")
    if shift.start <= timezone.now():
        raise Conflict(
            _("A shift that has started cannot be cancelled."), code="started", field="start"
        )
    _cancel_shifts([shift], reason=reason.strip())
    audit_record(
        actor=actor,
        action=JobAction.SHIFT_CANCELLED,
        target=shift,
        cooperative_id=shift.cooperative_id,
        data={"reason": reason.strip()},
    )
    return shift


def job_for_actor(*, actor: User, job_id: int) -> Job:
    job = (
        Job.objects.select_related("client", "cooperative", "required_skill")
        .filter(pk=job_id)
        .first()
    )
    if job is None or not (
        is_client_user(actor, job.client_id) or has_role(actor, job.cooperative_id, "member")
    ):
        raise NotFound(_("Job not found."), field="job")
    return job


@transaction.atomic
def jobs_progress(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: open jobs whose first shift started become in progress; jobs whose shifts
    all ended become completed."""
    now = now or timezone.now()
    started = Job.objects.filter(
        status=Job.Status.OPEN, shifts__start__lte=now, shifts__status="open"
    ).distinct()
    moved = {"in_progress": 0, "completed": 0}
    for job in started:
        job_transition(actor=None, job=job, to=Job.Status.IN_PROGRESS)
        moved["in_progress"] += 1
    finished = Job.objects.filter(status=Job.Status.IN_PROGRESS).exclude(
        Q(shifts__end__gt=now) & Q(shifts__status="open")
    )
    for job in finished:
        job_transition(actor=None, job=job, to=Job.Status.COMPLETED)
        moved["completed"] += 1
    return moved
