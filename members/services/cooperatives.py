from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from werkstation.audit import audit_record
from werkstation.errors import Conflict, PermissionDenied, ValidationFailed
from werkstation.validation import full_clean_or_raise

from ..access import require_role
from ..models import Cooperative, Skill, User
from ..validators import normalize_iban, normalize_postcode
from .invitations import invitation_create

# Fields the board may change from the app; legal identity and slug stay with staff.
BOARD_EDITABLE = {
    "name", "legal_name", "address_line", "postcode", "city", "vat_id", "iban", "bic",
    "area_postcodes", "vat_rate", "quorum_percent", "voting_days", "max_proxies_per_member",
    "cosigners_required", "claim_withdrawal_hours", "timesheet_auto_approve_days",
}  # fmt: skip

# Hooks other apps register to set up a new cooperative (e.g. its founding rule set).
_FOUNDING_HOOKS: list = []


def cooperative_founding_hook_register(hook) -> None:
    _FOUNDING_HOOKS.append(hook)


def _normalize(fields: dict) -> dict:
    if fields.get("postcode"):
        fields["postcode"] = normalize_postcode(fields["postcode"])
    if fields.get("iban"):
        fields["iban"] = normalize_iban(fields["iban"])
    if fields.get("bic"):
        fields["bic"] = fields["bic"].upper()
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
    board_emails: list[str] | tuple = (),
    site_url: str = "http://127.0.0.1:8000",
    **fields,
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
        founded_on=founded_on or date.today(),
        **_normalize(dict(fields)),
    )
    full_clean_or_raise(cooperative)
    cooperative.save()
    audit_record(
        actor=actor,
        action="cooperative.created",
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
def cooperative_update(*, actor: User, cooperative: Cooperative, **fields) -> Cooperative:
    require_role(actor, cooperative, "board")
    unknown = set(fields) - BOARD_EDITABLE
    if unknown:
        raise ValidationFailed(_("This field cannot be changed here."), field=sorted(unknown)[0])
    cooperative = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    before = {name: str(getattr(cooperative, name)) for name in fields}
    for name, value in _normalize(dict(fields)).items():
        setattr(cooperative, name, value)
    full_clean_or_raise(cooperative)
    cooperative.save()
    audit_record(
        actor=actor,
        action="cooperative.updated",
        target=cooperative,
        cooperative_id=cooperative.pk,
        data={
            "before": before,
            "after": {name: str(getattr(cooperative, name)) for name in fields},
        },
    )
    return cooperative


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
    audit_record(actor=actor, action="skill.created", target=skill, cooperative_id=cooperative.pk)
    return skill
