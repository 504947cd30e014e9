"""Shared kernel models: the audit trail and the transactional outbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .legal import KEY_LABELS, Key


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Append-only record of who did what. Written by services, never edited."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cooperative_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class OutboxEvent(models.Model):
    """A side effect promised by a committed transaction, for one handler.

    Written in the same transaction as the change it announces (one row for each handler
    of the topic), so it exists exactly when the change does. It is *done* only when its
    handler has finished (``done_at``), not when the broker took the task: a broker that
    loses its queue, or a worker that dies with the task, leaves the row unfinished, and
    ``outbox_publish_pending`` hands it out again once ``published_at`` and
    ``started_at`` are older than the redelivery timeout. Handlers are idempotent, so a
    delivery that is repeated has one effect.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    topic = models.CharField(max_length=80)
    handler = models.CharField(max_length=120, blank=True)
    payload = models.JSONField(default=dict)
    # Last time the event was handed to the broker.
    published_at = models.DateTimeField(null=True, blank=True)
    # Last time a worker started its handler (a lease: nobody else starts it until it
    # is older than the redelivery timeout).
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"],
                name="outbox_unfinished_idx",
                condition=models.Q(done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} → {self.handler or '?'} #{self.pk}"


class LegalParameter(models.Model):
    """One legal figure from a date on, with its source (see ``werkstation/legal.py``).

    Staff keep the table in the admin; services read the value in force on the work date.
    ``verify`` marks a figure that was not confirmed at the official source when entered.
    """

    key = models.CharField(
        _("figure"), max_length=60, choices=[(key.value, KEY_LABELS[key]) for key in Key]
    )
    effective_from = models.DateField(_("in force from"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4)
    source = models.URLField(_("source"), max_length=300)
    verify = models.BooleanField(
        _("to verify"),
        default=False,
        help_text=_("Not confirmed at the official source: check it there."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("legal figure")
        verbose_name_plural = _("legal figures")
        ordering = ["key", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "effective_from"], name="legal_key_once_per_date"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="legal_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} from {self.effective_from}: {self.value}"
