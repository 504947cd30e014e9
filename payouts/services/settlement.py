"""The settlement run: approved timesheets → splits → ledger entries, in bulk.

Approving a timesheet only records it; this run (a Celery task, triggered through the
outbox and also on a schedule) computes each split with the rule set in force on the
work date, and posts it (reference ``split:<id>``):

    client receivable   +gross +VAT
    VAT payable                 −VAT
    member earned       −member share
    each pot's fund     −pot share

VAT is 0 (and its leg left out) for work whose VAT is reverse-charged to the client: lent
labour in a category the board counts as work on buildings and grounds
(``VatReverseCharge``), for a client with a VAT number (``Split.vat_reverse_charged``).

Two more postings where they apply:

* ``withheld:<id>`` — work done as a *volunteer* (the claim's engagement) earns a volunteer allowance
  within the cooperative's monthly and yearly maximums (``MoneySettings``) and nothing
  beyond them. What the rules give the member above the maximums stays with the
  cooperative fund (member earned +withheld, fund ``coop_fund`` −withheld); the split
  records it (``withheld_cents``, ``withheld_reason``) and ``member_cents`` is what the
  member receives, so gross = pots + member + withheld.
* ``advance:<id>`` — where the rule set in force allows advances from the fund, the
  member's share is payable at once: member earned +share, member payable −share, and the
  fund lends it (fund ``coop_fund`` +share, advanced −share), within the voted limit of
  what may be out at once and what the fund holds. The client's payment later returns it
  to the fund (``invoices._release_covered``: advanced +share, fund −share). Without the option the share waits in
  *earned* until the client's payment covers it (``payouts.services.invoices``).

It is idempotent: a timesheet has at most one settlement split (a unique constraint),
rows being settled are locked with SKIP LOCKED so parallel runs share the work, and the
ledger references are unique. It is fast: one statement finds and locks the timesheets
with everything the split needs, the split engine runs in Python (memoised: it is a pure
function of rule set and item), and splits, transactions and legs are written with COPY
(``bulk.insert_rows``), ids from their sequences in one round trip.
``bench/payout_run.py`` measures this path.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import ExtractMonth, ExtractYear, TruncDate
from django.utils import timezone

from jobs.models import Timesheet
from members.models import Membership
from payouts import rules
from payouts.models import Account, Entry, MoneySettings, RuleSet, Split
from payouts.selectors import money_settings_of, pick_in_force, rule_sets_adopted
from werkstation.db.bulk import insert_rows
from werkstation.engagements import Engagement
from werkstation.errors import ApplicationError
from werkstation.legal import Key, LegalTable
from werkstation.locks import lock_cooperatives, lock_skipping, lock_where
from werkstation.money import pay_for_minutes, percent_of, to_minor

from .ledger import AccountBook, Posting, payable_kind, write_postings

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import date
    from decimal import Decimal

logger = logging.getLogger(__name__)
K = Account.Kind
BATCH = 50_000
# The pot that is the cooperative's own fund: it keeps what volunteers may not receive and
# lends the advances.
COOP_FUND = "coop_fund"
SETTLEMENT = Split.Kind.SETTLEMENT.value


def gross_cents(tariff_cents: int, minutes: int) -> int:
    """The client tariff for the paid minutes, rounded half up to a cent."""
    return pay_for_minutes(tariff_cents, minutes)


def vat_cents(gross: int, vat_rate: Decimal) -> int:
    """VAT at the cooperative's rate (a percentage) on ``gross``, rounded half up."""
    return percent_of(gross, vat_rate)


def reverse_charge_categories(cooperative_id: int) -> frozenset[str]:
    """The job categories the cooperative invoices with VAT reverse-charged: the board's
    confirmed list, or the default until it confirms one."""
    from payouts.models import REVERSE_CHARGE_DEFAULT, VatReverseCharge

    row = VatReverseCharge.objects.filter(cooperative_id=cooperative_id).first()
    return frozenset(row.categories if row is not None else REVERSE_CHARGE_DEFAULT)


def is_reverse_charged(categories: frozenset[str], category: str, client_vat_number: str) -> bool:
    """Lent labour for work on buildings and grounds, for a VAT-registered client: the client
    accounts for the VAT ("btw verlegd"), we charge none."""
    return bool(client_vat_number) and category in categories


