from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.validators import validate_kvk, validate_oin, validate_postcode, validate_vat_id


class Client(models.Model):
    """An organisation that posts work: business, housing corporation, municipality, foundation.

    A client may work with several cooperatives (``ClientCooperative``); each link exists
    only because both sides agreed (``ClientLinkRequest``). Billing details are private to
    the client's users and the boards/treasurers of the linked cooperatives; only the
    client's own administrators change them. A municipality publishes tenders only once
    platform staff verified it (``verified_at``).
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
    # A public body's OIN: its e-invoices are addressed by it (Peppol scheme 0190).
    oin = models.CharField(
        _("OIN"),
        max_length=20,
        blank=True,
        validators=[validate_oin],
        help_text=_("Organisation identification number of a public body (20 digits)."),
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
    verified_at = models.DateTimeField(_("verified by platform staff"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class ClientCooperative(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="links")
    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.CASCADE, related_name="client_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Chain liability: the client pays a share of each invoice into the cooperative's
    # G-account. Set by the cooperative's board.
    g_account_agreement = models.BooleanField(_("G-account agreement"), default=False)
    g_account_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    g_account_set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "cooperative"], name="client_coop_unique")
        ]

    def __str__(self) -> str:
        return f"{self.client} ↔ {self.cooperative}"


def _link_token() -> str:
    return secrets.token_urlsafe(32)


class ClientLinkRequest(models.Model):
    """One side asks to link a client with a cooperative; the other side decides.

    ``direction`` says who asked. A client's administrator asks a cooperative (``client``):
    its board accepts or declines. A board invites an organisation by e-mail
    (``cooperative``): the person invited, signed in with that address, accepts for one of
    the clients they administer (``client`` is set then). Only an accepted request creates
    the ``ClientCooperative`` link; until then the cooperative sees nothing of the client.
    """

    class Direction(models.TextChoices):
        CLIENT = "client", _("the client asks")
        COOPERATIVE = "cooperative", _("the cooperative invites")

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    direction = models.CharField(max_length=12, choices=Direction.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.CASCADE, related_name="client_link_requests"
    )
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.CASCADE, related_name="link_requests"
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    token = models.CharField(max_length=64, unique=True, default=_link_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "cooperative"],
                condition=Q(status="open", client__isnull=False),
                name="client_link_request_one_open",
            ),
            models.CheckConstraint(
                condition=Q(direction="cooperative") | Q(client__isnull=False),
                name="client_link_request_client_asks_names_client",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(client__isnull=False),
                name="client_link_request_accepted_names_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.client or self.organisation} ↔ {self.cooperative}"


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
