from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from jobs.models.work import CATEGORY_CHOICES
from werkstation.money import format_money

from .models import Challenge, TargetGroupMember

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        return value.strftime("%Y-%m-%dT%H:%M") if hasattr(value, "strftime") else value


class TenderForm(forms.Form):
    client = forms.TypedChoiceField(label=_("Municipality"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(
        label=_("Description of the task"), widget=forms.Textarea(attrs={"rows": 4})
    )
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES)
    area = forms.CharField(label=_("Area"), max_length=200)
    street = forms.CharField(label=_("Street and number"), max_length=150)
    postcode = forms.CharField(label=_("Postcode"), max_length=8)
    period_start = forms.DateField(label=_("Period from"), widget=DateInput)
    period_end = forms.DateField(label=_("Period until"), widget=DateInput)
    budget_ceiling = forms.DecimalField(
        label=_("Budget ceiling (€)"), max_digits=12, decimal_places=2
    )
    required_outcomes = forms.CharField(
        label=_("Required outcomes"),
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    weight_price = forms.IntegerField(label=_("Weight of price (%)"), initial=40)
    weight_quality = forms.IntegerField(label=_("Weight of quality (%)"), initial=30)
    weight_social = forms.IntegerField(label=_("Weight of social value (%)"), initial=30)
    submission_deadline = forms.DateTimeField(label=_("Bids until"), widget=DateTimeInput)
    decision_deadline = forms.DateField(label=_("Decision by"), widget=DateInput)
    publish = forms.BooleanField(label=_("Publish now"), required=False, initial=True)

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [(c.pk, c.name) for c in clients]


class BidForm(forms.Form):
    price = forms.DecimalField(
        label=_("Price for the whole period (€)"), max_digits=12, decimal_places=2
    )
    hourly_tariff = forms.DecimalField(
        label=_("Tariff per hour (€)"), max_digits=8, decimal_places=2
    )
    plan = forms.CharField(label=_("Plan"), widget=forms.Textarea(attrs={"rows": 4}))
    social_member_hours = forms.IntegerField(
        label=_("Hours worked by members (commitment)"), min_value=0, initial=0
    )
    social_target_group_members = forms.IntegerField(
        label=_("Members from target groups (commitment)"), min_value=0, initial=0
    )


class RuleForm(forms.Form):
    title = forms.CharField(label=_("Work"), max_length=150, required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    slots = forms.IntegerField(
        label=_("People"), min_value=1, max_value=50, initial=1, required=False
    )
    skill = forms.ChoiceField(label=_("Skill"), required=False)

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", _("anyone"))] + [(s.slug, s.name) for s in skills]

    def rule(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("title"):
            return None
        return {
            "title": data["title"],
            "weekdays": data.get("weekdays") or [],
            "start": data["start"].strftime("%H:%M") if data.get("start") else "",
            "end": data["end"].strftime("%H:%M") if data.get("end") else "",
            "slots": data.get("slots") or 1,
            "skill": data.get("skill") or None,
        }


RuleFormSet = formset_factory(RuleForm, extra=0, max_num=5, min_num=1)


class ScoreForm(forms.Form):
    quality = forms.DecimalField(
        label=_("Quality (0–10)"), min_value=0, max_value=10, decimal_places=1
    )
    social = forms.DecimalField(
        label=_("Social value (0–10)"), min_value=0, max_value=10, decimal_places=1
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


NO_AWARD = "none"


class DecisionForm(forms.Form):
    """Award one bid or, explicitly, nobody; nothing is chosen beforehand."""

    bid = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a bid, or choose to award nobody.")},
    )
    reason = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Every bidder reads these reasons."),
        error_messages={"required": _("Give the reasons for your decision.")},
    )

    def __init__(self, *args, bids=(), points=None, **kwargs):
        super().__init__(*args, **kwargs)
        points = points or {}
        self.bids = {str(b.pk): b for b in bids}
        choices = []
        for b in bids:
            label = f"{b.cooperative.name} · {format_money(b.price_cents, language=get_language())}"
            total = (points.get(b.pk) or {}).get("total")
            if total is not None:
                label += " · " + gettext("%(points)s points") % {"points": number_format(total, 1)}
            choices.append((str(b.pk), label))
        choices.append((NO_AWARD, _("Award nobody (no award)")))
        self.fields["bid"].choices = choices

    def chosen_bid(self):
        """The chosen bid, or None for an explicit no award."""
        value = self.cleaned_data["bid"]
        return None if value == NO_AWARD else self.bids[value]


class ChallengeForm(forms.Form):
    client = forms.TypedChoiceField(label=_("Municipality"), coerce=int)
    task = forms.CharField(label=_("The public task"), max_length=200)
    area = forms.CharField(label=_("Area"), max_length=200)
    plan = forms.CharField(label=_("Our plan"), widget=forms.Textarea(attrs={"rows": 4}))
    signatures = forms.IntegerField(label=_("Resident signatures"), min_value=0, initial=0)
    support_evidence = forms.CharField(
        label=_("Other evidence of local support"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    partners = forms.CharField(
        label=_("Partners"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [(c.pk, c.name) for c in clients]


class ChallengeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("accept", _("accept")),
            ("accept_modified", _("accept with changes")),
            ("reject", _("reject")),
        ],
    )
    reject_reason = forms.ChoiceField(
        label=_("Reason for a rejection"),
        required=False,
        choices=[("", "—"), *Challenge.RejectReason.choices],
    )
    modification = forms.CharField(
        label=_("Proposed changes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AmendmentForm(forms.Form):
    extra_budget = forms.DecimalField(label=_("Extra budget (€)"), max_digits=12, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(label=_("Until"), widget=DateInput)


class TargetGroupForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Member"), coerce=int)
    group = forms.ChoiceField(label=_("Target group"), choices=TargetGroupMember.Group.choices)
    consent = forms.BooleanField(label=_("The member agreed to be counted for social return"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [
            (m.user_id, f"{m.member_number} · {m.user.full_name}") for m in members
        ]