FIELDS = (
    "id",
    "minutes_worked",
    "break_minutes",
    "claim__user_id",
    "claim__shift__cooperative_id",
    "claim__shift__cooperative__vat_rate",
    "claim__shift__job__client_tariff",
    "claim__shift__job__category",
    "claim__shift__job__client_id",
    "claim__shift__job__client__kind",
    "claim__shift__job",
    "claim__shift__job__client__vat_number",
    "claim__engagement",
)
# Positions in a row of FIELDS + the work date.
MEMBER, COOPERATIVE, CLIENT = (
    FIELDS.index(f)
    for f in ("claim__user_id", "claim__shift__cooperative_id", "claim__shift__job__client_id")
)
ENGAGEMENT = FIELDS.index("claim__engagement")
WORK_DATE = len(FIELDS)
VOLUNTEER, EMPLOYEE = Engagement.VOLUNTEER.value, Engagement.EMPLOYEE.value

SPLIT_COLUMNS = (
    "timesheet_id",
    "cooperative_id",
    "member_id",
    "rule_set_id",
    "job_id",
    "kind",
    "work_date",
    "minutes",
    "gross_cents",
    "vat_cents",
    "vat_reverse_charged",
    "member_cents",
    "pots",
    "month_gross_before_cents",
    "withheld_cents",
    "advanced_cents",
    "withheld_reason",
    "created_at",
    "engagement",
)
SPLIT_MEMBER, SPLIT_ADVANCED, SPLIT_ENGAGEMENT = (
    SPLIT_COLUMNS.index("member_id"),
    SPLIT_COLUMNS.index("advanced_cents"),
    SPLIT_COLUMNS.index("engagement"),
)


# ---------------------------------------------------------------- volunteers and advances


@dataclass
class VolunteerAllowance:
    """What volunteers of one cooperative have received per month and year, kept current."""

    month_max: int
    year_max: int
    month: dict[tuple[int, int, int], int]
    year: dict[tuple[int, int], int]
    # The legal maximums by date; a board may set lower ones, never higher. Until a board saves
    # its own, the legal ones apply. Before the legal table starts, the board's (or default) apply.
    legal: LegalTable | None = None
    board_saved: bool = True

    @classmethod
    def load(
        cls, cooperative_id: int, settings: MoneySettings, members: set[int], first: date
    ) -> VolunteerAllowance:
        month: dict[tuple[int, int, int], int] = defaultdict(int)
        year: dict[tuple[int, int], int] = defaultdict(int)
        if members:
            totals = (
                Split.objects.filter(
                    cooperative_id=cooperative_id,
                    member_id__in=members,
                    work_date__gte=first.replace(month=1, day=1),
                    engagement=Engagement.VOLUNTEER,  # allowances, not wages or fees
                )
                .annotate(y=ExtractYear("work_date"), m=ExtractMonth("work_date"))
                .values("member_id", "y", "m")
                .annotate(total=Sum("member_cents"))
            )
            for t in totals:
                month[(t["member_id"], t["y"], t["m"])] += t["total"]
                year[(t["member_id"], t["y"])] += t["total"]
        return cls(
            settings.volunteer_month_max_cents,
            settings.volunteer_year_max_cents,
            month,
            year,
            legal=LegalTable.load(),
            board_saved=settings.pk is not None,
        )

    def maximums(self, day: date) -> tuple[int, int]:
        """(per month, per year) in force for work on ``day``."""
        return (
            self._maximum(Key.VOLUNTEER_MAX_MONTH, self.month_max, day),
            self._maximum(Key.VOLUNTEER_MAX_YEAR, self.year_max, day),
        )

    def _maximum(self, key: Key, board: int, day: date) -> int:
        if self.legal is None:
            return board
        try:
            legal = self.legal.cents(key, day)
        except ApplicationError:
            return board  # before the legal table starts
        return min(board, legal) if self.board_saved else legal

    def cap(self, member_id: int, day: date, cents: int) -> tuple[int, int, str]:
        """(allowed, withheld, reason) for a share of ``cents``; counts what is allowed."""
        month_key, year_key = (member_id, day.year, day.month), (member_id, day.year)
        month_max, year_max = self.maximums(day)
        month_room = max(0, month_max - self.month[month_key])
        year_room = max(0, year_max - self.year[year_key])
        allowed = max(0, min(cents, month_room, year_room))
        reason = ""
        if allowed < cents:
            reason = Split.Withheld.MONTH if month_room <= year_room else Split.Withheld.YEAR
        self.month[month_key] += allowed
        self.year[year_key] += allowed
        return allowed, cents - allowed, reason


