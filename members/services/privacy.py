"""AVG/GDPR: sensitive fields, the personal data export and erasure.

Design overview
---------------
* Every model field that points at a person is accounted for in one registry. Each app
  registers, at app start, what it holds about a person (``personal_data_register``): how
  to export it and how to erase it. A field that only records who did something to
  someone else's object (an invoice's ``issued_by``, an audit row's ``actor``) is
  registered as a reference (``person_reference_register``): the erasure of the person's
  own row makes it name nobody. ``tests/members/test_privacy_registry.py`` walks the
  model registry and fails for a field pointing at a person that nobody registered, the
  way the API authorization matrix fails for an endpoint without an entry.
* The export is one JSON document: the account, then each registration's part under its
  name.
* Erasure runs every registration's ``erase`` in one transaction, then anonymises the user
  row. Consent-based rows go, future work is released (the slots are offered onward),
  links and tokens stop working; the books (splits, payouts, invoices) keep their amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.access import sensitive_reader_cooperative
from members.audit_actions import MemberAction
from members.lifecycle import MEMBERSHIP
from members.models import (
    AvailabilityException,
    AvailabilitySlot,
    BenefitArrangement,
    Membership,
    MemberSkill,
    Profile,
    Proxy,
    RoleGrant,
    SecondApproval,
    User,
    Vote,
)
from members.selectors import member_work_context_forget
from werkstation.audit import audit_record
from werkstation.errors import PermissionDenied, ValidationFailed
from werkstation.locks import lock_users, lock_where

from .accounts import profile_of
from .benefits import export_benefit_arrangement

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.models import QuerySet


@dataclass(frozen=True)
class PersonalData:
    """What one app holds about a person: the fields pointing at them (``app.Model.field``),
    how to export it, and how to erase it (``keeps`` says what stays, and why)."""

    name: str
    fields: tuple[str, ...]
    export: Callable[[User], object]
    erase: Callable[[User], object]  # what it returns is not used
    keeps: str = ""


_PERSONAL: dict[str, PersonalData] = {}
_REFERENCES: dict[str, str] = {}


def personal_data_register(
    *,
    name: str,
    fields: tuple[str, ...] | list[str],
    export: Callable[[User], object],
    erase: Callable[[User], object],
    keeps: str = "",
) -> None:
    _PERSONAL[name] = PersonalData(
        name=name, fields=tuple(fields), export=export, erase=erase, keeps=keeps
    )


def person_reference_register(*fields: str, reason: str) -> None:
    """Fields that record who acted on something that is not their personal data."""
    for label in fields:
        _REFERENCES[label] = reason


def personal_data_registrations() -> dict[str, PersonalData]:
    return dict(_PERSONAL)


def person_references() -> dict[str, str]:
    return dict(_REFERENCES)


def sensitive_fields(profile: Profile) -> dict[str, Any]:
    cap = profile.yearly_earnings_cap
    return {
        "iban": profile.iban,
        "account_holder": profile.account_holder,
        "yearly_earnings_cap": str(cap.amount) if cap is not None else None,
        "earnings_cap_reason": profile.earnings_cap_reason,
        "date_of_birth": profile.date_of_birth.isoformat() if profile.date_of_birth else None,
    }


def sensitive_profile_read(*, actor: User, member: User) -> dict[str, Any]:
    """The member's payout details and earnings cap, for the member or the treasurer of a
    cooperative that admitted them (never for an applicant, nor after they left: then the
    details appear only in the payout files for what is still owed to them).

    A read by anyone but the member is written to the audit trail.
    """
    if actor.pk == member.pk:
        return sensitive_fields(profile_of(member))
    cooperative_id = sensitive_reader_cooperative(actor, member)
    if cooperative_id is None:
        raise PermissionDenied(
            _("Only the member and their cooperative's treasurer see these details."),
            code="sensitive",
        )
    profile = profile_of(member)
    audit_record(
        actor=actor,
        action=MemberAction.PRIVACY_SENSITIVE_READ,
        target=profile,
        cooperative_id=cooperative_id,
        data={
            "member_id": member.pk,
            "fields": [
                "iban",
                "account_holder",
                "yearly_earnings_cap",
                "earnings_cap_reason",
                "date_of_birth",
            ],
        },
    )
    return sensitive_fields(profile)


def personal_data_export(*, user: User) -> dict[str, Any]:
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined.isoformat(),
        },
    }
    for name, registration in _PERSONAL.items():
        data[name] = registration.export(user)
    audit_record(actor=user, action=MemberAction.PRIVACY_EXPORTED, target=user)
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
    lock_users([user.pk])
    for registration in _PERSONAL.values():
        registration.erase(user)
    now = timezone.now()
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = _("Erased person #%(id)s") % {"id": user.pk}
    user.is_active = False
    user.erased_at = now
    user.set_unusable_password()
    user.save()
    audit_record(actor=actor, action=MemberAction.PRIVACY_ERASED, target=user)
    return user


# --- What ``members`` itself holds ---------------------------------------------------


def _export_profile(user: User) -> dict[str, Any]:
    profile = profile_of(user)
    return {
        "phone": profile.phone,
        "street": profile.street,
        "postcode": profile.postcode,
        "city": profile.city,
        "latitude": str(profile.latitude) if profile.latitude is not None else None,
        "longitude": str(profile.longitude) if profile.longitude is not None else None,
        "travel_radius_km": str(profile.travel_radius_km),
        "target_hours_per_week": profile.target_hours_per_week,
        "languages": profile.languages,
        "kvk_number": profile.kvk_number,
        "vat_number": profile.vat_number,
        "kor": profile.kor,
        **sensitive_fields(profile),
    }


def _erase_profile(user: User) -> None:
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
        date_of_birth=None,
        yearly_earnings_cap=None,
        earnings_cap_reason="",
        target_hours_per_week=0,
        kvk_number="",
        vat_number="",
        kor=False,
    )
    member_work_context_forget(user.pk)  # .update() sends no post_save


def _export_memberships(user: User) -> list[dict[str, Any]]:
    return [
        {
            "cooperative": m.cooperative.name,
            "status": m.status,
            "member_number": m.member_number,
            "roles": m.roles,
            "engagement": m.engagement,
            "share_capital": str(m.share_capital.amount),
            "applied_at": m.applied_at.isoformat(),
            "motivation": m.motivation,
        }
        for m in Membership.objects.filter(user=user).select_related("cooperative")
    ]


def _erase_memberships(user: User) -> None:
    """Member numbers and share capital stay (the register of members); roles and the
    motivation go."""
    now = timezone.now()
    for membership in cast("list[Membership]", lock_where(Membership.objects.filter(user=user))):
        membership.is_board = membership.is_treasurer = membership.is_auditor = False
        membership.motivation = ""
        cleared = ["is_board", "is_treasurer", "is_auditor", "motivation"]
        if membership.status != Membership.Status.LEFT:
            MEMBERSHIP.transition(
                membership, Membership.Status.LEFT, by=None, at=now, extra_update_fields=cleared
            )
        else:
            membership.save(update_fields=cleared)
    RoleGrant.objects.filter(membership__user=user, revoked_at__isnull=True).update(revoked_at=now)
    SecondApproval.objects.filter(
        target_membership__user=user, status=SecondApproval.Status.PENDING
    ).update(status=SecondApproval.Status.CANCELLED, decided_at=now)


def _export_skills(user: User) -> list[dict[str, Any]]:
    return [
        {
            "skill": s.skill.name,
            "cooperative": s.skill.cooperative.name,
            "certificate_number": s.certificate_number,
            "certificate_expires_on": s.certificate_expires_on.isoformat()
            if s.certificate_expires_on
            else None,
        }
        for s in MemberSkill.objects.filter(user=user).select_related("skill__cooperative")
    ]


def _export_availability(user: User) -> list[dict[str, Any]]:
    return [
        {
            "weekday": a.weekday,
            "start": a.start.isoformat("minutes"),
            "end": a.end.isoformat("minutes"),
        }
        for a in AvailabilitySlot.objects.filter(user=user)
    ]


def _export_exceptions(user: User) -> list[dict[str, Any]]:
    return [
        {"date": e.date.isoformat(), "available": e.available, "note": e.note}
        for e in AvailabilityException.objects.filter(user=user)
    ]


def _erase_availability(user: User) -> None:
    AvailabilitySlot.objects.filter(user=user).delete()
    AvailabilityException.objects.filter(user=user).delete()
    member_work_context_forget(user.pk)


def _export_votes(user: User) -> list[dict[str, Any]]:
    """The member's own votes, with their choice: only they see it, even for a secret ballot."""
    return [
        {
            "proposal": v.proposal.title,
            "choice": v.choice,
            "cast_at": v.cast_at.isoformat(),
            "by_proxy": v.by_proxy,
        }
        for v in Vote.objects.filter(voter=user).select_related("proposal")
    ]


