"""What ``payouts`` registers with lower layers at app start."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.providers import earnings_this_year_provider_register
from members.services.cooperatives import cooperative_founding_hook_register
from members.services.governance import ProposalKind, proposal_kind_register
from werkstation.errors import ValidationFailed

from . import tasks  # noqa: F401  (outbox handler and beat schedule)
from .models import RuleSet
from .rules import describe, parse_rule_set
from .selectors import earnings_this_year
from .services.rulesets import (
    found_rule_set,
    rule_set_adopt,
    rule_set_create,
    rule_set_mark_proposed,
    rule_set_reject,
)
from .services.simulation import simulate_rule_set

cooperative_founding_hook_register(found_rule_set)


earnings_this_year_provider_register(earnings_this_year)


def _validate_rules(*, cooperative, payload: dict, actor) -> dict:
    """A payout-rule proposal carries a new draft rule set (validated by the split engine)."""
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
    rule_set = rule_set_create(
        actor=actor, cooperative=cooperative, spec=payload["spec"], title=payload.get("title", "")
    )
    return {
        "rule_set": rule_set.pk,
        "effective_from": effective_from.isoformat() if effective_from else None,
    }


def _rule_set(proposal) -> RuleSet:
    return RuleSet.objects.get(
        pk=proposal.payload["rule_set"], cooperative_id=proposal.cooperative_id
    )


def _adopt_rules(proposal) -> None:
    wanted = proposal.payload.get("effective_from")
    today = timezone.localdate()
    effective = max(date.fromisoformat(wanted), today) if wanted else today
    rule_set_adopt(
        rule_set=_rule_set(proposal),
        effective_from=effective,
        via=RuleSet.AdoptedVia.VOTE,
        proposal_id=proposal.pk,
    )


proposal_kind_register(
    ProposalKind(
        name="payout_rules", label=gettext_lazy("payout rule set"), majority="two_thirds", needs_simulation=True,
        validate=_validate_rules, on_open=lambda p: rule_set_mark_proposed(rule_set=_rule_set(p)),
        on_adopt=_adopt_rules,
        simulate=lambda proposal, user: simulate_rule_set(proposal=proposal, user=user),
        describe=lambda proposal, language: describe(parse_rule_set(_rule_set(proposal).spec), "en" if language.startswith("en") else "nl"), on_reject=lambda p: rule_set_reject(rule_set=_rule_set(p)),
    )
)  # fmt: skip