def lock_volunteers(cooperative_id: int, volunteers: set[int]) -> None:
    """Lock the memberships of members with volunteer work to settle, until commit.

    The lock makes concurrent runs settle one volunteer's work one after the other, so the
    second reads what the first allowed and the maximums hold under parallel workers.
    """
    if volunteers:
        lock_where(Membership.objects.filter(cooperative_id=cooperative_id, user_id__in=volunteers))


@dataclass
class AdvanceRoom:
    """How much the cooperative fund can still advance: the voted limit and what it holds."""

    outstanding: int
    fund: int

    @classmethod
    def load(cls, book: AccountBook) -> AdvanceRoom:
        # One run at a time lends from a cooperative's fund, so the limit holds.
        lock_cooperatives([book.cooperative_id])
        balances = dict(
            Entry.objects.filter(
                account_id__in=[book.id(K.ADVANCED, COOP_FUND), book.id(K.FUND, COOP_FUND)]
            )
            .values_list("account_id")
            .annotate(s=Sum("amount_cents"))
        )
        return cls(
            outstanding=-balances.get(book.id(K.ADVANCED, COOP_FUND), 0),
            fund=-balances.get(book.id(K.FUND, COOP_FUND), 0),
        )

    def take(self, rule_set: RuleSet, cents: int, fund_share: int) -> int:
        """The advance for a share of ``cents`` (all or nothing); ``fund_share`` comes in first."""
        self.fund += fund_share
        if (
            not rule_set.allow_advances
            or cents <= 0
            or self.outstanding + cents > rule_set.advance_limit_cents
            or cents > self.fund
        ):
            return 0
        self.outstanding += cents
        self.fund -= cents
        return cents


def split_row(split: Split) -> tuple[Any, ...]:
    """A split's values in ``SPLIT_COLUMNS`` order, as the run writes them."""
    return tuple(getattr(split, column) for column in SPLIT_COLUMNS)


class _Ids(dict[object, int]):
    """Account ids of one kind by key, each asked of the book once."""

    def __init__(self, book: AccountBook, kind: str) -> None:
        super().__init__()
        self.book, self.kind = book, kind

    def __missing__(self, key: object) -> int:
        pk = self[key] = self.book.id(self.kind, key)
        return pk


class SettlementAccounts:
    """The accounts settled splits book to, as ids by key (a run books 100,000 splits to a
    few hundred accounts, so each is looked up once)."""

    def __init__(self, book: AccountBook) -> None:
        self.receivable = _Ids(book, K.RECEIVABLE)
        self.vat = _Ids(book, K.VAT)
        self.earned = _Ids(book, K.EARNED)
        self.payable = _Ids(book, K.PAYABLE)
        self.wages = _Ids(book, K.WAGES)
        self.fund = _Ids(book, K.FUND)
        self.advanced = _Ids(book, K.ADVANCED)


def settlement_postings(
    accounts: SettlementAccounts, split_id: int, split: Sequence[Any], client_id: int
) -> list[Posting]:
    """The ledger postings of one split (a row in ``SPLIT_COLUMNS`` order).

    The one definition of what a settled split books: the run calls it for every split
    (100,000 in a run, hence a row rather than a dict, and ids from ``accounts``), and so
    do corrections.
    """
    (
        timesheet_id,
        _cooperative,
        member,
        _rule_set,
        _job,
        kind,
        _day,
        _minutes,
        gross,
        vat,
        _reverse_charged,
        member_cents,
        pots,
        _before,
        withheld,
        advanced,
        _reason,
        _created,
        engagement,
    ) = split
    earned = accounts.earned[member]
    fund = accounts.fund
    # A reverse-charged split books no VAT (its VAT leg is 0 and left out).
    postings: list[Posting] = [
        (
            kind,
            f"split:{split_id}",
            f"Timesheet {timesheet_id}",
            [
                (accounts.receivable[client_id], gross + vat),
                (accounts.vat[""], -vat),
                (earned, -(member_cents + withheld)),
                *((fund[slug], -cents) for slug, cents in pots.items()),
            ],
        )
    ]
    if withheld:
        postings.append(
            (
                "volunteer_cap",
                f"withheld:{split_id}",
                f"Volunteer allowance maximum: withheld for the cooperative fund (timesheet {timesheet_id})",
                [(earned, withheld), (fund[COOP_FUND], -withheld)],
            )
        )
    if advanced:
        postings.append(
            (
                "advance",
                f"advance:{split_id}",
                f"Advance from the cooperative fund to member {member} (timesheet {timesheet_id})",
                [
                    (earned, advanced),
                    (
                        (accounts.wages if engagement == EMPLOYEE else accounts.payable)[member],
                        -advanced,
                    ),
                    (fund[COOP_FUND], advanced),
                    (accounts.advanced[COOP_FUND], -advanced),
                ],
            )
        )
    return postings


