"""Forget a member's cached work context when a row behind it changes; react to a
changed password wherever it was changed (own page, reset link, admin)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import (
    AvailabilityException,
    AvailabilitySlot,
    Cooperative,
    Membership,
    MemberSkill,
    Profile,
    User,
)
from .selectors import member_work_context_forget


@receiver([post_save, post_delete], sender=Profile)
@receiver([post_save, post_delete], sender=AvailabilitySlot)
@receiver([post_save, post_delete], sender=AvailabilityException)
@receiver([post_save, post_delete], sender=MemberSkill)
@receiver([post_save, post_delete], sender=Membership)
def _forget_member(sender, instance, **kwargs):
    member_work_context_forget(instance.user_id)


@receiver(post_save, sender=Cooperative)
def _forget_cooperative_members(sender, instance, **kwargs):
    member_work_context_forget(*instance.memberships.values_list("user_id", flat=True))


@receiver(post_save, sender=User)
def _password_changed(sender, instance, created, **kwargs):
    if getattr(instance, "_password_changed", False):
        instance._password_changed = False
        if not created:
            from .services.accounts import user_password_changed

            user_password_changed(user=instance)
