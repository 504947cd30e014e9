"""What ``payouts`` registers with lower layers at app start."""

from datetime import date

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.providers import earnings_this_year_provider_register, max_pay_rooms_provider_register
from members.services.cooperatives import cooperative_founding_hook_register
from members.services.governance import ProposalKind, proposal_kind_register
from members.services.privacy import person_reference_register, personal_data_register
from payouts.audit_actions import PayoutAction
from werkstation.audit import audit_record
from werkstation.errors import Conflict, ValidationFailed

from . import tasks  # noqa: F401  (outbox handler)
from .models import EarningsCapWarning, RuleSet
from .pots import pot_names
from .rules import describe, parse_rule_set, rule_set_to_dict
from .selectors import earnings_this_year, privacy
from .selectors.benefit_room import max_pay_rooms
from .selectors.minimum_wage import floor_warning, require_floor_for_payroll
from .selectors.simulation import simulate_rule_set
from .services.rulesets import (
    advances_sentence,
    found_rule_set,
    rule_set_adopt,
    rule_set_create,
    rule_set_mark_proposed,
    rule_set_reject,
    rule_set_validate,
)

cooperative_founding_hook_register(found_rule_set)


earnings_this_year_provider_register(earnings_this_year)
max_pay_rooms_provider_register(max_pay_rooms)

BOOKS = "the amounts, for the books (the erased person's own row names nobody)"
personal_data_register(
    name="earnings",
    fields=("payouts.Split.member",),
    export=privacy.export_earnings,
    erase=lambda user: None,
    keeps=BOOKS,
)
personal_data_register(
    name="payouts",
    fields=("payouts.PayoutItem.member",),
    export=privacy.export_payouts,
    erase=lambda user: None,
    keeps=BOOKS + "; a payout still owed is paid to the account it was drafted for",
)
personal_data_register(
    name="earnings_cap_warnings",
    fields=("payouts.EarningsCapWarning.member",),
    export=privacy.export_cap_warnings,
    erase=lambda user: EarningsCapWarning.objects.filter(member=user).delete(),
)
personal_data_register(
    name="stripe_accounts",
    fields=("payouts.StripeConnectAccount.user",),
    export=privacy.export_stripe_accounts,
    erase=lambda user: None,
    keeps="the Connect account id, to reconcile transfers already made at Stripe",
)
personal_data_register(
    name="self_billing_invoices",
    fields=("payouts.SelfBillingInvoice.member", "payouts.SelfBillingSequence.member"),
    export=privacy.export_self_billing_invoices,
    erase=lambda user: None,
    keeps="the self-billing invoices as issued, with the member's name, address, KvK and VAT "
    "number: the tax office requires invoices to be kept for seven years",
)
person_reference_register(
    "payouts.Invoice.issued_by",
    "payouts.SelfBillingInvoice.issued_by",
    "payouts.Payment.recorded_by",
    "payouts.PayoutBatch.created_by",
    "payouts.PayoutApproval.user",
    "payouts.Refund.recorded_by",
    "payouts.CreditNote.issued_by",
    "payouts.RuleSet.created_by",
    "payouts.StripeSettings.updated_by",
    "payouts.VatReverseCharge.confirmed_by",
    reason="who acted in the books (four eyes included); the erased person's row names nobody",
)


def _validate_rules(*, cooperative, payload: dict, actor) -> dict:
    """A payout-rule proposal carries a new rule set (checked by the split engine); this
    checks it and writes nothing (``_draft_rule_set`` drafts it when the proposal is made)."""
    effective = payload.get("effective_from")
    try:
        effective_from = date.fromisoformat(effective) if effective else None
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("Give the date the rules take effect as YYYY-MM-DD."), field="payload.effective_from"
        ) from exc
    if "spec" not in payload:
        raise ValidationFailed(
            _("A payout-rule proposal carries the rule set."), code="required", field="payload.spec"
        )
    parsed, allow_advances, advance_limit_cents = rule_set_validate(
        actor=actor,
        cooperative=cooperative,
        spec=payload["spec"],
        allow_advances=payload.get("allow_advances", False),
        advance_limit_cents=payload.get("advance_limit_cents", 0),
    )
    return {
        "spec": rule_set_to_dict(parsed),
        "title": payload.get("title", ""),
        "effective_from": effective_from.isoformat() if effective_from else None,
        "allow_advances": allow_advances,
        "advance_limit_cents": advance_limit_cents,
    }


