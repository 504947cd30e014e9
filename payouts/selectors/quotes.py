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
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jobs.models import Claim, Shift
from members.models import Membership
from payouts import rules
from payouts.models import RuleSet, Split
from payouts.pots import rule_pot_label
from payouts.selectors import money_settings_of, pick_in_force, rule_sets_adopted
from payouts.services.settlement import VolunteerAllowance
from werkstation.engagements import ALL, ordered
from werkstation.errors import Conflict
from werkstation.legal import Key, LegalTable, age_on
from werkstation.money import format_duration, format_money, pay_for_minutes, to_minor

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from members.models import User

# What work is keyed by: a shift's id, or any key for work not posted yet (a tender's plan).
K = TypeVar("K", int, str)

# Claims that will be worked (and so count toward the member's month before a later one).
COMING = (
    Claim.Status.CLAIMED,
    Claim.Status.OFFERED,
    Claim.Status.CONFIRMED,
    Claim.Status.COMPLETED,
)


@dataclass(frozen=True)
class Posted(Generic[K]):
    """Work as posted, with what pricing it reads: a shift, a feed row or a claim's times."""

    shift_id: K  # or any key, for work not posted yet
    cooperative_id: int
    start: datetime
    end: datetime
    tariff_cents: int
    category: str
    client_kind: str
    # The claim's engagement, or the one the member would choose; None: the member's usual
    # one if the work allows it, else the first the work allows.
    engagement: str | None = None
    engagements: tuple[str, ...] = ALL  # what the work allows

    @classmethod
    def of_shift(
        cls,
        shift: Shift,
        start: datetime | None = None,
        end: datetime | None = None,
        engagement: str | None = None,
    ) -> Posted[int]:
        """``shift`` (with ``job__client`` selected), or a claim's times on it."""
        return Posted(
            shift_id=shift.pk,
            cooperative_id=shift.cooperative_id,
            start=start or shift.start,
            end=end or shift.end,
            tariff_cents=to_minor(shift.job.client_tariff.amount),
            category=shift.job.category,
            client_kind=shift.job.client.kind,
            engagement=engagement,
            engagements=tuple(ordered(shift.job.engagements)),
        )

    @cached_property
    def work_date(self) -> date:
        return _work_date(self.start)


@dataclass(frozen=True)
class Pot:
    slug: str
    label: str
    cents: int


@dataclass(frozen=True)
class Quote:
    shift_id: int | str  # the key of the work (``Posted.shift_id``)
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
    engagement: str | None  # the claim's (or the member's); None for the standard share
    currency: str = "EUR"
    legal_figures_missing: bool = False
    # The work allows an engagement the member does not usually have, and not theirs: they
    # choose how they do it before claiming (this quote is for ``engagement``).
    choose_engagement: bool = False
    # Self-employed work goes on the member's monthly self-billing invoice: "vat" (VAT comes
    # on top of the fee, paid to them), "kor" (the small-business scheme: none) or "missing"
    # (neither recorded yet: the invoice waits until one is); "" for other engagements.
    self_billing_vat: str = ""

    def get_engagement_label(self) -> str:
        return str(Membership.Engagement(self.engagement).label) if self.engagement else ""

    @property
    def crosses_volunteer_maximum(self) -> bool:
        """A volunteer allowance maximum would be crossed: above it the allowance is taxable
        as a whole, so the cooperative keeps what is above (the member is told first)."""
        return self.volunteer and self.withheld_cents > 0

    @property
    def volunteer(self) -> bool:
        return self.engagement == Membership.Engagement.VOLUNTEER

    @property
    def payroll(self) -> bool:
        """Payroll work: the amount is the gross wage in the payroll file, before payroll tax."""
        return self.engagement == Membership.Engagement.EMPLOYEE

    def as_record(self) -> dict[str, int | None]:
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


def _work_date(start: datetime) -> date:
    return timezone.localtime(start).date()


