"""Rule sets: drafts, the founding rule set, and adoption (one function)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.access import require_role
from payouts import rules
from payouts.audit_actions import PayoutAction
from payouts.lifecycle import RULE_SET
from payouts.models import RuleSet
from payouts.pots import pot_names, rule_pot_label
from payouts.selectors.minimum_wage import floor_warning
from werkstation.audit import audit_record
from werkstation.errors import ValidationFailed
from werkstation.locks import lock_cooperatives, lock_get
from werkstation.money import format_money

if TYPE_CHECKING:
    from members.models import Cooperative, Proposal, User


def founding_spec() -> dict[str, Any]:
    """The rule set a new cooperative starts with, until its members vote another."""
    return {
        "currency": "EUR",
        "member_floor_hourly_cents": settings.WERKSTATION_MINIMUM_HOURLY_WAGE_CENTS,
        "pots": [
            {"pot": "coop_fund", "percent": "8"},
            {"pot": "solidarity_fund", "percent": "2"},
        ],
    }


# What the platform stores beyond what the file format itself checks: as many pots and
# brackets as the board's form holds, and amounts its fields hold (€ 9,999,999,999.99),
# so a hostile draft cannot bloat every settlement or overflow the ledger's integers.
SPEC_MAX_POTS = 20
SPEC_MAX_BRACKETS = 10
SPEC_MAX_CENTS = 999_999_999_999
_POT_AMOUNTS = ("flat_cents", "min_cents", "max_cents")


def _beyond_limits(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The paths of a parsed spec beyond the platform's limits, with why."""
    too_much = f"must be at most {SPEC_MAX_CENTS}"
    errors: list[tuple[str, str]] = []
    floor = spec.get("member_floor_hourly_cents")
    if isinstance(floor, int) and floor > SPEC_MAX_CENTS:
        errors.append(("member_floor_hourly_cents", too_much))
    pots = spec["pots"]
    if len(pots) > SPEC_MAX_POTS:
        errors.append(("pots", f"at most {SPEC_MAX_POTS} pots are allowed"))
    for index, pot in enumerate(pots):
        path = f"pots[{index}]"
        for key in _POT_AMOUNTS:
            value = pot.get(key)
            if isinstance(value, int) and value > SPEC_MAX_CENTS:
                errors.append((f"{path}.{key}", too_much))
        brackets = pot.get("brackets") or []
        if len(brackets) > SPEC_MAX_BRACKETS:
            errors.append((f"{path}.brackets", f"at most {SPEC_MAX_BRACKETS} brackets are allowed"))
        for number, bracket in enumerate(brackets):
            if bracket["from_cents"] > SPEC_MAX_CENTS:
                errors.append((f"{path}.brackets[{number}].from_cents", too_much))
    return errors


def _parsed_within_limits(spec: object) -> rules.RuleSet:
    parsed = rules.parse_rule_set(spec)
    beyond = _beyond_limits(spec) if isinstance(spec, Mapping) else []
    if beyond:
        raise rules.RuleSetError(beyond)
    return parsed


def validate_spec(spec: object) -> rules.RuleSet:
    """Parse a rule set, or raise a 400 naming the first offending path (all in details)."""
    try:
        return _parsed_within_limits(spec)
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
        msg = f"{first['field']}: {first['message']}"
        raise ValidationFailed(
            msg,
            code="invalid_rule_set",
            field=first["field"],
            extra={"details": details},
        ) from exc