# ---------------------------------------------------------------- the run


def _month_totals(rows: list[tuple[Any, ...]]) -> dict[tuple[int, int, int], int]:
    """Each member's gross already settled per calendar month, for the months in ``rows``."""
    members = {r[MEMBER] for r in rows}
    first = min(r[WORK_DATE] for r in rows).replace(day=1)
    totals = (
        Split.objects.filter(member_id__in=members, work_date__gte=first)
        .annotate(y=ExtractYear("work_date"), m=ExtractMonth("work_date"))
        .values("member_id", "y", "m")
        .annotate(total=Sum("gross_cents"))
    )
    return {(t["member_id"], t["y"], t["m"]): t["total"] for t in totals}


@transaction.atomic
def settlement_run(
    *, timesheet_ids: list[int] | None = None, limit: int = BATCH, method: str | None = None
) -> int:
    """Settle approved timesheets without a split. Returns how many were settled.

    ``method`` chooses how rows are written (``bulk.COPY`` or ``bulk.ORM``; by default COPY
    on PostgreSQL); tests use it to prove both write the same rows.
    """
    settled = Split.objects.filter(timesheet=OuterRef("pk"), kind=Split.Kind.SETTLEMENT)
    qs = Timesheet.objects.filter(status=Timesheet.Status.APPROVED).filter(~Exists(settled))
    if timesheet_ids is not None:
        qs = qs.filter(pk__in=timesheet_ids)
    # One statement: find, lock and read everything a split needs, the work date (local
    # time) computed by the database, in the order a member's month accumulates.
    rows = list(
        lock_skipping(qs)
        .annotate(work_date=TruncDate("claim__start"))
        .order_by("claim__user_id", "claim__start", "pk")
        .values_list(*FIELDS, "work_date")[:limit]
    )
    if not rows:
        return 0
    month_before = _month_totals(rows)
    by_coop: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_coop[row[COOPERATIVE]].append(row)
    count = 0
    for cooperative_id, coop_rows in by_coop.items():
        count += _settle_cooperative(cooperative_id, coop_rows, month_before, method)
    return count