def _proxy_rows(proxies: QuerySet[Proxy], other: str) -> list[dict[str, Any]]:
    return [
        {
            other: getattr(p, other).full_name,
            "proposal": p.proposal.title if p.proposal else None,
            "since": p.created_at.isoformat(),
            "revoked_at": p.revoked_at.isoformat() if p.revoked_at else None,
        }
        for p in proxies.select_related(other, "proposal")
    ]


def _export_governance(user: User) -> dict[str, Any]:
    from members.models import Cosigner, Proposal

    return {
        "votes_cast_for_others": Vote.objects.filter(cast_by=user).exclude(voter=user).count(),
        "proxies_given": _proxy_rows(Proxy.objects.filter(grantor=user), "holder"),
        "proxies_held": _proxy_rows(Proxy.objects.filter(holder=user), "grantor"),
        "proposals": list(Proposal.objects.filter(proposer=user).values_list("title", flat=True)),
        "cosigned": list(
            Cosigner.objects.filter(user=user).values_list("proposal__title", flat=True)
        ),
    }


def _erase_governance(user: User) -> None:
    """Votes stay (results must stay reproducible); proxies given or held end now."""
    from django.db.models import Q

    from members.models import SimulationView

    Proxy.objects.filter(Q(grantor=user) | Q(holder=user), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    SimulationView.objects.filter(user=user).delete()


def _export_sign_in(user: User) -> dict[str, Any]:
    from members.models import ApiToken, RecoveryCodes, TotpDevice

    return {
        "api_tokens": [
            {
                "token_key": t.token_key,
                "name": t.name,
                "created": t.created.isoformat(),
                "expiry": t.expiry.isoformat() if t.expiry else None,
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            }
            for t in ApiToken.objects.filter(user=user)
        ],
        "two_factor_devices": list(
            TotpDevice.objects.filter(user=user, confirmed=True).values_list("name", flat=True)
        ),
        "recovery_codes_left": RecoveryCodes.objects.filter(user=user)
        .values_list("token_set", flat=True)
        .count(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
    }


def _erase_sign_in(user: User) -> None:
    """Tokens are revoked (audited), devices and set-up links deleted, and the attempt
    counters that name the address forgotten."""
    from members.models import EnrolmentLink, RateLimitHit, RecoveryCodes, TotpDevice

    from .tokens import api_tokens_revoke_all

    email = user.email
    api_tokens_revoke_all(user=user, reason="erased")
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCodes.objects.filter(user=user).delete()
    EnrolmentLink.objects.filter(user=user).delete()
    RateLimitHit.objects.filter(key__iexact=email).delete()


def _export_notifications(user: User) -> dict[str, Any]:
    from members.models import NotificationPreference

    pref = NotificationPreference.objects.filter(user=user).first()
    if pref is None:
        return {}
    return {
        "shift_digest": pref.shift_digest,
        "claim_updates": pref.claim_updates,
        "timesheet_updates": pref.timesheet_updates,
        "governance_updates": pref.governance_updates,
    }


def _erase_notifications(user: User) -> None:
    from members.models import NotificationPreference

    NotificationPreference.objects.filter(user=user).delete()


personal_data_register(
    name="profile", fields=("members.Profile.user",), export=_export_profile, erase=_erase_profile
)
personal_data_register(
    name="memberships",
    fields=("members.Membership.user",),
    export=_export_memberships,
    erase=_erase_memberships,
    keeps="member numbers and share capital (the register of members)",
)
personal_data_register(
    name="skills",
    fields=("members.MemberSkill.user",),
    export=_export_skills,
    erase=lambda user: MemberSkill.objects.filter(user=user).delete(),
)
personal_data_register(
    name="availability",
    fields=("members.AvailabilitySlot.user",),
    export=_export_availability,
    erase=_erase_availability,
)
personal_data_register(
    name="availability_exceptions",
    fields=("members.AvailabilityException.user",),
    export=_export_exceptions,
    erase=_erase_availability,
)
personal_data_register(
    name="votes",
    fields=("members.Vote.voter", "members.Vote.cast_by"),
    export=_export_votes,
    erase=lambda user: None,
    keeps="the votes, so results stay reproducible (the voter's row names nobody after erasure)",
)
personal_data_register(
    name="governance",
    fields=(
        "members.Proxy.grantor",
        "members.Proxy.holder",
        "members.Proposal.proposer",
        "members.Cosigner.user",
        "members.Elector.user",
        "members.SimulationView.user",
    ),
    export=_export_governance,
    erase=_erase_governance,
    keeps="proposals, co-signatures and the electorate of past votes",
)
personal_data_register(
    name="benefit_arrangement",
    fields=("members.BenefitArrangement.user",),
    export=export_benefit_arrangement,
    erase=lambda user: BenefitArrangement.objects.filter(user=user).delete(),
)
personal_data_register(
    name="notifications",
    fields=("members.NotificationPreference.user",),
    export=_export_notifications,
    erase=_erase_notifications,
)
personal_data_register(
    name="sign_in",
    fields=(
        "members.ApiToken.user",
        "otp_totp.TOTPDevice.user",
        "otp_static.StaticDevice.user",
        "members.EnrolmentLink.user",
    ),
    export=_export_sign_in,
    erase=_erase_sign_in,
)
person_reference_register(
    "members.Membership.decided_by",
    "members.Invitation.invited_by",
    "members.Invitation.accepted_by",
    "werkstation.AuditEntry.actor",
    "admin.LogEntry.user",
    "members.RoleGrant.requested_by",
    "members.RoleGrant.approved_by",
    "members.SecondApproval.requested_by",
    "members.SecondApproval.decided_by",
    reason="who acted; the erased person's own row names nobody any more",
)
