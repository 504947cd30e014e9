from __future__ import annotations

import itertools
from datetime import date, time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.audit_actions import MemberAction
from members.models import (
    AvailabilityException,
    AvailabilitySlot,
    Membership,
    MemberSkill,
    NotificationPreference,
    Profile,
    Skill,
    User,
)
from members.models.profiles import LANGUAGE_CHOICES
from members.selectors import member_work_context_forget
from members.validators import clean_postcode, normalize_iban, normalize_postcode
from werkstation.audit import audit_record
from werkstation.errors import Conflict, NotFound, ValidationFailed
from werkstation.geo import check_coordinates
from werkstation.geocoding import geocode
from werkstation.locks import lock_get, lock_get_or_create
from werkstation.notify import email_user_on_commit
from werkstation.validation import full_clean_or_raise

from .accounts import profile_of

PROFILE_FIELDS = {
    "phone",
    "street",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "travel_radius_km",
    "target_hours_per_week",
    "yearly_earnings_cap",
    "earnings_cap_reason",
    "languages",
    "iban",
    "account_holder",
    "date_of_birth",
    "kvk_number",
    "vat_number",
    "kor",
}
_LANGUAGE_CODES = {code for code, _label in LANGUAGE_CHOICES}


OLDEST_AGE, YOUNGEST_AGE = 120, 13


def check_date_of_birth(born: date) -> None:
    """A date of birth in the past, of someone between 13 and 120 years old."""
    today = timezone.localdate()
    if not isinstance(born, date) or born > today.replace(year=today.year - YOUNGEST_AGE):
        raise ValidationFailed(
            _("Enter your date of birth: you must be at least %(age)s years old.")
            % {"age": YOUNGEST_AGE},
            code="invalid",
            field="date_of_birth",
        )
    if born < date(today.year - OLDEST_AGE, 1, 1):
        raise ValidationFailed(
            _("Enter your real date of birth."), code="invalid", field="date_of_birth"
        )


def _place_by_postcode(profile: Profile, fields: dict[str, Any]) -> None:
    """A new address without coordinates is placed on the map from its postcode (the
    web form asks no coordinates; the API may still give them)."""
    if "latitude" in fields:
        return
    postcode = fields.get("postcode", profile.postcode)
    street = fields.get("street", profile.street)
    if not postcode or (postcode == profile.postcode and street == profile.street):
        return
    clean_postcode(postcode)  # a malformed postcode is named as such, not as not found
    found = geocode(postcode=postcode, street=street or "")
    if found is None:
        raise ValidationFailed(
            _("We could not find this postcode. Check it, for example 3526 KL."),
            code="not_geocoded",
            field="postcode",
        )
    fields["latitude"], fields["longitude"] = found


@transaction.atomic
def profile_update(*, user: User, **fields: Any) -> Profile:
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    profile: Profile = lock_get("members.Profile", profile_of(user).pk)
    if fields.get("postcode"):
        fields["postcode"] = normalize_postcode(fields["postcode"])
    if fields.get("iban"):
        fields["iban"] = normalize_iban(fields["iban"])
    if fields.get("vat_number"):
        fields["vat_number"] = fields["vat_number"].replace(" ", "").replace(".", "").upper()
    if fields.get("kvk_number"):
        fields["kvk_number"] = fields["kvk_number"].replace(" ", "")
    if "languages" in fields:
        languages = fields["languages"] or []
        if not isinstance(languages, list) or not set(languages) <= _LANGUAGE_CODES:
            raise ValidationFailed(_("Choose languages from the list."), field="languages")
    if ("latitude" in fields) != ("longitude" in fields):
        raise ValidationFailed(_("Give both latitude and longitude."), field="longitude")
    check_coordinates(fields.get("latitude"), fields.get("longitude"))
    if fields.get("date_of_birth") is not None:
        check_date_of_birth(fields["date_of_birth"])
    _place_by_postcode(profile, fields)
    iban_changed = "iban" in fields and fields["iban"] != profile.iban
    for name, value in fields.items():
        setattr(profile, name, value)
    if iban_changed:
        profile.iban_changed_at = timezone.now()
    full_clean_or_raise(profile, exclude=["user"])
    profile.save()
    audit_record(
        actor=user,
        action=MemberAction.PROFILE_UPDATED,
        target=profile,
        data={"fields": sorted(fields)},
    )
    if iban_changed and profile.iban:
        # Payouts to a new account are held for a few days (see payouts); tell the
        # member, so a change they did not make is noticed.
        email_user_on_commit(
            to=user.email,
            language=user.preferred_language,
            subject=_("Your bank account was changed"),
            template="members/email/iban_changed.txt",
            context={"user": user, "last4": profile.iban[-4:]},
        )
    return profile


def _skill_for_member(user: User, skill_id: int) -> Skill:
    skill = Skill.objects.filter(pk=skill_id).first()
    if (
        skill is None
        or not Membership.objects.filter(
            user=user, cooperative_id=skill.cooperative_id, status__in=["active", "applied"]
        ).exists()
    ):
        raise NotFound(_("This skill is not on the list of your cooperative."), field="skill")
    return skill