def _draft_rule_set(*, cooperative, payload: dict, actor) -> dict:
    """The proposal's rule set, drafted as the proposal is made; the proposal keeps its id."""
    rule_set = rule_set_create(
        actor=actor,
        cooperative=cooperative,
        spec=payload["spec"],
        title=payload["title"],
        allow_advances=payload["allow_advances"],
        advance_limit_cents=payload["advance_limit_cents"],
    )
    return {
        "rule_set": rule_set.pk,
        "effective_from": payload["effective_from"],
        "allow_advances": rule_set.allow_advances,
        "advance_limit_cents": rule_set.advance_limit_cents,
    }


def _describe(proposal, language: str) -> list[str]:
    """The rules in words, and the advances option voted on with them."""
    rule_set = _rule_set(proposal)
    lang = "en" if language.startswith("en") else "nl"
    parsed = parse_rule_set(rule_set.spec)
    advances = advances_sentence(
        allow_advances=rule_set.allow_advances,
        advance_limit_cents=rule_set.advance_limit_cents,
        currency=parsed.currency,
        lang=lang,
    )
    with translation.override(lang):
        names = pot_names(pot.slug for pot in parsed.pots)
        effective = proposal.payload.get("effective_from")
        warning = floor_warning(
            rule_set.spec,
            date.fromisoformat(effective) if effective else timezone.localdate(),
            lang,
        )
    refused = (proposal.result or {}).get("not_in_force")
    return [
        *([refused] if refused else []),
        *([warning] if warning and not refused else []),
        *describe(parsed, lang, names),
        advances,
    ]


def _rule_set(proposal) -> RuleSet:
    return RuleSet.objects.get(
        pk=proposal.payload["rule_set"], cooperative_id=proposal.cooperative_id
    )


def _adopt_rules(proposal) -> None:
    wanted = proposal.payload.get("effective_from")
    today = timezone.localdate()
    effective = max(date.fromisoformat(wanted), today) if wanted else today
    rule_set = _rule_set(proposal)
    try:
        require_floor_for_payroll(
            cooperative_id=proposal.cooperative_id, spec=rule_set.spec, on=effective
        )
    except Conflict as exc:
        # The members voted for it, but the law keeps it out of force: it is refused, and
        # the proposal says why (its description and the audit).
        rule_set_reject(rule_set=rule_set)
        proposal.result = {**(proposal.result or {}), "not_in_force": exc.message}
        proposal.save(update_fields=["result"])
        audit_record(
            actor=None,
            action=PayoutAction.RULESET_REFUSED_BELOW_MINIMUM_WAGE,
            target=rule_set,
            cooperative_id=proposal.cooperative_id,
            data={"proposal_id": proposal.pk, "effective_from": effective.isoformat()},
        )
        return
    rule_set_adopt(
        rule_set=_rule_set(proposal),
        effective_from=effective,
        via=RuleSet.AdoptedVia.VOTE,
        proposal_id=proposal.pk,
    )


proposal_kind_register(
    ProposalKind(
        name="payout_rules",
        label=gettext_lazy("payout rule set"),
        majority="two_thirds",
        needs_simulation=True,
        validate=_validate_rules,
        on_create=_draft_rule_set,
        on_open=lambda p: rule_set_mark_proposed(rule_set=_rule_set(p)),
        on_adopt=_adopt_rules,
        simulate=lambda proposal, user: simulate_rule_set(proposal=proposal, user=user),
        describe=_describe,
        on_reject=lambda p: rule_set_reject(rule_set=_rule_set(p)),
    )
)
