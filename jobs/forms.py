import re

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Skill
from werkstation.engagements import ALL, Engagement

from .models import Client
from .models.work import CATEGORY_CHOICES


class ClientForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=Client.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    kvk_number = forms.CharField(label=_("KvK number"), max_length=20, help_text=_("8 digits"))
    vat_number = forms.CharField(
        label=_("VAT number"),
        max_length=20,
        required=False,
        help_text=_(
            "Like NL123456789B01. Building and grounds work is then invoiced with VAT reverse-charged."
        ),
    )
    oin = forms.CharField(
        label=_("OIN"),
        max_length=30,
        required=False,
        help_text=_(
            "Public bodies only: the 20-digit organisation identification number for e-invoices."
        ),
    )
    billing_email = forms.EmailField(label=_("Billing e-mail"))
    billing_street = forms.CharField(label=_("Billing address"), max_length=150, required=False)
    billing_postcode = forms.CharField(label=_("Billing postcode"), max_length=10, required=False)
    billing_city = forms.CharField(label=_("Billing city"), max_length=80, required=False)


TO_THE_BOARD = _("Message to the board")


def _message_field(label=TO_THE_BOARD) -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class ClientCreateForm(ClientForm):
    cooperative = forms.ChoiceField(
        label=_("Cooperative you want to work with"),
        required=False,
        help_text=_("Its board decides; until then it sees nothing of your organisation."),
    )
    message = _message_field()

    def __init__(self, *args, cooperatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cooperative"].choices = [("", "–"), *((c.slug, c.name) for c in cooperatives)]


class LinkAskForm(forms.Form):
    cooperative = forms.ChoiceField(label=_("Cooperative"))
    message = _message_field()

    def __init__(self, *args, cooperatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cooperative"].choices = [(c.slug, c.name) for c in cooperatives]


class LinkInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the organisation's contact"))
    organisation = forms.CharField(label=_("Organisation"), max_length=150, required=False)
    message = _message_field(_("Message"))


class LinkAcceptForm(forms.Form):
    client = forms.ChoiceField(label=_("Accept for"))

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [(c.pk, c.name) for c in clients]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of your colleague"))


# --- Marketplace ---------------------------------------------------------------------


class FeedFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("all")), *CATEGORY_CHOICES], required=False
    )
    day = forms.DateField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    max_km = forms.FloatField(label=_("Within (km)"), required=False, min_value=0.1, max_value=100)


class JobForm(forms.Form):
    client = forms.ChoiceField(label=_("Client"))
    cooperative = forms.ChoiceField(label=_("Cooperative"))
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES)
    street = forms.CharField(label=_("Street and number"), max_length=150)
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        help_text=_("We find the place on the map from the postcode and house number."),
    )
    city = forms.CharField(label=_("City"), max_length=80, initial="Utrecht")
    required_skill = forms.ModelChoiceField(
        label=_("Required skill"), queryset=Skill.objects.none(), required=False
    )
    client_tariff = forms.DecimalField(
        label=_("Price per hour (€)"),
        max_digits=8,
        decimal_places=2,
        required=False,
        # A Dutch page takes "32,50" as well as "32.50".
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Empty: the cooperative's standard price for the category."),
    )
    auto_confirm = forms.BooleanField(label=_("Confirm claims automatically"), required=False)
    engagements = forms.MultipleChoiceField(
        label=_("Members may do this work as"),
        choices=Engagement.choices,
        initial=list(ALL),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each member claims as one of these: their usual engagement when it is allowed, "
            "else they choose."
        ),
    )

    def __init__(self, *args, clients=(), cooperatives=(), skills=None, can_price=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_price:
            # A client pays the cooperative's price; only the board agrees another, and only
            # the board decides how members are engaged.
            del self.fields["client_tariff"]
            del self.fields["engagements"]
        self.fields["client"].choices = [(c.pk, c.name) for c in clients]
        self.fields["cooperative"].choices = [(c.slug, c.name) for c in cooperatives]
        if skills is not None:
            self.fields["required_skill"].queryset = skills


class ShiftForm(forms.Form):
    start = forms.DateTimeField(
        label=_("Start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(
        label=_("End"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    slots = forms.IntegerField(label=_("Slots"), initial=1)


class WeeklyPatternForm(forms.Form):
    first_date = forms.DateField(
        label=_("From date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))
    weeks = forms.IntegerField(label=_("Number of weeks"), initial=8)
    slots = forms.IntegerField(label=_("Slots"), initial=1)


def parse_hours(text: str) -> tuple[int, int | None]:
    """ "2" → (2, None); "2:30" or "2.30" → (2, 30). ValueError for anything else."""
    text = (text or "").strip()
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?", text)
    if not match:
        raise ValueError(text)
    minutes = int(match.group(2)) if match.group(2) is not None else None
    if minutes is not None and minutes > 59:
        raise ValueError(text)
    return int(match.group(1)), minutes


class TimesheetForm(forms.Form):
    """Hours worked as hours and minutes (two number fields, or "2:30" in the hours field);
    ``cleaned_data["minutes_worked"]`` is the total in minutes. The break is in minutes."""

    hours = forms.CharField(label=_("Hours"), max_length=5, required=False)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, max_value=59, required=False)
    break_minutes = forms.IntegerField(
        label=_("Break (minutes)"), initial=0, min_value=0, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_hours(self) -> tuple[int, int | None]:
        try:
            return parse_hours(self.cleaned_data.get("hours") or "0")
        except ValueError:
            raise forms.ValidationError(
                _("Enter whole hours, like 2, or hours and minutes, like 2:30."), code="invalid"
            ) from None

    def clean(self):
        data = super().clean()
        if "hours" not in data or "minutes" not in data:
            return data  # the field errors say what is wrong
        hours, colon_minutes = data["hours"]
        extra = data.get("minutes") or 0
        if colon_minutes is not None and extra:
            self.add_error(
                "minutes", _("Give the minutes once: either as 2:30 or in the minutes field.")
            )
            return data
        total = hours * 60 + (colon_minutes if colon_minutes is not None else extra)
        if total <= 0:
            self.add_error("hours", _("Enter the time you worked."))
            return data
        data["minutes_worked"] = total
        data["break_minutes"] = data.get("break_minutes") or 0
        return data

    def service_values(self) -> dict:
        """The values ``timesheets.timesheet_submit`` takes."""
        return {
            "minutes_worked": self.cleaned_data["minutes_worked"],
            "break_minutes": self.cleaned_data["break_minutes"],
            "note": self.cleaned_data.get("note") or "",
        }

    def error_sentences(self) -> list[str]:
        """Each error with the field it is about, for a message above the page."""
        return [
            f"{self.fields[name].label}: {error}" if name in self.fields else str(error)
            for name, errors in self.errors.items()
            for error in errors
        ]


class ResolveForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
    )
    minutes_worked = forms.IntegerField(label=_("Minutes worked"), required=False)
    reason = forms.CharField(label=_("Explanation"), max_length=500)
