from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.validators import validate_kvk, validate_postcode, validate_vat_id


class Client(models.Model):
    """An organisation that posts work: business, housing corporation, municipality, foundation.

    A client may work with several cooperatives (``ClientCooperative``). Billing details
    are private to the client's users and the boards/treasurers of those cooperatives.
    """

    class Kind(models.TextChoices):
        BUSINESS = "business", _("business")
        HOUSING_CORPORATION = "housing_corporation", _("housing corporation")
        MUNICIPALITY = "municipality", _("municipality")
        FOUNDATION = "foundation", _("foundation")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    kvk_number = models.CharField(_("KvK number"), max_length=8, validators=[validate_kvk])
    vat_number = models.CharField(
        _("VAT number"), max_length=14, blank=True, validators=[validate_vat_id]
    )
    billing_email = models.EmailField(_("billing e-mail"))
    billing_street = models.CharField(_("billing address"), max_length=150, blank=True)
    billing_postcode = models.CharField(
        _("billing postcode"), max_length=7, blank=True, validators=[validate_postcode]
    )
    billing_city = models.CharField(_("billing city"), max_length=80, blank=True)
    cooperatives = models.ManyToManyField(
        "members.Cooperative", through="ClientCooperative", related_name="clients", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientCooperative(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="links")
    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.CASCADE, related_name="client_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "cooperative"], name="client_coop_unique")
        ]

    def __str__(self) -> str:
        return f"{self.client} ↔ {self.cooperative}"


class ClientUser(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("administrator")
        MEMBER = "member", _("colleague")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="client_users")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_roles"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "user"], name="client_user_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.client}"


class BlockedClient(models.Model):
    """A member who does not want (or may not) work for a client: never offered or planned."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_clients"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="blocked_client_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ✕ {self.client}"