def _settle_cooperative(
    cooperative_id: int,
    rows: list[tuple[Any, ...]],
    month_before: dict[tuple[int, int, int], int],
    method: str | None,
) -> int:
    adopted = rule_sets_adopted(cooperative_id)
    members = {r[MEMBER] for r in rows}
    volunteers = {r[MEMBER] for r in rows if r[ENGAGEMENT] == Engagement.VOLUNTEER}
    advancing = any(r.allow_advances for r in adopted)
    if advancing:  # the fund's lock (the cooperative) before the members' (werkstation.locks)
        lock_cooperatives([cooperative_id])
    lock_volunteers(cooperative_id, volunteers)
    allowance = VolunteerAllowance.load(
        cooperative_id,
        money_settings_of(cooperative_id),
        volunteers,
        min(r[WORK_DATE] for r in rows),
    )
    book = AccountBook(cooperative_id)
    book.ensure(K.EARNED, members)
    book.ensure(K.RECEIVABLE, {r[CLIENT] for r in rows})
    advances = AdvanceRoom.load(book) if advancing else None
    # Per work date: (rule set, its id, the parsed rules, whether B matters), or None.
    in_force: dict[date, tuple[RuleSet, int, rules.RuleSet, bool] | None] = {}
    parsed: dict[int, rules.RuleSet] = {}
    memo: dict[tuple[int, int, int, str, str, int], rules.Split] = {}
    tariffs: dict[Decimal, int] = {}
    vats: dict[int, int] = {}  # by gross: one cooperative, one VAT rate
    reverse_charge = reverse_charge_categories(cooperative_id)
    now = timezone.now()
    # Rows in SPLIT_COLUMNS order: 100,000 of them are most of a run's Python time, so
    # plain tuples (settlement_postings reads them as they are).
    splits: list[tuple[Any, ...]] = []
    clients: list[int] = []

    def computed() -> Iterator[tuple[Any, ...]]:
        """The splits, each yielded as soon as it is computed (COPY streams it)."""
        for (
            timesheet_id,
            minutes_worked,
            break_minutes,
            member,
            _coop,
            vat_rate,
            tariff,
            category,
            client_id,
            client_kind,
            job_id,
            client_vat_number,
            engagement,
            work_date,
        ) in rows:
            if work_date not in in_force:
                rule_set = pick_in_force(adopted, work_date)
                if rule_set is None:
                    in_force[work_date] = None
                else:
                    if rule_set.pk not in parsed:
                        parsed[rule_set.pk] = rules.parse_rule_set(rule_set.spec)
                    engine_rules = parsed[rule_set.pk]
                    uses_month = any(p.brackets for p in engine_rules.pots)
                    in_force[work_date] = (rule_set, rule_set.pk, engine_rules, uses_month)
            found = in_force[work_date]
            if found is None:
                logger.error(
                    "no rule set in force for cooperative %s on %s", cooperative_id, work_date
                )
                continue
            rule_set, rule_set_id, engine_rules, uses_month = found
            minutes = minutes_worked - break_minutes
            tariff_cents = tariffs.get(tariff)
            if tariff_cents is None:
                tariff_cents = tariffs[tariff] = to_minor(tariff)
            gross = gross_cents(tariff_cents, minutes)
            month_key = (member, work_date.year, work_date.month)
            before = month_before.get(month_key, 0)
            # The engine is a pure function of (rule set, item); B matters only with brackets.
            key = (rule_set_id, gross, minutes, category, client_kind, before if uses_month else 0)
            result = memo.get(key)
            if result is None:
                result = memo[key] = rules.split_item(
                    engine_rules,
                    rules.Item(
                        id="",
                        gross_cents=gross,
                        minutes=minutes,
                        category=category,
                        client_kind=client_kind,
                        month_gross_before_cents=before,
                    ),
                )
            month_before[month_key] = before + gross
            reverse_charged = is_reverse_charged(reverse_charge, category, client_vat_number)
            vat: int | None
            if reverse_charged:
                vat = 0
            else:
                vat = vats.get(gross)
                if vat is None:
                    vat = vats[gross] = vat_cents(gross, vat_rate)
            member_cents, withheld, reason = result.member_cents, 0, ""
            if engagement == VOLUNTEER:
                member_cents, withheld, reason = allowance.cap(member, work_date, member_cents)
            advanced = 0
            if advances is not None:
                advanced = advances.take(
                    rule_set, member_cents, result.pots.get(COOP_FUND, 0) + withheld
                )
            split = (
                timesheet_id,
                cooperative_id,
                member,
                rule_set_id,
                job_id,
                SETTLEMENT,
                work_date,
                minutes,
                gross,
                vat,
                reverse_charged,
                member_cents,
                result.pots,
                before,
                withheld,
                advanced,
                reason,
                now,
                engagement,
            )
            splits.append(split)
            clients.append(client_id)
            yield split

    ids = insert_rows(
        Split, SPLIT_COLUMNS, computed(), with_ids=True, count=len(rows), method=method
    )
    if not splits:
        return 0
    if advances is not None:
        for kind in (K.PAYABLE, K.WAGES):
            book.ensure(
                kind,
                {
                    s[SPLIT_MEMBER]
                    for s in splits
                    if s[SPLIT_ADVANCED] and payable_kind(s[SPLIT_ENGAGEMENT]) == kind
                },
            )
    accounts = SettlementAccounts(book)
    postings: list[Posting] = []
    for split_id, split, client_id in zip(ids, splits, clients, strict=True):
        postings += settlement_postings(accounts, split_id, split, client_id)
    write_postings(cooperative_id, postings, method=method)
    return len(splits)
