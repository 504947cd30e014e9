from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.access import require_role
from members.audit_actions import MemberAction
from members.models import Cooperative, SecondApproval, Skill, User
from members.validators import normalize_iban, normalize_postcode, validate_bic, validate_iban
from werkstation.audit import audit_record
from werkstation.errors import Conflict, PermissionDenied, ValidationFailed
from werkstation.locks import lock_get
from werkstation.validation import full_clean_or_raise

from .approvals import ApprovalKind, approval_kind_register, second_approval_request
from .invitations import invitation_create

# Fields the board may change from the app; legal identity and slug stay with staff.
BOARD_EDITABLE = {
    "name",
    "legal_name",
    "address_line",
    "postcode",
    "city",
    "vat_id",
    "lender_registration",
    "wtta_number",
    "iban",
    "bic",
    "g_account_iban",
    "area_postcodes",
    "vat_rate",
    "quorum_percent",
    "voting_days",
    "max_proxies_per_member",
    "cosigners_required",
    "claim_withdrawal_hours",
    "timesheet_auto_approve_days",
}


# Hooks other apps register to set up a new cooperative (e.g. its founding rule set).
class FoundingHook(Protocol):
    def __call__(self, *, cooperative: Cooperative, actor: User) -> object: ...


_FOUNDING_HOOKS: list[FoundingHook] = []


def cooperative_founding_hook_register(hook: FoundingHook) -> None:
    _FOUNDING_HOOKS.append(hook)


