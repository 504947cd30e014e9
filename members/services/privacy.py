"""AVG/GDPR: sensitive fields, the personal data export and erasure.

Erasure anonymises the person and keeps what bookkeeping must retain (membership
numbers, share capital and, in ``payouts``, every amount). Other apps add their part
of the export and of the erasure through the two registries below.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from werkstation.audit import audit_record
from werkstation.errors import PermissionDenied, ValidationFailed

from ..access import has_role
from ..models import (
    AvailabilityException,
    AvailabilitySlot,
    Membership,
    MemberSkill,
    Profile,
    User,
    Vote,
)
from ..selectors import member_work_context_forget
from .accounts import profile_of

_EXPORTERS: dict[str, Callable[[User], object]] = {}
_ERASERS: list[Callable[[User], None]] = []


def personal_data_exporter_register(name: str, exporter: Callable[[User], object]) -> None:
    _EXPORTERS[name] = exporter


def erasure_hook_register(hook: Callable[[User], None]) -> None:
    _ERASERS.append(hook)


def sensitive_fields(profile: Profile) -> dict:
    cap = profile.yearly_earnings_cap
    return {
        "iban": profile.iban,
        "account_holder": profile.account_holder,
        "yearly_earnings_cap": str(cap.amount) if cap is not None else None,
        "earnings_cap_reason": profile.earnings_cap_reason,
    }


def sensitive_profile_read(*, actor: User, member: User) -> dict:
    """The member's payout details and earnings cap, for the member or a treasurer.

    A read by anyone but the member is written to the audit trail.
    """
    if actor.pk == member.pk:
        return sensitive_fields(profile_of(member))
    shared = Membership.objects.filter(user=member).values_list("cooperative_id", flat=True)
    cooperative_id = next((c for c in shared if has_role(actor, c, "treasurer")), None)
    if cooperative_id is None:
        raise PermissionDenied(
            _("Only the member and their cooperative's treasurer see these details.")
        )
    profile = profile_of(member)
    audit_record(
        actor=actor,
        action="privacy.sensitive_read",
        target=profile,
        cooperative_id=cooperative_id,
        data={
            "member_id": member.pk,
            "fields": ["iban", "account_holder", "yearly_earnings_cap", "earnings_cap_reason"],
        },
    )
    return sensitive_fields(profile)


def personal_data_export(*, user: User) -> dict:
    profile = profile_of(user)
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined.isoformat(),
        },
        "profile": {
            "phone": profile.phone,
            "street": profile.street,
            "postcode": profile.postcode,
            "city": profile.city,
            "latitude": str(profile.latitude) if profile.latitude is not None else None,
            "longitude": str(profile.longitude) if profile.longitude is not None else None,
            "travel_radius_km": str(profile.travel_radius_km),
            "target_hours_per_week": profile.target_hours_per_week,
            "languages": profile.languages,
            **sensitive_fields(profile),
        },
        "memberships": [
            {
                "cooperative": m.cooperative.name,
                "status": m.status,
                "member_number": m.member_number,
                "roles": m.roles,
                "engagement": m.engagement,
                "share_capital": str(m.share_capital.amount),
                "applied_at": m.applied_at.isoformat(),
            }
            for m in Membership.objects.filter(user=user).select_related("cooperative")
        ],
        "skills": [
            {
                "skill": s.skill.name,
                "cooperative": s.skill.cooperative.name,
                "certificate_number": s.certificate_number,
                "certificate_expires_on": s.certificate_expires_on.isoformat()
                if s.certificate_expires_on
                else None,
            }
            for s in MemberSkill.objects.filter(user=user).select_related("skill__cooperative")
        ],
        "availability": [
            {
                "weekday": a.weekday,
                "start": a.start.isoformat("minutes"),
                "end": a.end.isoformat("minutes"),
            }
            for a in AvailabilitySlot.objects.filter(user=user)
        ],
        "availability_exceptions": [
            {"date": e.date.isoformat(), "available": e.available, "note": e.note}
            for e in AvailabilityException.objects.filter(user=user)
        ],
    }
    data["votes"] = [
        {
            "proposal": v.proposal.title,
            "choice": v.choice,
            "cast_at": v.cast_at.isoformat(),
            "by_proxy": v.by_proxy,
        }
        for v in Vote.objects.filter(voter=user).select_related("proposal")
    ]
    for name, exporter in _EXPORTERS.items():
        data[name] = exporter(user)
    audit_record(actor=user, action="privacy.exported", target=user)
    return data


@transaction.atomic
def user_erase(*, user: User, actor: User, confirm_email: str) -> User:
    if actor.pk != user.pk and not actor.is_staff:
        raise PermissionDenied(_("Only you (or platform staff) can erase your account."))
    if (confirm_email or "").strip().lower() != user.email.lower():
        raise ValidationFailed(
            _("Type your e-mail address to confirm the erasure."),
            code="confirmation_mismatch",
            field="confirm_email",
        )
    for hook in _ERASERS:
        hook(user)
    Profile.objects.filter(user=user).update(
        phone="",
        street="",
        postcode="",
        city="",
        latitude=None,
        longitude=None,
        languages=[],
        iban="",
        account_holder="",
        yearly_earnings_cap=None,
        earnings_cap_reason="",
    )
    member_work_context_forget(user.pk)  # .update() sends no post_save
    MemberSkill.objects.filter(user=user).delete()
    AvailabilitySlot.objects.filter(user=user).delete()
    AvailabilityException.objects.filter(user=user).delete()
    now = timezone.now()
    for membership in (
        Membership.objects.select_for_update().filter(user=user).exclude(status="left")
    ):
        membership.status = Membership.Status.LEFT
        membership.left_at = now
        membership.is_board = membership.is_treasurer = membership.is_auditor = False
        membership.motivation = ""
        membership.save()
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = _("Erased person #%(id)s") % {"id": user.pk}
    user.is_active = False
    user.erased_at = now
    user.set_unusable_password()
    user.save()
    from .tokens import api_tokens_revoke_all

    api_tokens_revoke_all(user=user, reason="erased", actor=actor)
    audit_record(actor=actor, action="privacy.erased", target=user)
    return user
