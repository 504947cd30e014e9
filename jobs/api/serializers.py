from rest_framework import serializers

from jobs.models import Claim, Client, ClientLinkRequest, ClientUser, Job, Shift, Timesheet
from jobs.models.work import CATEGORY_CHOICES
from jobs.selectors import client_cooperatives_for, client_ids_of_user
from werkstation.api.fields import CurrencyField, WallClockTimeField
from werkstation.api.outputs import DictOutput
from werkstation.engagements import Engagement


class ClientPublicOutput(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "kind", "name"]


class ClientOutput(serializers.ModelSerializer):
    """A client's details. ``cooperatives`` lists the links the viewer may see: all of them
    for the client's own users, only their own cooperatives' for a board or treasurer."""

    cooperatives = serializers.SerializerMethodField()
    verified = serializers.BooleanField(source="is_verified", read_only=True)

    def get_cooperatives(self, client) -> list[str]:
        viewer = self.context.get("viewer")
        if "own_client_ids" not in self.context:  # shared by every row of a list
            self.context["own_client_ids"] = client_ids_of_user(viewer)
        own = self.context["own_client_ids"]
        return [c.slug for c in client_cooperatives_for(viewer, client, own_client_ids=own)]

    class Meta:
        model = Client
        fields = [
            "id",
            "kind",
            "name",
            "kvk_number",
            "vat_number",
            "oin",
            "billing_email",
            "billing_street",
            "billing_postcode",
            "billing_city",
            "cooperatives",
            "verified",
        ]


def _vat_number_input():
    return serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="Dutch VAT number, NL999999999B99; work that qualifies is then reverse-charged.",
    )


def _oin_input():
    return serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="OIN of a public body (20 digits); its e-invoices are addressed by it.",
    )


class ClientCreateInput(serializers.Serializer):
    cooperative = serializers.SlugField(
        required=False,
        help_text="Slug of a cooperative to ask to work with (its board decides).",
    )
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    kind = serializers.ChoiceField(choices=Client.Kind.choices)
    name = serializers.CharField(max_length=150)
    kvk_number = serializers.CharField(max_length=20)
    vat_number = _vat_number_input()
    oin = _oin_input()
    billing_email = serializers.EmailField()
    billing_street = serializers.CharField(max_length=150, required=False, allow_blank=True)
    billing_postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    billing_city = serializers.CharField(max_length=80, required=False, allow_blank=True)


class ClientUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
    kvk_number = serializers.CharField(max_length=20, required=False)
    vat_number = _vat_number_input()
    oin = _oin_input()
    billing_email = serializers.EmailField(required=False)
    billing_street = serializers.CharField(max_length=150, required=False, allow_blank=True)
    billing_postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    billing_city = serializers.CharField(max_length=80, required=False, allow_blank=True)


class ClientUserOutput(serializers.ModelSerializer):
    full_name = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = ClientUser
        fields = ["id", "full_name", "email", "role"]


class InviteInput(serializers.Serializer):
    email = serializers.EmailField()


class InvitationSentOutput(serializers.Serializer):
    email = serializers.EmailField()
    expires_at = serializers.DateTimeField()


class BlockedClientOutput(serializers.Serializer):
    client = serializers.IntegerField(source="client_id")
    name = serializers.CharField(source="client.name")
    reason = serializers.CharField()


class LinkInput(serializers.Serializer):
    cooperative = serializers.SlugField()
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class LinkInviteInput(serializers.Serializer):
    email = serializers.EmailField()
    organisation = serializers.CharField(required=False, allow_blank=True, max_length=150)
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class LinkDecisionInput(serializers.Serializer):
    accept = serializers.BooleanField()
    client = serializers.IntegerField(
        required=False, help_text="The client you accept for (invitations only)."
    )


class LinkClientOutput(serializers.ModelSerializer):
    verified = serializers.BooleanField(source="is_verified", read_only=True)

    class Meta:
        model = Client
        fields = ["id", "name", "kind", "kvk_number", "verified"]