def _normalize(fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("postcode"):
        fields["postcode"] = normalize_postcode(fields["postcode"])
    if fields.get("iban"):
        fields["iban"] = normalize_iban(fields["iban"])
    if fields.get("bic"):
        fields["bic"] = fields["bic"].upper()
    if fields.get("g_account_iban"):
        fields["g_account_iban"] = normalize_iban(fields["g_account_iban"])
    return fields


@transaction.atomic
def cooperative_create(
    *,
    actor: User,
    name: str,
    legal_name: str,
    kvk_number: str,
    founded_on: date | None = None,
    slug: str = "",
    board_emails: list[str] | tuple[str, ...] = (),
    site_url: str | None = None,
    **fields: Any,
) -> Cooperative:
    if not (actor.is_staff or actor.is_superuser):
        raise PermissionDenied(_("Only platform staff create cooperatives."), code="staff_only")
    unknown = set(fields) - BOARD_EDITABLE
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    slug = slug or slugify(name)[:60]
    if Cooperative.objects.filter(slug=slug).exists():
        raise Conflict(
            _("A cooperative with this slug exists already."), code="duplicate_slug", field="slug"
        )
    cooperative = Cooperative(
        name=name,
        slug=slug,
        legal_name=legal_name,
        kvk_number=kvk_number,
        founded_on=founded_on or timezone.localdate(),
        **_normalize(dict(fields)),
    )
    full_clean_or_raise(cooperative)
    cooperative.save()
    audit_record(
        actor=actor,
        action=MemberAction.COOPERATIVE_CREATED,
        target=cooperative,
        cooperative_id=cooperative.pk,
        data={"founded_on": cooperative.founded_on.isoformat()},
    )
    for hook in _FOUNDING_HOOKS:
        hook(cooperative=cooperative, actor=actor)
    for email in board_emails:
        invitation_create(
            kind="board", email=email, invited_by=actor, cooperative=cooperative, site_url=site_url
        )
    return cooperative


@transaction.atomic
def cooperative_update(*, actor: User, cooperative: Cooperative, **fields: Any) -> Cooperative:
    """Save the board's settings. A new bank account is only *asked for*: it needs a
    second board member and then waits through the hold (``cooperative.pending_bank``)."""
    require_role(actor, cooperative, "board")
    unknown = set(fields) - BOARD_EDITABLE
    if unknown:
        raise ValidationFailed(_("This field cannot be changed here."), field=sorted(unknown)[0])
    cooperative = lock_get("members.Cooperative", cooperative.pk)
    fields = _normalize(dict(fields))
    bank = {name: fields.pop(name) for name in ("iban", "bic") if name in fields}
    g_iban = fields.pop("g_account_iban", None)
    before = {name: str(getattr(cooperative, name)) for name in fields}
    for name, value in fields.items():
        setattr(cooperative, name, value)
    asked = _bank_change_ask(actor=actor, cooperative=cooperative, bank=bank)
    g_asked = _g_account_change_ask(actor=actor, cooperative=cooperative, iban=g_iban)
    full_clean_or_raise(cooperative)
    cooperative.save()
    cooperative.pending_bank = asked
    cooperative.pending_g_account = g_asked
    audit_record(
        actor=actor,
        action=MemberAction.COOPERATIVE_UPDATED,
        target=cooperative,
        cooperative_id=cooperative.pk,
        data={
            "before": before,
            "after": {name: str(getattr(cooperative, name)) for name in fields},
        },
    )
    return cooperative


def _bank_change_ask(
    *, actor: User, cooperative: Cooperative, bank: dict[str, str]
) -> SecondApproval | None:
    """A request for a second board member when the bank account would change."""
    if not bank:
        return None
    current_iban, current_bic = cooperative.bank_account()
    iban = bank.get("iban", current_iban) or ""
    bic = bank.get("bic", current_bic) or ""
    upcoming = (cooperative.next_iban, cooperative.next_bic) if cooperative.next_iban_from else None
    if (iban, bic) == (current_iban, current_bic) or (iban, bic) == upcoming:
        return None
    for name, value, check in (("iban", iban, validate_iban), ("bic", bic, validate_bic)):
        if value:
            try:
                check(value)
            except DjangoValidationError as exc:
                raise ValidationFailed(exc.messages[0], code="invalid_" + name, field=name) from exc
    return second_approval_request(
        kind="cooperative_bank",
        cooperative=cooperative,
        requester=actor,
        payload={"iban": iban, "bic": bic},
    )


def _g_account_change_ask(
    *, actor: User, cooperative: Cooperative, iban: str | None
) -> SecondApproval | None:
    """A request for a second board member when the G-account would change."""
    if iban is None or iban == cooperative.g_account_iban:
        return None
    if iban:
        try:
            validate_iban(iban)
        except DjangoValidationError as exc:
            raise ValidationFailed(
                exc.messages[0], code="invalid_iban", field="g_account_iban"
            ) from exc
    return second_approval_request(
        kind="cooperative_g_account",
        cooperative=cooperative,
        requester=actor,
        payload={"iban": iban},
    )


def _g_account_change_apply(approval: SecondApproval, approver: User) -> None:
    cooperative = lock_get("members.Cooperative", approval.cooperative_id)
    cooperative.g_account_iban = approval.payload["iban"]
    cooperative.save(update_fields=["g_account_iban"])
    audit_record(
        actor=approver,
        action=MemberAction.COOPERATIVE_G_ACCOUNT_CHANGED,
        target=cooperative,
        cooperative_id=cooperative.pk,
        data={"iban_last4": cooperative.g_account_iban[-4:]},
    )


def _g_account_change_describe(approval: SecondApproval) -> str:
    return _(
        "Change the G-account of %(cooperative)s to %(iban)s. Invoices to clients with a "
        "G-account agreement ask them to pay a share into it."
    ) % {
        "cooperative": approval.cooperative.name,
        "iban": approval.payload.get("iban") or _("(none)"),
    }


approval_kind_register(
    ApprovalKind(
        name="cooperative_g_account",
        label=gettext_lazy("the G-account"),
        requester_roles=("board",),
        approver_roles=("board",),
        apply=_g_account_change_apply,
        describe=_g_account_change_describe,
    )
)


def _bank_change_apply(approval: SecondApproval, approver: User) -> None:
    """Approved: the new account is used once the hold has passed."""
    cooperative = lock_get("members.Cooperative", approval.cooperative_id)
    now = timezone.now()
    if cooperative.next_iban_from is not None and cooperative.next_iban_from <= now:
        cooperative.iban, cooperative.bic = cooperative.next_iban, cooperative.next_bic
    cooperative.next_iban = approval.payload["iban"]
    cooperative.next_bic = approval.payload["bic"]
    cooperative.next_iban_from = now + timedelta(days=settings.COOPERATIVE_IBAN_HOLD_DAYS)
    cooperative.save(update_fields=["iban", "bic", "next_iban", "next_bic", "next_iban_from"])
    audit_record(
        actor=approver,
        action=MemberAction.COOPERATIVE_BANK_ACCOUNT_CHANGED,
        target=cooperative,
        cooperative_id=cooperative.pk,
        data={
            "iban_last4": cooperative.next_iban[-4:],
            "in_use_from": cooperative.next_iban_from.isoformat(),
        },
    )


def _bank_change_describe(approval: SecondApproval) -> str:
    iban = approval.payload.get("iban") or ""
    return _(
        "Change the bank account of %(cooperative)s to %(iban)s. Invoices and payout files "
        "use it %(days)s days after approval."
    ) % {
        "cooperative": approval.cooperative.name,
        "iban": iban or _("(none)"),
        "days": settings.COOPERATIVE_IBAN_HOLD_DAYS,
    }


approval_kind_register(
    ApprovalKind(
        name="cooperative_bank",
        label=gettext_lazy("the bank account"),
        requester_roles=("board",),
        approver_roles=("board",),
        apply=_bank_change_apply,
        describe=_bank_change_describe,
    )
)


@transaction.atomic
def skill_create(
    *,
    actor: User,
    cooperative: Cooperative,
    name: str,
    requires_certificate: bool = False,
    slug: str = "",
) -> Skill:
    require_role(actor, cooperative, "board")
    slug = slug or slugify(name)[:40]
    if not slug:
        raise ValidationFailed(_("Give the skill a name."), code="required", field="name")
    if Skill.objects.filter(cooperative=cooperative, slug=slug).exists():
        raise Conflict(
            _("This skill is on the list already."), code="duplicate_skill", field="name"
        )
    skill = Skill(
        cooperative=cooperative,
        slug=slug,
        name=name.strip(),
        requires_certificate=requires_certificate,
    )
    full_clean_or_raise(skill)
    skill.save()
    audit_record(
        actor=actor, action=MemberAction.SKILL_CREATED, target=skill, cooperative_id=cooperative.pk
    )
    return skill