def _next_version(cooperative: Cooperative) -> int:
    lock_cooperatives([cooperative.pk])
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
    if advance_limit_cents > SPEC_MAX_CENTS:
        raise ValidationFailed(
            _("The limit of advances is at most %(most)s.")
            % {"most": format_money(SPEC_MAX_CENTS, "EUR", translation.get_language())},
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
    actor: User,
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
    actor: User,
    cooperative: Cooperative,
    spec: dict[str, Any],
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
        action=PayoutAction.RULESET_DRAFTED,
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
    actor: User | None = None,
    adopted_at: datetime | None = None,
    proposal_id: int | None = None,
) -> RuleSet:
    """The one way a rule set comes into force.

    Its callers are the founding of a cooperative and, after that, only an adopted
    proposal of the members (``members`` governance, through the registered kind).
    """
    rule_set = lock_get("payouts.RuleSet", rule_set.pk)
    RULE_SET.check(
        rule_set,
        RuleSet.Status.ADOPTED,
        message=_("Only a draft or proposed rule set can be adopted."),
        code="invalid_state",
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
    rule_set.effective_from = effective_from
    rule_set.adopted_via = via
    RULE_SET.transition(
        rule_set,
        RuleSet.Status.ADOPTED,
        by=actor,
        at=adopted_at,
        extra_update_fields=["effective_from", "adopted_via"],
        audit_action=PayoutAction.RULESET_ADOPTED,
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
    rule_set = lock_get("payouts.RuleSet", rule_set.pk)
    proposed: RuleSet = RULE_SET.transition(
        rule_set,
        RuleSet.Status.PROPOSED,
        by=None,
        message=_("Only a draft can be proposed."),
        code="invalid_state",
    )
    return proposed


@transaction.atomic
def rule_set_reject(*, rule_set: RuleSet) -> RuleSet:
    rule_set = lock_get("payouts.RuleSet", rule_set.pk)
    rejected: RuleSet = RULE_SET.transition(
        rule_set,
        RuleSet.Status.REJECTED,
        by=None,
        message=_("Only a proposed rule set can be rejected."),
        code="invalid_state",
    )
    return rejected


@transaction.atomic
def found_rule_set(*, cooperative: Cooperative, actor: User | None = None) -> RuleSet:
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


# --------------------------------------------------------------------------------------------
# Reading and proposing rule sets (the API and the board's form call these; no HTTP here)
# --------------------------------------------------------------------------------------------


def reader_language(language: str | None = None) -> rules.Lang:
    """ "en" or "nl": the reader's language (the active one unless given)."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return "en" if language.startswith("en") else "nl"


def advances_sentence(
    *, allow_advances: bool, advance_limit_cents: int, currency: str, lang: str
) -> str:
    """The advances option voted on with the rules, in words."""
    limit = format_money(advance_limit_cents, currency, lang)
    if allow_advances:
        return (
            f"Members' shares are payable once the work is approved: the cooperative fund "
            f"advances them, up to {limit} at once, and gets them back when the client pays"
            if lang == "en"
            else f"Het aandeel van een lid is betaalbaar zodra het werk is goedgekeurd: het "
            f"coöperatiefonds schiet het voor, tot {limit} tegelijk, en krijgt het terug als de "
            f"opdrachtgever betaalt"
        )
    return (
        "Members' shares are payable once the client's payment covers them (no advances from "
        "the fund)"
        if lang == "en"
        else "Het aandeel van een lid is betaalbaar zodra de betaling van de opdrachtgever het "
        "dekt (geen voorschot uit het fonds)"
    )


def rule_set_filename(cooperative: Cooperative, rule_set: RuleSet | None) -> str:
    """The name a rule set's .json file is downloaded under ("draft" for unsaved rules)."""
    version = f"v{rule_set.version}" if rule_set is not None else "draft"
    return f"{cooperative.slug}-payout-rules-{version}.json"


@dataclass(frozen=True)
class Description:
    """A rule set in plain words, in one language: a sentence per pot, the member's part and
    the advances option; each pot's label; and warnings (a floor below the minimum wage)."""

    language: str
    sentences: list[str]
    pots: list[dict[str, str]]  # {"pot": slug, "label": the pot's label}
    warnings: list[str]


def rule_set_describe(
    *,
    spec: dict[str, Any],
    allow_advances: bool,
    advance_limit_cents: int,
    on: date | None = None,
    language: str | None = None,
) -> Description:
    """``spec`` (already valid) described for a reader; ``on`` is the day its warnings
    are judged against (the day it would take effect; today unless given)."""
    lang = reader_language(language)
    parsed = rules.parse_rule_set(spec)
    with translation.override(lang):
        names = pot_names(pot.slug for pot in parsed.pots)
        warning = floor_warning(spec, on or timezone.localdate(), lang)
        pots = [{"pot": pot.slug, "label": rule_pot_label(pot, lang)} for pot in parsed.pots]
    return Description(
        language=lang,
        sentences=[
            *rules.describe(parsed, lang, names),
            advances_sentence(
                allow_advances=allow_advances,
                advance_limit_cents=advance_limit_cents,
                currency=parsed.currency,
                lang=lang,
            ),
        ],
        pots=pots,
        warnings=[warning] if warning else [],
    )


def describe_stored(rule_set: RuleSet, *, language: str | None = None) -> Description:
    """A stored rule set, its warnings judged on the day it took (or takes) effect."""
    return rule_set_describe(
        spec=rule_set.spec,
        allow_advances=rule_set.allow_advances,
        advance_limit_cents=rule_set.advance_limit_cents,
        on=rule_set.effective_from,
        language=language,
    )


class ExamplePot(TypedDict):
    pot: str
    label: str
    cents: int


class ExampleSplit(TypedDict):
    """What the split engine makes of an example shift (``example_split``)."""

    gross_cents: int
    member_cents: int
    pots: list[ExamplePot]


@dataclass(frozen=True)
class ExampleShift:
    """One piece of work to split as an example: gross in cents, minutes worked, its
    category and kind of client, and what the member earned earlier that month."""

    gross_cents: int
    minutes: int
    category: str
    client_kind: str
    month_gross_before_cents: int = 0


def example_split(
    parsed: rules.RuleSet, example: ExampleShift, *, language: str | None = None
) -> ExampleSplit:
    """What the split engine makes of ``example`` under ``parsed``: the member's part and
    each pot's, labelled in the reader's language."""
    for name, value in (
        ("example.gross", example.gross_cents),
        ("example.month_gross_before", example.month_gross_before_cents),
    ):
        if value < 0:
            raise ValidationFailed(_("The amount must be zero or more."), field=name)
    if example.minutes <= 0:
        raise ValidationFailed(
            _("Give the minutes worked, more than zero."), field="example.minutes"
        )
    split = rules.split_item(
        parsed,
        rules.Item(
            id="example",
            gross_cents=example.gross_cents,
            minutes=example.minutes,
            category=example.category,
            client_kind=example.client_kind,
            month_gross_before_cents=example.month_gross_before_cents,
        ),
    )
    lang = reader_language(language)
    with translation.override(lang):
        pots: list[ExamplePot] = [
            {"pot": pot.slug, "label": rule_pot_label(pot, lang), "cents": split.pots[pot.slug]}
            for pot in parsed.pots
        ]
    return {"gross_cents": split.gross_cents, "member_cents": split.member_cents, "pots": pots}


@dataclass(frozen=True)
class Preview:
    spec: dict[str, Any]
    allow_advances: bool
    advance_limit_cents: int
    currency: str
    description: Description
    example: ExampleSplit | None


def rule_set_preview(
    *,
    actor: User,
    cooperative: Cooperative,
    spec: object,
    allow_advances: object = False,
    advance_limit_cents: object = 0,
    effective_from: date | None = None,
    example: ExampleShift | None = None,
    language: str | None = None,
) -> Preview:
    """A draft checked, described and tried on an example shift. Writes nothing.

    The board only: members draft rules through a proposal of their own. Errors name the
    field (``spec.pots[0].percent``)."""
    require_role(actor, cooperative, "board")
    parsed, allowed, limit = rule_set_validate(
        actor=actor,
        cooperative=cooperative,
        spec=spec,
        allow_advances=allow_advances,
        advance_limit_cents=advance_limit_cents,
    )
    clean = rules.rule_set_to_dict(parsed)
    return Preview(
        spec=clean,
        allow_advances=allowed,
        advance_limit_cents=limit,
        currency=parsed.currency,
        description=rule_set_describe(
            spec=clean,
            allow_advances=allowed,
            advance_limit_cents=limit,
            on=effective_from,
            language=language,
        ),
        example=example_split(parsed, example, language=language) if example else None,
    )


def rule_set_propose(
    *,
    actor: User,
    cooperative: Cooperative,
    title: str,
    spec: object,
    body: str = "",
    allow_advances: object = False,
    advance_limit_cents: object = 0,
    effective_from: date | None = None,
    secret: bool = False,
    require_simulation: bool = False,
    open_vote: bool = False,
) -> Proposal:
    """The board proposes a rule set to the members: a proposal of kind ``payout_rules``
    (governance drafts the rule set with it), opened for the vote at once when asked.

    Returns the proposal; its ``payload["rule_set"]`` is the drafted rule set's id.
    """
    from members.services.governance import proposal_create, proposal_open

    require_role(actor, cooperative, "board")
    with transaction.atomic():
        proposal = proposal_create(
            actor=actor,
            cooperative=cooperative,
            kind="payout_rules",
            title=title,
            body=body,
            payload={
                "spec": spec,
                "title": title,
                "effective_from": effective_from.isoformat() if effective_from else None,
                "allow_advances": allow_advances,
                "advance_limit_cents": advance_limit_cents,
            },
            secret=secret,
            require_simulation=require_simulation,
        )
        if open_vote:
            proposal = proposal_open(actor=actor, proposal=proposal)
    return proposal