class LinkRequestOutput(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    cooperative_name = serializers.CharField(source="cooperative.name", read_only=True)
    client = LinkClientOutput(read_only=True, allow_null=True)

    class Meta:
        model = ClientLinkRequest
        fields = [
            "id",
            "direction",
            "status",
            "cooperative",
            "cooperative_name",
            "client",
            "organisation",
            "email",
            "message",
            "created_at",
            "decided_at",
        ]


# --- Marketplace ---------------------------------------------------------------------


class JobOutput(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    engagements = serializers.ListField(
        child=serializers.ChoiceField(choices=Engagement.choices),
        read_only=True,
        help_text="How members may do this work; each claim carries one of them.",
    )
    client = ClientPublicOutput(read_only=True)
    client_tariff = serializers.DecimalField(
        source="client_tariff.amount", max_digits=8, decimal_places=2
    )
    currency = CurrencyField()
    required_skill = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "cooperative",
            "client",
            "title",
            "description",
            "category",
            "street",
            "postcode",
            "city",
            "latitude",
            "longitude",
            "required_skill",
            "client_tariff",
            "currency",
            "auto_confirm",
            "engagements",
            "status",
            "source",
            "created_at",
        ]


class JobCreateInput(serializers.Serializer):
    cooperative = serializers.SlugField()
    client = serializers.IntegerField()
    title = serializers.CharField(max_length=150)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES)
    street = serializers.CharField(max_length=150)
    postcode = serializers.CharField(max_length=10)
    city = serializers.CharField(max_length=80, required=False, default="Utrecht")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    required_skill = serializers.SlugField(required=False, allow_null=True)
    client_tariff = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    auto_confirm = serializers.BooleanField(required=False, default=False)
    publish = serializers.BooleanField(required=False, default=True)
    engagements = serializers.ListField(
        child=serializers.ChoiceField(choices=Engagement.choices),
        required=False,
        allow_empty=False,
        help_text="How members may do this work (board only); default: every engagement.",
    )


class JobUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=150, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    auto_confirm = serializers.BooleanField(required=False)
    client_tariff = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    engagements = serializers.ListField(
        child=serializers.ChoiceField(choices=Engagement.choices),
        required=False,
        allow_empty=False,
        help_text="How members may do this work (board only).",
    )


class JobStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Job.Status.choices)


class ShiftOutput(serializers.ModelSerializer):
    open_slots = serializers.IntegerField(read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "job",
            "start",
            "end",
            "slots",
            "filled",
            "open_slots",
            "status",
            "cancel_reason",
        ]


class ShiftInput(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    slots = serializers.IntegerField(default=1)


class ShiftUpdateInput(serializers.Serializer):
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)
    slots = serializers.IntegerField(required=False)


class WeeklyPatternInput(serializers.Serializer):
    first_date = serializers.DateField()
    weekdays = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=False, max_length=7
    )
    start_time = WallClockTimeField()
    end_time = WallClockTimeField()
    weeks = serializers.IntegerField()
    slots = serializers.IntegerField(default=1)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class PotShareOutput(DictOutput):
    pot = serializers.CharField(help_text="The pot's slug in the rule set.")
    label = serializers.CharField(help_text="The pot's name in the reader's language.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


PAY_KINDS = [
    ("fee", "a self-employed member's fee"),
    ("gross_wage", "gross wage in the payroll file, before payroll tax"),
    ("volunteer_allowance", "a volunteer allowance"),
    ("no_rules", "no payout rules in force on the work date: nothing can be settled yet"),
    ("legal_figures_missing", "a legal figure the price needs is not known yet for the work date"),
]


class PayBreakdownOutput(DictOutput):
    """The price truth: what settlement pays this member if the shift is worked as posted."""

    pay = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="What you receive if you work the shift as posted: the shift minus the "
        "legally required break, at the client tariff, split by the payout rules in force on "
        "the work date, after your other work that month.",
    )
    pay_kind = serializers.ChoiceField(choices=PAY_KINDS)
    paid_minutes = serializers.IntegerField(help_text="The shift minus the required break.")
    break_minutes = serializers.IntegerField(help_text="The legally required break, unpaid.")
    tariff = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="What the client pays per hour, without VAT."
    )
    gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    pots = PotShareOutput(many=True, help_text="The cooperative's shares of the gross.")
    above_volunteer_maximum = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Above a volunteer allowance maximum: stays with the cooperative fund.",
    )
    crosses_volunteer_maximum = serializers.BooleanField(
        help_text="Volunteer work that would cross an allowance maximum: above it the whole "
        "allowance becomes taxable, so the cooperative pays no more than the maximum."
    )
    above_benefit_room = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Beyond your bijstand room for that month: the part above it (null: within "
        "it, or no arrangement recorded). You may still claim.",
    )
    benefit_deduction = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Of the part above your bijstand room, what the municipality deducts from "
        "your benefit (the share you may not keep).",
    )
    benefit_warning = serializers.CharField(
        help_text="The effect in words, in your language (empty: none)."
    )
    engagement = serializers.ChoiceField(
        choices=Engagement.choices,
        allow_null=True,
        help_text="The engagement this price is for: yours when the job allows it.",
    )
    choose_engagement = serializers.BooleanField(
        help_text="The job does not allow your usual engagement: choose one when claiming "
        "(the price is for the first one it allows)."
    )
    self_billing_vat = serializers.ChoiceField(
        choices=[
            ("vat", "VAT comes on top of the fee on the self-billing invoice, paid to the member"),
            ("kor", "the small-business scheme (KOR): no VAT"),
            ("missing", "no VAT number and no KOR recorded: the invoice waits for one"),
            ("", "not self-employed work"),
        ],
        help_text="Self-employed work is invoiced by self-billing each month.",
    )
    rule_set_version = serializers.IntegerField(allow_null=True)
    currency = CurrencyField()


