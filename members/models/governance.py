"""Member governance: proposals, the electorate fixed at opening, votes, proxies.

A secret ballot stays secret: whether a vote is secret is fixed before it opens. The
service refuses the change, ``Proposal.clean``/``save`` refuse it, and on PostgreSQL a
trigger refuses it too (migration 0001), so no path (admin, shell, a bulk update) can
untick ``secret`` on an open vote and reveal the choices.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from werkstation.errors import Conflict


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open for voting")
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")
        FAILED_QUORUM = "failed_quorum", _("failed quorum")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("simple majority (more than half)")
        TWO_THIRDS = "two_thirds", _("two thirds")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="proposals"
    )
    kind = models.CharField(_("kind"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("explanation"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.DRAFT)
    majority = models.CharField(max_length=10, choices=Majority.choices, default=Majority.SIMPLE)
    secret = models.BooleanField(_("secret ballot"), default=False)
    require_simulation = models.BooleanField(
        _("voters must open the personal simulation first"), default=False
    )
    quorum_percent = models.PositiveSmallIntegerField(default=0)
    electorate_size = models.PositiveIntegerField(default=0)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(status="withdrawn")
                | (Q(opens_at__isnull=False) & Q(closes_at__gt=F("opens_at"))),
                name="proposal_window",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or "secret" in fields:
            reason = self.secret_change_refused()
            if reason:
                raise Conflict(reason, code="secret_locked", field="secret")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        reason = self.secret_change_refused()
        if reason:
            raise ValidationError({"secret": reason})

    def secret_change_refused(self) -> str | None:
        """Why ``secret`` may not take its new value here, or None. Once a proposal leaves
        the draft stage its ballot is fixed."""
        if self._state.adding or self.pk is None:
            return None
        stored = Proposal.objects.filter(pk=self.pk).values_list("secret", "status").first()
        if stored is None or stored[0] == self.secret or stored[1] == self.Status.DRAFT:
            return None
        return gettext("Whether a vote is secret is fixed once it opens.")


class Cosigner(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosigners")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="cosigner_once")]

    def __str__(self) -> str:
        return f"{self.user} co-signs {self.proposal}"


class Elector(models.Model):
    """A member who may vote on a proposal: the active members at the moment it opened."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="electorate")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="elector_once")]

    def __str__(self) -> str:
        return f"{self.user} may vote on {self.proposal}"


class Vote(models.Model):
    class Choice(models.TextChoices):
        YES = "yes", _("yes")
        NO = "no", _("no")
        ABSTAIN = "abstain", _("abstain")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes"
    )
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    choice = models.CharField(max_length=7, choices=Choice.choices)
    cast_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter"], name="one_member_one_vote")
        ]

    def __str__(self) -> str:
        return f"vote on {self.proposal_id}"

    @property
    def by_proxy(self) -> bool:
        return self.cast_by_id != self.voter_id


class Proxy(models.Model):
    """A member authorises another member of the same cooperative to vote for them."""

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="proxies"
    )
    grantor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proxies_given"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proxies_held"
    )
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="proxies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(grantor=F("holder")), name="proxy_not_to_self"),
            models.UniqueConstraint(
                fields=["grantor", "cooperative"],
                condition=Q(revoked_at__isnull=True, proposal__isnull=True),
                name="proxy_one_standing_per_grantor",
            ),
            models.UniqueConstraint(
                fields=["grantor", "proposal"],
                condition=Q(revoked_at__isnull=True, proposal__isnull=False),
                name="proxy_one_per_grantor_proposal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grantor} → {self.holder}"


class SimulationView(models.Model):
    """That a member opened the personal simulation of a payout-rule proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="simulation_viewed_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} viewed the simulation of {self.proposal_id}"
