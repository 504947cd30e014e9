from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AvailabilitySlot, Cooperative, Membership, NotificationPreference
from .models.profiles import LANGUAGE_CHOICES


class RegisterForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=1)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("nl", "Nederlands"), ("en", "English")]
    )
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy statement and agree that Werkstation keeps my data"),
        error_messages={"required": _("Agree to the privacy statement to create an account.")},
    )


class ApplyForm(forms.Form):
    motivation = forms.CharField(
        label=_("Why do you want to join?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class RolesForm(forms.Form):
    is_board = forms.BooleanField(label=_("board"), required=False)
    is_treasurer = forms.BooleanField(label=_("treasurer"), required=False)
    is_auditor = forms.BooleanField(label=_("auditor"), required=False)
    engagement = forms.ChoiceField(label=_("engagement"), choices=Membership.Engagement.choices)


class ProfileForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    street = forms.CharField(label=_("Street and number"), max_length=120, required=False)
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        required=False,
        help_text=_("For example 3526 KL. We find your place on the map from it."),
    )
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    travel_radius_km = forms.DecimalField(
        label=_("Travel radius (km)"), max_digits=5, decimal_places=1
    )
    target_hours_per_week = forms.IntegerField(
        label=_("Target hours per week"), min_value=0, max_value=60
    )
    yearly_earnings_cap = forms.DecimalField(
        label=_("Yearly earnings cap (€)"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_(
            "For example when you receive benefits or a volunteer allowance. Only you and the treasurer see this."
        ),
    )
    earnings_cap_reason = forms.CharField(
        label=_("Reason for the cap"), max_length=200, required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    iban = forms.CharField(label=_("IBAN"), max_length=40, required=False)
    account_holder = forms.CharField(label=_("Account holder"), max_length=120, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "For the minimum wage for your age and the working-time limits under 18. Only you and the treasurer see this."
        ),
    )
    kvk_number = forms.CharField(
        label=_("KvK number"),
        max_length=12,
        required=False,
        help_text=_("Only when you work self-employed: it goes on your self-billing invoices."),
    )
    vat_number = forms.CharField(
        label=_("VAT number"),
        max_length=20,
        required=False,
        help_text=_("For example NL123456789B01. Without one, tick the small business scheme."),
    )
    kor = forms.BooleanField(
        label=_("I use the small business scheme (KOR): no VAT on my invoices"), required=False
    )


class MemberSkillForm(forms.Form):
    skill = forms.ChoiceField(label=_("Skill"))
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=60, required=False
    )
    certificate_expires_on = forms.DateField(
        label=_("Certificate valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [
            (
                skill.pk,
                f"{skill.name} ({skill.cooperative.name})"
                + (" ✓" if skill.requires_certificate else ""),
            )
            for skill in skills
        ]


class AvailabilitySlotForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=AvailabilitySlot.WEEKDAYS, coerce=int)
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))


class AvailabilityExceptionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    available = forms.BooleanField(label=_("Available (otherwise: not available)"), required=False)
    start = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(label=_("Note"), max_length=120, required=False)


class BenefitArrangementForm(forms.Form):
    keep_percent = forms.IntegerField(
        label=_("Share of your earnings you may keep (percent)"), min_value=1, max_value=100
    )
    monthly_max = forms.DecimalField(
        label=_("Monthly maximum you may keep (euros)"),
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
    )
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    months = forms.IntegerField(label=_("Number of months"), min_value=1, max_value=60)
    municipality = forms.CharField(label=_("Municipality"), max_length=100, required=False)


class EraseForm(forms.Form):
    confirm_email = forms.CharField(label=_("Type your e-mail address to confirm"))


class CooperativeSettingsForm(forms.ModelForm):
    class Meta:
        model = Cooperative
        fields = [
            "name",
            "legal_name",
            "address_line",
            "postcode",
            "city",
            "vat_id",
            "lender_registration",
            "wtta_number",
            "iban",
            "bic",
            "g_account_iban",
            "vat_rate",
            "quorum_percent",
            "voting_days",
            "max_proxies_per_member",
            "cosigners_required",
            "claim_withdrawal_hours",
            "timesheet_auto_approve_days",
        ]


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["shift_digest", "claim_updates", "timesheet_updates", "governance_updates"]


class OtpForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"),
        help_text=_("The 6 digits from your authenticator app, or one of your recovery codes."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class EnrolForm(forms.Form):
    otp_token = forms.CharField(
        label=_("6-digit code from the app"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    name = forms.CharField(
        label=_("Name of this device"),
        required=False,
        max_length=64,
        help_text=_("For example: my phone."),
    )
