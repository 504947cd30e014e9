"""The settlement run: approved timesheets → splits → ledger entries, in bulk.

Approving a timesheet only records it; this run (a Celery task, triggered through the
outbox and also on a schedule) computes each split with the rule set in force on the
work date, and posts it:

    client receivable   +gross +VAT
    VAT payable                 −VAT
    member earned       −member share
    each pot's fund     −pot share

It is idempotent: a timesheet has at most one settlement split (a unique constraint),
rows being settled are locked with SKIP LOCKED so parallel runs share the work, and the
ledger reference ``split:<id>`` is unique. ``bench/payout_run.py`` measures this path.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from jobs.models import Timesheet

from .. import rules
from ..models import Account, RuleSet, Split
from ..selectors import pick_in_force, rule_sets_adopted
from .ledger import AccountBook, Leg, post_many

logger = logging.getLogger(__name__)
K = Account.Kind
BATCH = 5000


def _cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def gross_cents(tariff_cents: int, minutes: int) -> int:
    """The client tariff for the paid minutes, rounded half up to a cent."""
    return (tariff_cents * minutes * 2 + 60) // 120


def vat_cents(gross: int, vat_rate: Decimal) -> int:
    return int((Decimal(gross) * vat_rate / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


FIELDS = (
    "id", "minutes_worked", "break_minutes", "claim__user_id", "claim__start", "claim__shift__cooperative_id",
    "claim__shift__cooperative__vat_rate", "claim__shift__job__client_tariff", "claim__shift__job__category",
    "claim__shift__job__client_id", "claim__shift__job__client__kind",
)  # fmt: skip


def _month_totals(rows: list[dict]) -> dict[tuple[int, int, int], int]:
    """Each member's gross already settled per calendar month, for the months in ``rows``."""
    members = {r["claim__user_id"] for r in rows}
    first = min(r["work_date"] for r in rows).replace(day=1)
    totals = (
        Split.objects.filter(member_id__in=members, work_date__gte=first)
        .annotate(y=ExtractYear("work_date"), m=ExtractMonth("work_date"))
        .values("member_id", "y", "m")
        .annotate(total=Sum("gross_cents"))
    )
    return {(t["member_id"], t["y"], t["m"]): t["total"] for t in totals}


@transaction.atomic
def settlement_run(*, timesheet_ids: list[int] | None = None, limit: int = BATCH) -> int:
    """Settle approved timesheets without a split. Returns how many were settled."""
    settled = Split.objects.filter(timesheet=OuterRef("pk"), kind=Split.Kind.SETTLEMENT)
    qs = Timesheet.objects.filter(status=Timesheet.Status.APPROVED).filter(~Exists(settled))
    if timesheet_ids is not None:
        qs = qs.filter(pk__in=timesheet_ids)
    locked = list(
        qs.select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not locked:
        return 0
    rows = list(Timesheet.objects.filter(pk__in=locked).values(*FIELDS))
    for row in rows:
        row["work_date"] = timezone.localtime(row["claim__start"]).date()
    rows.sort(key=lambda r: (r["claim__user_id"], r["claim__start"], r["id"]))
    month_before = _month_totals(rows)
    by_coop: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_coop[row["claim__shift__cooperative_id"]].append(row)
    count = 0
    for cooperative_id, coop_rows in by_coop.items():
        count += _settle_cooperative(cooperative_id, coop_rows, month_before)
    return count


def _settle_cooperative(cooperative_id: int, rows: list[dict], month_before: dict) -> int:
    adopted = rule_sets_adopted(cooperative_id)
    parsed: dict[int, rules.RuleSet] = {}
    splits: list[Split] = []
    for row in rows:
        rule_set: RuleSet | None = pick_in_force(adopted, row["work_date"])
        if rule_set is None:
            logger.error(
                "no rule set in force for cooperative %s on %s", cooperative_id, row["work_date"]
            )
            continue
        engine_rules = parsed.get(rule_set.pk) or parsed.setdefault(
            rule_set.pk, rules.parse_rule_set(rule_set.spec)
        )
        minutes = row["minutes_worked"] - row["break_minutes"]
        gross = gross_cents(_cents(row["claim__shift__job__client_tariff"]), minutes)
        month_key = (row["claim__user_id"], row["work_date"].year, row["work_date"].month)
        before = month_before.get(month_key, 0)
        split = rules.split_item(
            engine_rules,
            rules.Item(
                id=str(row["id"]), gross_cents=gross, minutes=minutes, category=row["claim__shift__job__category"],
                client_kind=row["claim__shift__job__client__kind"], month_gross_before_cents=before,
            ),
        )  # fmt: skip
        month_before[month_key] = before + gross
        splits.append(
            Split(
                timesheet_id=row["id"], cooperative_id=cooperative_id, member_id=row["claim__user_id"],
                rule_set=rule_set, work_date=row["work_date"], minutes=minutes, gross_cents=gross,
                vat_cents=vat_cents(gross, row["claim__shift__cooperative__vat_rate"]),
                member_cents=split.member_cents, pots=split.pots, month_gross_before_cents=before,
            )
        )  # fmt: skip
        row["split"] = splits[-1]
    Split.objects.bulk_create(splits)
    book = AccountBook(cooperative_id)
    postings = []
    for row in rows:
        split = row.get("split")
        if split is None:
            continue
        legs = [
            Leg(
                book.get(K.RECEIVABLE, row["claim__shift__job__client_id"]),
                split.gross_cents + split.vat_cents,
            ),
            Leg(book.get(K.VAT), -split.vat_cents),
            Leg(book.get(K.EARNED, split.member_id), -split.member_cents),
            *(Leg(book.get(K.FUND, slug), -cents) for slug, cents in split.pots.items()),
        ]
        postings.append(
            ("settlement", f"split:{split.pk}", f"Timesheet {split.timesheet_id}", legs)
        )
    post_many(cooperative_id, postings)
    return len(splits)