class _Pricer:
    """Everything a member's quotes need, loaded once. Without a member it prices the standard
    share: no other work that month, no volunteer maximum (what dispatch weighs shifts by)."""

    def __init__(self, user: User | None, work: Sequence[Posted[Any]], language: str) -> None:
        self.user = user
        self.language = language
        profile = getattr(user, "profile", None) if user is not None else None
        self.born = getattr(profile, "date_of_birth", None)
        self.vat_terms = (
            "kor"
            if getattr(profile, "kor", False)
            else "vat"
            if getattr(profile, "vat_number", "")
            else "missing"
        )
        self.adopted: dict[int, list[RuleSet]] = {}
        self.parsed: dict[int, rules.RuleSet] = {}
        self.labels: dict[int, dict[str, str]] = {}
        self.engagements: dict[int, str | None] | None = None
        self.allowances: dict[int, VolunteerAllowance] = {}
        months = {(w.work_date.year, w.work_date.month) for w in work}
        self.first = min((date(y, 1, 1) for y, _m in months), default=timezone.localdate())
        self.month_gross: dict[tuple[int, int], int] = defaultdict(int)
        self.earlier: list[Posted[Any]] = []
        if not months or user is None:
            return
        first = min(date(y, m, 1) for y, m in months)
        for row in (
            Split.objects.filter(member=user, work_date__gte=first)
            .annotate(y=ExtractYear("work_date"), m=ExtractMonth("work_date"))
            .values("y", "m")
            .annotate(total=Sum("gross_cents"))
        ):
            self.month_gross[(row["y"], row["m"])] += row["total"]
        settled = Split.objects.filter(timesheet__claim=OuterRef("pk"))
        self.earlier = [
            Posted(shift, cooperative, start, end, to_minor(tariff), category, kind, engagement)
            for (
                shift,
                cooperative,
                start,
                end,
                tariff,
                category,
                kind,
                engagement,
            ) in Claim.objects.filter(
                user=user,
                status__in=COMING,
                start__gte=timezone.make_aware(datetime.combine(self.first, datetime.min.time())),
            )
            .filter(~Exists(settled))
            .order_by("start", "pk")
            .values_list(
                "shift_id",
                "shift__cooperative_id",
                "start",
                "end",
                "shift__job__client_tariff",
                "shift__job__category",
                "shift__job__client__kind",
                "engagement",
            )
        ]

    @cached_property
    def table(self) -> LegalTable:
        """Loaded when a price needs it (a break, an age), not for every page."""
        return LegalTable.load()

    def _labels(self, rule_set: RuleSet, engine: rules.RuleSet) -> dict[str, str]:
        if rule_set.pk not in self.labels:
            self.labels[rule_set.pk] = {
                pot.slug: rule_pot_label(pot, self.language) for pot in engine.pots
            }
        return self.labels[rule_set.pk]

    def _rules(self, cooperative_id: int, day: date) -> RuleSet | None:
        if cooperative_id not in self.adopted:
            self.adopted[cooperative_id] = rule_sets_adopted(cooperative_id)
        return pick_in_force(self.adopted[cooperative_id], day)

    def usual(self, cooperative_id: int) -> str | None:
        """The member's usual engagement in the cooperative."""
        if self.user is None:
            return None
        if self.engagements is None:
            self.engagements = dict(
                Membership.objects.filter(user=self.user).values_list(
                    "cooperative_id", "engagement"
                )
            )
        return self.engagements.get(cooperative_id)

    def engagement(self, work: Posted[Any]) -> tuple[str | None, bool]:
        """(the engagement ``work`` is priced under, whether the member must choose one)."""
        if self.user is None:
            return None, False
        if work.engagement:
            return work.engagement, False
        usual = self.usual(work.cooperative_id)
        if usual in work.engagements:
            return usual, False
        return (work.engagements[0] if work.engagements else usual), True

    def _allowance(self, cooperative_id: int) -> VolunteerAllowance:
        if cooperative_id not in self.allowances:
            assert self.user is not None  # only a member's claims are volunteer work
            self.allowances[cooperative_id] = VolunteerAllowance.load(
                cooperative_id, money_settings_of(cooperative_id), {self.user.pk}, self.first
            )
        return self.allowances[cooperative_id]

    def gross(self, work: Posted[Any]) -> tuple[int, int, int, int]:
        """(shift minutes, break, paid minutes, gross) of ``work``."""
        day = work.work_date
        shift_minutes = int((work.end - work.start).total_seconds() // 60)
        pause = required_break_minutes(self.table, shift_minutes, day, age_on(self.born, day))
        minutes = max(0, shift_minutes - pause)
        return shift_minutes, pause, minutes, pay_for_minutes(work.tariff_cents, minutes)

    def _before_in_month(self, work: Posted[Any]) -> list[Posted[Any]]:
        day = work.work_date
        return [
            other
            for other in self.earlier
            if other.shift_id != work.shift_id
            and other.start < work.start
            and (other.work_date.year, other.work_date.month) == (day.year, day.month)
        ]

    def month_before(self, work: Posted[Any]) -> int:
        """The member's gross that month now, plus their earlier unsettled claims that month."""
        day = work.work_date
        return self.month_gross[(day.year, day.month)] + sum(
            self.gross(other)[3] for other in self._before_in_month(work)
        )

    def _engine(self, cooperative_id: int, day: date) -> tuple[RuleSet, rules.RuleSet] | None:
        rule_set = self._rules(cooperative_id, day)
        if rule_set is None:
            return None
        if rule_set.pk not in self.parsed:
            self.parsed[rule_set.pk] = rules.parse_rule_set(rule_set.spec)
        return rule_set, self.parsed[rule_set.pk]

    def _split(
        self,
        work: Posted[Any],
        gross_of: tuple[int, int, int, int] | None = None,
        month_before: int | None = None,
    ) -> rules.Split | None:
        found = self._engine(work.cooperative_id, work.work_date)
        if found is None:
            return None
        _shift_minutes, _pause, minutes, gross = gross_of or self.gross(work)
        return rules.split_item(
            found[1],
            rules.Item(
                id=str(work.shift_id),
                gross_cents=gross,
                minutes=minutes,
                category=work.category,
                client_kind=work.client_kind,
                month_gross_before_cents=self.month_before(work)
                if month_before is None
                else month_before,
            ),
        )

    def _volunteer_share(self, work: Posted[Any], cents: int) -> tuple[int, int]:
        """(received, withheld): settlement's allowance, after the member's earlier claims."""
        assert self.user is not None  # only a member's claims are volunteer work
        allowance = copy.deepcopy(self._allowance(work.cooperative_id))
        for other in self.earlier:
            if other.shift_id == work.shift_id or other.start >= work.start:
                continue
            if other.cooperative_id != work.cooperative_id:
                continue
            if self.engagement(other)[0] != Membership.Engagement.VOLUNTEER:
                continue  # only allowances count toward the maximums
            earlier = self._split(other)
            if earlier is not None:
                allowance.cap(self.user.pk, other.work_date, earlier.member_cents)
        received, withheld, _reason = allowance.cap(self.user.pk, work.work_date, cents)
        return received, withheld

    def quote(self, work: Posted[Any]) -> Quote:
        try:
            return self._quote(work)
        except Conflict as exc:
            if exc.code != "legal_figure_missing":
                raise
        # Staff have not entered a legal figure the price needs (the required break): no
        # amount is promised until they do (they are reminded weekly).
        shift_minutes = int((work.end - work.start).total_seconds() // 60)
        return Quote(
            shift_id=work.shift_id,
            work_date=work.work_date,
            shift_minutes=shift_minutes,
            break_minutes=0,
            minutes=shift_minutes,
            tariff_cents=work.tariff_cents,
            gross_cents=0,
            member_cents=0,
            withheld_cents=0,
            pots=(),
            month_gross_before_cents=0,
            rule_set_id=None,
            rule_set_version=None,
            engagement=self.engagement(work)[0],
            legal_figures_missing=True,
            choose_engagement=self.engagement(work)[1],
        )

    def _quote(self, work: Posted[Any]) -> Quote:
        day = work.work_date
        priced = self.gross(work)
        shift_minutes, pause, minutes, gross = priced
        month_before = self.month_before(work)
        engagement, choose = self.engagement(work)
        found = self._engine(work.cooperative_id, day)
        split = self._split(work, priced, month_before)
        member, withheld = 0, 0
        pots: tuple[Pot, ...] = ()
        if found is not None and split is not None:
            member = split.member_cents
            if engagement == Membership.Engagement.VOLUNTEER:
                member, withheld = self._volunteer_share(work, member)
            labels = self._labels(*found)
            pots = tuple(
                Pot(slug, labels.get(slug, slug), cents) for slug, cents in split.pots.items()
            )
        return Quote(
            shift_id=work.shift_id,
            work_date=day,
            shift_minutes=shift_minutes,
            break_minutes=pause,
            minutes=minutes,
            tariff_cents=work.tariff_cents,
            gross_cents=gross,
            member_cents=member,
            withheld_cents=withheld,
            pots=pots,
            month_gross_before_cents=month_before,
            rule_set_id=found[0].pk if found else None,
            rule_set_version=found[0].version if found else None,
            engagement=engagement,
            currency=found[1].currency if found else "EUR",
            choose_engagement=choose,
            self_billing_vat=self.vat_terms
            if engagement == Membership.Engagement.SELF_EMPLOYED
            else "",
        )

    def quote_in_turn(self, work: list[Posted[K]]) -> dict[K, Quote]:
        """Quotes for work the member would take together (a plan): each counts toward the
        month of the ones after it, as it will once claimed."""
        quotes: dict[K, Quote] = {}
        for item in sorted(work, key=lambda w: (w.start, w.shift_id)):
            quotes[item.shift_id] = self.quote(item)
            if self.user is not None and all(e.shift_id != item.shift_id for e in self.earlier):
                self.earlier.append(item)
        return quotes


def _language(language: str | None) -> str:
    return language or get_language() or "nl"


def quote_work(
    user: User | None, work: Iterable[Posted[K]], *, language: str | None = None
) -> dict[K, Quote]:
    """Quotes for ``user`` on each item of ``work`` (``Posted``), one at a time: what each pays
    if it were the member's next claim."""
    listed = list(work)
    pricer = _Pricer(user, listed, _language(language))
    return {item.shift_id: pricer.quote(item) for item in listed}


def quote_shifts(
    user: User | None,
    shifts: Iterable[Shift],
    *,
    language: str | None = None,
    engagement: str | None = None,
) -> dict[int, Quote]:
    """Quotes for ``user`` on each of ``shifts`` (shifts with ``job__client`` selected),
    under ``engagement`` if given."""
    return quote_work(
        user, [Posted.of_shift(s, engagement=engagement) for s in shifts], language=language
    )


def quote_shift(
    user: User | None, shift: Shift, *, language: str | None = None, engagement: str | None = None
) -> Quote:
    return quote_shifts(user, [shift], language=language, engagement=engagement)[shift.pk]


def quote_engagements(
    user: User | None, shift: Shift, *, language: str | None = None
) -> dict[str, Quote]:
    """What ``shift`` pays ``user`` under each engagement its job allows (for the choice)."""
    return {
        engagement: quote_shift(user, shift, language=language, engagement=engagement)
        for engagement in ordered(shift.job.engagements)
    }


def quote_plan(
    user: User | None,
    shifts: Iterable[Shift],
    *,
    language: str | None = None,
    engagements: dict[int, str] | None = None,
) -> dict[int, Quote]:
    """Quotes for ``user`` taking all of ``shifts`` together, in start order; ``engagements``:
    the engagement of shifts claimed already (their claims')."""
    engagements = engagements or {}
    work = [Posted.of_shift(s, engagement=engagements.get(s.pk)) for s in shifts]
    return _Pricer(user, work, _language(language)).quote_in_turn(work)


def standard_shares(shifts: Iterable[Shift]) -> dict[int, int]:
    """The member share of each shift for someone with no other work that month: what
    dispatch weighs shifts by, before it knows who takes them."""
    return standard_shares_of([Posted.of_shift(s) for s in shifts])


def share_per_hour(
    *, cooperative_id: int, tariff_cents: int, category: str, client_kind: str, day: date
) -> int | None:
    """What a member receives of one hour at ``tariff_cents`` on ``day`` with no other work
    that month (None while no payout rules are in force then): for a bid's tariff."""
    start = timezone.make_aware(datetime.combine(day, time(9)))
    work = Posted(
        "hour",
        cooperative_id,
        start,
        start + timedelta(hours=1),
        tariff_cents,
        category,
        client_kind,
    )
    quote = _Pricer(None, [work], "nl").quote(work)
    return quote.member_cents if quote.available else None


def standard_shares_of(work: list[Posted[K]]) -> dict[K, int]:
    """``standard_shares`` of work not posted yet (a tender's staffing plan)."""
    pricer = _Pricer(None, work, "nl")
    return {item.shift_id: pricer.quote(item).member_cents for item in work}


def why_different(split: Split, shown: dict[str, Any] | None) -> list[str]:
    """Why a settled amount differs from what the member was shown when they claimed (one
    sentence per cause), or [] when it does not differ or nothing was shown."""
    if not shown or shown.get("member_cents") == split.member_cents:
        return []
    if shown.get("legacy_member_pay"):
        return [
            _(
                "When you claimed, the shift page showed a fixed pay per hour that settlement "
                "never used. Now every page shows what settlement pays: the client's tariff "
                "split by the payout rules."
            )
        ]
    reasons: list[str] = []
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