@transaction.atomic
def member_skill_set(
    *,
    user: User,
    skill_id: int,
    certificate_number: str = "",
    certificate_expires_on: date | None = None,
) -> MemberSkill:
    skill = _skill_for_member(user, skill_id)
    if skill.requires_certificate and certificate_expires_on is None:
        raise ValidationFailed(
            _("%(skill)s needs a certificate: give its expiry date.") % {"skill": skill.name},
            code="certificate_required",
            field="certificate_expires_on",
        )
    member_skill, _created = MemberSkill.objects.update_or_create(
        user=user,
        skill=skill,
        defaults={
            "certificate_number": certificate_number or "",
            "certificate_expires_on": certificate_expires_on,
        },
    )
    audit_record(
        actor=user,
        action=MemberAction.MEMBER_SKILL_SET,
        target=member_skill,
        cooperative_id=skill.cooperative_id,
    )
    return member_skill


@transaction.atomic
def member_skill_remove(*, user: User, member_skill_id: int) -> None:
    member_skill = (
        MemberSkill.objects.filter(pk=member_skill_id, user=user).select_related("skill").first()
    )
    if member_skill is None:  # someone else's skill is not found either: ids tell nothing
        raise NotFound(_("Skill not found."), field="id")
    audit_record(
        actor=user,
        action=MemberAction.MEMBER_SKILL_REMOVED,
        target=member_skill,
        cooperative_id=member_skill.skill.cooperative_id,
    )
    member_skill.delete()


def _parse_slot(index: int, raw: dict[str, Any]) -> AvailabilitySlot:
    prefix = f"slots[{index}]"
    try:
        weekday = int(raw["weekday"])
        start = (
            raw["start"]
            if isinstance(raw["start"], time)
            else time.fromisoformat(str(raw["start"]))
        )
        end = raw["end"] if isinstance(raw["end"], time) else time.fromisoformat(str(raw["end"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("Each slot needs a weekday (0–6), a start and an end (HH:MM)."), field=prefix
        ) from exc
    if not 0 <= weekday <= 6:
        raise ValidationFailed(
            _("The weekday is 0 (Monday) to 6 (Sunday)."), field=f"{prefix}.weekday"
        )
    if end <= start:
        raise ValidationFailed(
            _("The end must be after the start."), code="end_before_start", field=f"{prefix}.end"
        )
    return AvailabilitySlot(weekday=weekday, start=start, end=end)


@transaction.atomic
def availability_replace(*, user: User, slots: list[dict[str, Any]]) -> list[AvailabilitySlot]:
    """Replace the weekly availability as a whole (what a week-grid form submits)."""
    parsed = [_parse_slot(i, raw) for i, raw in enumerate(slots)]
    by_day: dict[int, list[AvailabilitySlot]] = {}
    for slot in parsed:
        by_day.setdefault(slot.weekday, []).append(slot)
    for day_slots in by_day.values():
        day_slots.sort(key=lambda s: s.start)
        for previous, current in itertools.pairwise(day_slots):
            if current.start < previous.end:
                raise Conflict(
                    _("Two windows on the same day overlap."), code="overlap", field="slots"
                )
    AvailabilitySlot.objects.filter(user=user).delete()
    for slot in parsed:
        slot.user = user
    created = AvailabilitySlot.objects.bulk_create(parsed)
    member_work_context_forget(user.pk)  # bulk_create sends no post_save
    audit_record(
        actor=user, action=MemberAction.AVAILABILITY_REPLACED, data={"slots": len(created)}
    )
    return created


@transaction.atomic
def availability_exception_add(
    *,
    user: User,
    date: date,
    available: bool = False,
    start: time | None = None,
    end: time | None = None,
    note: str = "",
) -> AvailabilityException:
    if (start is None) != (end is None):
        raise ValidationFailed(_("Give both a start and an end, or neither."), field="end")
    if start is not None and end is not None and end <= start:
        raise ValidationFailed(
            _("The end must be after the start."), code="end_before_start", field="end"
        )
    exception = AvailabilityException(
        user=user, date=date, available=available, start=start, end=end, note=note
    )
    full_clean_or_raise(exception, exclude=["user"])
    exception.save()
    return exception


@transaction.atomic
def availability_exception_remove(*, user: User, exception_id: int) -> None:
    deleted, _rows = AvailabilityException.objects.filter(pk=exception_id, user=user).delete()
    if not deleted:
        raise NotFound(_("Exception not found."), field="id")


NOTIFICATION_FIELDS = {"shift_digest", "claim_updates", "timesheet_updates", "governance_updates"}


@transaction.atomic
def notification_preferences_update(*, user: User, **fields: Any) -> NotificationPreference:
    unknown = set(fields) - NOTIFICATION_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    preference: NotificationPreference
    preference, _created = lock_get_or_create("members.NotificationPreference", user=user)
    for name, value in fields.items():
        setattr(preference, name, value)
    full_clean_or_raise(preference, exclude=["user"])
    preference.save()
    audit_record(
        actor=user, action=MemberAction.NOTIFICATIONS_UPDATED, data={"fields": sorted(fields)}
    )
    return preference
