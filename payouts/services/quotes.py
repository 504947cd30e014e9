"""The price truth: what a member is paid for a shift, known before they claim it.

One number from the feed to the payout. A quote is what settlement will pay if the work is done
as posted: the whole shift minus the legally required break, at the job's client tariff, split by
the same engine (``payouts.rules``) under the rule set in force on the work date as known now.
The member's month so far is their settled gross that month now plus their earlier claims that
month (valued the same way); a volunteer's share stops at the allowance maximums, as settlement
does. Pages and the API show a quote next to its pots (labels in the reader's language).

What can change between quote and payout: a vote on the rules, other work that month, fewer
minutes logged, a volunteer maximum reached. ``why_different`` names which one did.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jobs.models import Claim, Shift
from members.models import Membership
from werkstation.legal import Key, LegalTable
from werkstation.money import format_duration, format_money, pay_for_minutes, to_minor

from .. import rules
from ..models import RuleSet, Split
from ..selectors import money_settings_of, pick_in_force, rule_sets_adopted
from .settlement import VolunteerAllowance

# Claims that will be worked (and so count toward the member's month before a later one).
COMING = (
    Claim.Status.CLAIMED,
    Claim.Status.OFFERED,
    Claim.Status.CONFIRMED,
    Claim.Status.COMPLETED,
)


@dataclass(frozen=True)
class Pot:
    slug: str
    label: str
    cents: int


@dataclass(frozen=True)
class Quote:
    shift_id: int
    work_date: date
    shift_minutes: int
    break_minutes: int  # the legally required break, unpaid
    minutes: int  # paid: the shift minus the break
    tariff_cents: int  # what the client pays per hour, without VAT
    gross_cents: int
    member_cents: int  # what the member receives (after a volunteer maximum)
    withheld_cents: int  # above a volunteer maximum: stays with the cooperative fund
    pots: tuple[Pot, ...]
    month_gross_before_cents: int
    rule_set_id: int | None
    rule_set_version: int | None
    volunteer: bool
    currency: str = "EUR"
    reasons: tuple[str, ...] = field(default=())

    def as_record(self) -> dict:
        """What a claim keeps of the quote it was made on."""
        return {
            "member_cents": self.member_cents,
            "gross_cents": self.gross_cents,
            "minutes": self.minutes,
            "tariff_cents": self.tariff_cents,
            "rule_set_id": self.rule_set_id,
            "month_gross_before_cents": self.month_gross_before_cents,
            "withheld_cents": self.withheld_cents,
        }

    @property
    def available(self) -> bool:
        """False while no rule set is in force on the work date (nothing can be settled)."""
        return self.rule_set_id is not None


def required_break_minutes(
    table: LegalTable, minutes: int, day: date, age: int | None = None
) -> int:
    """The break the Working Time Act requires in a shift of ``minutes``: 30 minutes above 5.5
    hours, 45 above 10 (under 18: 30 above 4.5 hours)."""
    if age is not None and age < 18:
        if minutes > 270:
            return int(table.value(Key.MINOR_BREAK_AFTER_4_5_HOURS_MINUTES, day))
        return 0
    if minutes > 600:
        return int(table.value(Key.BREAK_AFTER_10_HOURS_MINUTES, day))
    if minutes > 330:
        return int(table.value(Key.BREAK_AFTER_5_5_HOURS_MINUTES, day))
    return 0


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _work_date(start: datetime) -> date:
    return timezone.localtime(start).date()


class _Pricer:
    """Everything a member's quotes need, loaded once."""

    def __init__(self, user, shifts: list[Shift], language: str) -> None:
        self.user = user
        self.language = language
        self.table = LegalTable.load()
        profile = getattr(user, "profile", None)
        self.born = getattr(profile, "date_of_birth", None)
        self.adopted: dict[int, list[RuleSet]] = {}
        self.parsed: dict[int, rules.RuleSet] = {}
        self.volunteer_in: dict[int, bool] = {}
        self.allowances: dict[int, VolunteerAllowance] = {}
        months = {(_work_date(s.start).year, _work_date(s.start).month) for s in shifts}
        self.first = min((date(y, 1, 1) for y, _m in months), default=timezone.localdate())
        self.month_gross: dict[tuple[int, int], int] = defaultdict(int)
        if months:
            first = min(date(y, m, 1) for y, m in months)
            for row in (
                Split.objects.filter(member=user, work_date__gte=first)
                .annotate(y=ExtractYear("work_date"), m=ExtractMonth("work_date"))
                .values("y", "m")
                .annotate(total=Sum("gross_cents"))
            ):
                self.month_gross[(row["y"], row["m"])] += row["total"]
            settled = Split.objects.filter(timesheet__claim=OuterRef("pk"))
            self.earlier = list(
                Claim.objects.filter(
                    user=user,
                    status__in=COMING,
                    start__gte=timezone.make_aware(
                        datetime.combine(self.first, datetime.min.time())
                    ),
                )
                .filter(~Exists(settled))
                .select_related("shift__job__client")
                .order_by("start", "pk")
            )
        else:
            self.earlier = []

    def _rules(self, cooperative_id: int, day: date) -> RuleSet | None:
        if cooperative_id not in self.adopted:
            self.adopted[cooperative_id] = rule_sets_adopted(cooperative_id)
        return pick_in_force(self.adopted[cooperative_id], day)

    def _volunteer(self, cooperative_id: int) -> bool:
        if cooperative_id not in self.volunteer_in:
            self.volunteer_in[cooperative_id] = Membership.objects.filter(
                cooperative_id=cooperative_id,
                user=self.user,
                engagement=Membership.Engagement.VOLUNTEER,
            ).exists()
        return self.volunteer_in[cooperative_id]

    def _allowance(self, cooperative_id: int) -> VolunteerAllowance:
        if cooperative_id not in self.allowances:
            self.allowances[cooperative_id] = VolunteerAllowance.load(
                cooperative_id, money_settings_of(cooperative_id), {self.user.pk}, self.first
            )
        return self.allowances[cooperative_id]

    def gross(self, job, start: datetime, end: datetime) -> tuple[int, int, int, int]:
        """(shift minutes, break, paid minutes, gross) of work from ``start`` to ``end``."""
        day = _work_date(start)
        shift_minutes = int((end - start).total_seconds() // 60)
        pause = required_break_minutes(self.table, shift_minutes, day, _age(self.born, day))
        minutes = max(0, shift_minutes - pause)
        return (
            shift_minutes,
            pause,
            minutes,
            pay_for_minutes(to_minor(job.client_tariff.amount), minutes),
        )

    def _before_in_month(self, shift_id: int, start: datetime) -> list[Claim]:
        day = _work_date(start)
        return [
            claim
            for claim in self.earlier
            if claim.shift_id != shift_id
            and claim.start < start
            and (_work_date(claim.start).year, _work_date(claim.start).month)
            == (day.year, day.month)
        ]

    def month_before(self, shift_id: int, start: datetime) -> int:
        """The member's gross that month now, plus their earlier unsettled claims that month."""
        day = _work_date(start)
        earlier = self._before_in_month(shift_id, start)
        return self.month_gross[(day.year, day.month)] + sum(
            self.gross(claim.shift.job, claim.start, claim.end)[3] for claim in earlier
        )

    def _engine(self, cooperative_id: int, day: date) -> tuple[RuleSet, rules.RuleSet] | None:
        rule_set = self._rules(cooperative_id, day)
        if rule_set is None:
            return None
        if rule_set.pk not in self.parsed:
            self.parsed[rule_set.pk] = rules.parse_rule_set(rule_set.spec)
        return rule_set, self.parsed[rule_set.pk]

    def _split(self, job, cooperative_id: int, shift_id: int, start, end) -> rules.Split | None:
        found = self._engine(cooperative_id, _work_date(start))
        if found is None:
            return None
        _shift_minutes, _pause, minutes, gross = self.gross(job, start, end)
        return rules.split_item(
            found[1],
            rules.Item(
                id=str(shift_id),
                gross_cents=gross,
                minutes=minutes,
                category=job.category,
                client_kind=job.client.kind,
                month_gross_before_cents=self.month_before(shift_id, start),
            ),
        )

    def _volunteer_share(self, shift: Shift, cents: int) -> tuple[int, int]:
        """(received, withheld): settlement's allowance, after the member's earlier claims."""
        allowance = copy.deepcopy(self._allowance(shift.cooperative_id))
        for claim in self.earlier:
            if claim.shift_id == shift.pk or claim.start >= shift.start:
                continue
            if claim.shift.cooperative_id != shift.cooperative_id:
                continue
            earlier = self._split(
                claim.shift.job, claim.shift.cooperative_id, claim.shift_id, claim.start, claim.end
            )
            if earlier is not None:
                allowance.cap(self.user.pk, _work_date(claim.start), earlier.member_cents)
        received, withheld, _reason = allowance.cap(self.user.pk, _work_date(shift.start), cents)
        return received, withheld

    def quote(self, shift: Shift) -> Quote:
        job = shift.job
        day = _work_date(shift.start)
        shift_minutes, pause, minutes, gross = self.gross(job, shift.start, shift.end)
        volunteer = self._volunteer(shift.cooperative_id)
        found = self._engine(shift.cooperative_id, day)
        split = self._split(job, shift.cooperative_id, shift.pk, shift.start, shift.end)
        member, withheld, pots = 0, 0, ()
        if found is not None and split is not None:
            member = split.member_cents
            if volunteer:
                member, withheld = self._volunteer_share(shift, member)
            engine = found[1]
            labels = {pot.slug: pot.display_name(self.language) for pot in engine.pots}
            pots = tuple(
                Pot(slug, labels.get(slug, slug), cents) for slug, cents in split.pots.items()
            )
        return Quote(
            shift_id=shift.pk,
            work_date=day,
            shift_minutes=shift_minutes,
            break_minutes=pause,
            minutes=minutes,
            tariff_cents=to_minor(job.client_tariff.amount),
            gross_cents=gross,
            member_cents=member,
            withheld_cents=withheld,
            pots=pots,
            month_gross_before_cents=self.month_before(shift.pk, shift.start),
            rule_set_id=found[0].pk if found else None,
            rule_set_version=found[0].version if found else None,
            volunteer=volunteer,
            currency=found[1].currency if found else "EUR",
        )


def quote_shifts(user, shifts, *, language: str = "nl") -> dict[int, Quote]:
    """Quotes for ``user`` on each of ``shifts`` (shifts with ``job__client`` selected)."""
    shifts = list(shifts)
    pricer = _Pricer(user, shifts, language)
    return {shift.pk: pricer.quote(shift) for shift in shifts}


def quote_shift(user, shift, *, language: str = "nl") -> Quote:
    return quote_shifts(user, [shift], language=language)[shift.pk]


def why_different(split: Split, shown: dict | None) -> list[str]:
    """Why a settled amount differs from what the member was shown when they claimed (one
    sentence per cause), or [] when it does not differ or nothing was shown."""
    if not shown or shown.get("member_cents") == split.member_cents:
        return []
    reasons = []
    if split.minutes != shown["minutes"]:
        reasons.append(
            _("%(logged)s were approved; the shift as posted was %(posted)s.")
            % {
                "logged": format_duration(split.minutes, get_language()),
                "posted": format_duration(shown["minutes"], get_language()),
            }
        )
    elif split.gross_cents != shown["gross_cents"]:
        reasons.append(_("The job's price per hour changed after you claimed."))
    if split.rule_set_id != shown["rule_set_id"]:
        reasons.append(
            _(
                "The members voted new payout rules (version %(version)s) before this work was settled."
            )
            % {"version": split.rule_set.version}
        )
    if split.month_gross_before_cents != shown["month_gross_before_cents"]:
        reasons.append(
            _(
                "Your other work that month changed: %(then)s before this shift when you claimed, "
                "%(now)s when it was settled."
            )
            % {
                "then": format_money(shown["month_gross_before_cents"], language=get_language()),
                "now": format_money(split.month_gross_before_cents, language=get_language()),
            }
        )
    if split.withheld_cents != shown["withheld_cents"]:
        reasons.append(
            _(
                "A volunteer allowance maximum was reached: %(amount)s stays with the cooperative fund."
            )
            % {"amount": format_money(split.withheld_cents, language=get_language())}
        )
    return reasons or [_("The amount was settled under other circumstances than when you claimed.")]