class FeedRowOutput(PayBreakdownOutput):
    id = serializers.IntegerField()
    job = serializers.IntegerField()
    title = serializers.CharField()
    client = serializers.CharField()
    category = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    open_slots = serializers.IntegerField()
    slots = serializers.IntegerField()
    street = serializers.CharField()
    postcode = serializers.CharField()
    skill = serializers.CharField(allow_null=True)
    distance_km = serializers.FloatField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class FeedQueryInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES, required=False)
    day = serializers.DateField(required=False)
    max_km = serializers.FloatField(required=False, min_value=0.1, max_value=100)
    include_full = serializers.BooleanField(required=False, default=False)


class WeekQueryInput(serializers.Serializer):
    date = serializers.DateField(
        required=False, help_text="any day of the week (default: this week)"
    )


class ClaimOutput(serializers.ModelSerializer):
    shift = ShiftOutput(read_only=True)
    job_title = serializers.CharField(source="shift.job.title", read_only=True)
    member = serializers.CharField(source="user.full_name", read_only=True)
    timesheet = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Null until hours are logged."
    )
    status = serializers.ChoiceField(
        choices=Claim.Status.choices,
        source="effective_status",
        read_only=True,
        help_text="As the clock decides: an offer from the waitlist lapses (withdrawn) at "
        "offer_expires_at.",
    )
    withdrawal_deadline = serializers.DateTimeField(
        read_only=True,
        help_text="Until when the member may withdraw a held place (a waitlisted claim: always).",
    )
    can_withdraw = serializers.BooleanField(
        read_only=True, help_text="Whether the member may withdraw it now."
    )
    warnings = serializers.SerializerMethodField(
        help_text="Said when the claim was made: the Working Time Act rules self-employed "
        "work alone would break (the member decides; nothing was refused)."
    )

    def get_warnings(self, claim) -> list[str]:
        return list(getattr(claim, "warnings", []))

    class Meta:
        model = Claim
        fields = [
            "id",
            "shift",
            "job_title",
            "member",
            "status",
            "engagement",
            "waitlist_position",
            "offer_expires_at",
            "status_reason",
            "created_at",
            "confirmed_at",
            "timesheet",
            "withdrawal_deadline",
            "can_withdraw",
            "warnings",
        ]


class ClaimInput(serializers.Serializer):
    shift = serializers.IntegerField()
    allow_waitlist = serializers.BooleanField(required=False, default=True)
    engagement = serializers.ChoiceField(
        choices=Engagement.choices,
        required=False,
        help_text="How the member does this work; default: their usual engagement, when the "
        "job allows it (else required).",
    )


class OfferResponseInput(serializers.Serializer):
    accept = serializers.BooleanField()


class TimesheetOutput(serializers.ModelSerializer):
    member = serializers.CharField(source="claim.user.full_name", read_only=True)
    shift = serializers.IntegerField(source="claim.shift_id", read_only=True)
    job_title = serializers.CharField(source="claim.shift.job.title", read_only=True)

    class Meta:
        model = Timesheet
        fields = [
            "id",
            "claim",
            "shift",
            "job_title",
            "member",
            "minutes_worked",
            "break_minutes",
            "note",
            "status",
            "submitted_at",
            "decided_at",
            "auto_approved",
            "dispute_reason",
            "resolution",
        ]


class TimesheetInput(serializers.Serializer):
    claim = serializers.IntegerField()
    minutes_worked = serializers.IntegerField()
    break_minutes = serializers.IntegerField(default=0)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class TimesheetResolveInput(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=500)
    minutes_worked = serializers.IntegerField(required=False)
    break_minutes = serializers.IntegerField(required=False)


class FillRateOutput(serializers.ModelSerializer):
    client = serializers.CharField(source="client.name")
    shift_count = serializers.IntegerField()
    slot_total = serializers.IntegerField(allow_null=True)
    slot_filled = serializers.IntegerField(allow_null=True)
    fill_rate = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "title",
            "client",
            "category",
            "status",
            "shift_count",
            "slot_total",
            "slot_filled",
            "fill_rate",
        ]

    def get_fill_rate(self, job) -> float | None:
        return round(job.slot_filled / job.slot_total, 3) if job.slot_total else None


class ClientGAccountInput(serializers.Serializer):
    agreement = serializers.BooleanField(
        help_text="The client pays a share of each invoice into the cooperative's G-account."
    )


class ClientGAccountOutput(serializers.Serializer):
    client = serializers.IntegerField(source="client_id")
    agreement = serializers.BooleanField(source="g_account_agreement")
    set_by = serializers.CharField(
        source="g_account_set_by.full_name", default=None, allow_null=True
    )
    set_at = serializers.DateTimeField(source="g_account_set_at", allow_null=True)
