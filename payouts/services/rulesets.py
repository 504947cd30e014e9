"""Rule sets: drafts, the founding rule set, and adoption (one function)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from members.access import require_role
from members.models import Cooperative
from werkstation.audit import audit_record
from werkstation.errors import Conflict, ValidationFailed

from .. import rules
from ..models import RuleSet


def founding_spec() -> dict:
    """The rule set a new cooperative starts with, until its members vote another."""
    return {
        "currency": "EUR",
        "member_floor_hourly_cents": settings.WERKSTATION_MINIMUM_HOURLY_WAGE_CENTS,
        "pots": [
            {"pot": "coop_fund", "percent": "8"},
            {"pot": "solidarity_fund", "percent": "2"},
        ],
    }


def validate_spec(spec: object) -> rules.RuleSet:
    """Parse a rule set, or raise a 400 naming the first offending path (all in details)."""
    try:
        return rules.parse_rule_set(spec)
    except rules.RuleSetError as exc:
        details = [
            {
                "field": f"spec.{path}" if path != "(root)" else "spec",
                "code": "invalid_rule_set",
                "message": message,
            }
            for path, message in exc.errors
        ]
        first = details[0]
        raise ValidationFailed(
            f"{first['field']}: {first['message']}",
            code="invalid_rule_set",
            field=first["field"],
            extra={"details": details},
        ) from exc


def _next_version(cooperative: Cooperative) -> int:
    Cooperative.objects.select_for_update().filter(pk=cooperative.pk).first()
    return (
        RuleSet.objects.filter(cooperative=cooperative).aggregate(v=Max("version"))["v"] or 0
    ) + 1


def validate_advances(allow_advances: object, advance_limit_cents: object) -> tuple[bool, int]:
    """The advances option voted on next to the spec: a yes/no and a limit in cents."""
    if not isinstance(allow_advances, bool):
        raise ValidationFailed(
            _("Say yes or no to advances from the fund."), code="invalid", field="allow_advances"
        )
    if advance_limit_cents is None:
        advance_limit_cents = 0
    if (
        isinstance(advance_limit_cents, bool)
        or not isinstance(advance_limit_cents, int)
        or advance_limit_cents < 0
    ):
        raise ValidationFailed(
            _("The limit of advances is a whole number of cents, zero or more."),
            code="invalid",
            field="advance_limit_cents",
        )
    if allow_advances and advance_limit_cents == 0:
        raise ValidationFailed(
            _("Set how much the fund may advance at once."),
            code="required",
            field="advance_limit_cents",
        )
    return allow_advances, advance_limit_cents


def rule_set_validate(
    *,
    actor,
    cooperative: Cooperative,
    spec: object,
    allow_advances: object = False,
    advance_limit_cents: object = 0,
) -> tuple[rules.RuleSet, bool, int]:
    """Check a draft without writing anything: (the parsed spec, allow advances, limit).

    Raises what ``rule_set_create`` would: the actor may not draft, the advances option or
    the spec is invalid, or the spec's currency is not the cooperative's.
    """
    require_role(actor, cooperative, "board", "member")
    allowed, limit = validate_advances(allow_advances, advance_limit_cents)
    parsed = validate_spec(spec)
    if parsed.currency != cooperative.currency:
        raise ValidationFailed(
            _("The rule set's currency must be the cooperative's (%(currency)s).")
            % {"currency": cooperative.currency},
            code="currency_mismatch",
            field="spec.currency",
        )
    return parsed, allowed, limit


@transaction.atomic
def rule_set_create(
    *,
    actor,
    cooperative: Cooperative,
    spec: dict,
    title: str = "",
    allow_advances: bool = False,
    advance_limit_cents: int | None = 0,
) -> RuleSet:
    """A draft, to be proposed for a vote. Drafts never apply to any split.

    ``allow_advances`` and ``advance_limit_cents`` are voted on with the spec but are not
    part of it (the file contract): may the cooperative fund make members' shares payable
    before the client pays, and how much may be out at once.
    """
    parsed, allow_advances, advance_limit_cents = rule_set_validate(
        actor=actor,
        cooperative=cooperative,
        spec=spec,
        allow_advances=allow_advances,
        advance_limit_cents=advance_limit_cents,
    )
    rule_set = RuleSet.objects.create(
        cooperative=cooperative,
        version=_next_version(cooperative),
        spec=rules.rule_set_to_dict(parsed),
        title=title[:150],
        created_by=actor,
        allow_advances=allow_advances,
        advance_limit_cents=advance_limit_cents,
    )
    audit_record(
        actor=actor,
        action="ruleset.drafted",
        target=rule_set,
        cooperative_id=cooperative.pk,
        data={"allow_advances": allow_advances, "advance_limit_cents": advance_limit_cents},
    )
    return rule_set


@transaction.atomic
def rule_set_adopt(
    *,
    rule_set: RuleSet,
    effective_from: date,
    via: str,
    actor=None,
    adopted_at: datetime | None = None,
    proposal_id: int | None = None,
) -> RuleSet:
    """The one way a rule set comes into force.

    Its callers are the founding of a cooperative and, after that, only an adopted
    proposal of the members (``members`` governance, through the registered kind).
    """
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.status not in (RuleSet.Status.DRAFT, RuleSet.Status.PROPOSED):
        raise Conflict(
            _("Only a draft or proposed rule set can be adopted."),
            code="invalid_state",
            field="status",
        )
    if via not in RuleSet.AdoptedVia.values:
        raise ValidationFailed(_("Unknown way of adoption."), field="via")
    adopted_at = adopted_at or timezone.now()
    if effective_from < timezone.localtime(adopted_at).date():
        raise ValidationFailed(
            _("A rule set cannot take effect before it was adopted."),
            code="effective_before_adoption",
            field="effective_from",
        )
    validate_spec(rule_set.spec)
    rule_set.status = RuleSet.Status.ADOPTED
    rule_set.effective_from = effective_from
    rule_set.adopted_at = adopted_at
    rule_set.adopted_via = via
    rule_set.save()
    audit_record(
        actor=actor,
        action="ruleset.adopted",
        target=rule_set,
        cooperative_id=rule_set.cooperative_id,
        data={
            "version": rule_set.version,
            "via": via,
            "effective_from": effective_from.isoformat(),
            "adopted_at": adopted_at.isoformat(),
            "proposal_id": proposal_id,
        },
    )
    return rule_set


@transaction.atomic
def rule_set_mark_proposed(*, rule_set: RuleSet) -> RuleSet:
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.status != RuleSet.Status.DRAFT:
        raise Conflict(_("Only a draft can be proposed."), code="invalid_state", field="status")
    rule_set.status = RuleSet.Status.PROPOSED
    rule_set.save(update_fields=["status"])
    return rule_set


@transaction.atomic
def rule_set_reject(*, rule_set: RuleSet) -> RuleSet:
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.status != RuleSet.Status.PROPOSED:
        raise Conflict(
            _("Only a proposed rule set can be rejected."), code="invalid_state", field="status"
        )
    rule_set.status = RuleSet.Status.REJECTED
    rule_set.save(update_fields=["status"])
    return rule_set


@transaction.atomic
def found_rule_set(*, cooperative: Cooperative, actor=None) -> RuleSet:
    """Founding hook: the cooperative's first rule set, adopted at its founding meeting."""
    meeting = datetime.combine(
        cooperative.founded_on, time(0), tzinfo=timezone.get_current_timezone()
    )
    rule_set = RuleSet.objects.create(
        cooperative=cooperative,
        version=_next_version(cooperative),
        spec=founding_spec(),
        title="Founding rule set",
        created_by=actor,
    )
    return rule_set_adopt(
        rule_set=rule_set,
        effective_from=cooperative.founded_on,
        via=RuleSet.AdoptedVia.FOUNDING,
        actor=actor,
        adopted_at=meeting,
    )
