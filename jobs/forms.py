from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Client


class ClientForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=Client.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    kvk_number = forms.CharField(label=_("KvK number"), max_length=20, help_text=_("8 digits"))
    vat_number = forms.CharField(label=_("VAT number"), max_length=20, required=False)
    billing_email = forms.EmailField(label=_("Billing e-mail"))
    billing_street = forms.CharField(label=_("Billing address"), max_length=150, required=False)
    billing_postcode = forms.CharField(label=_("Billing postcode"), max_length=10, required=False)
    billing_city = forms.CharField(label=_("Billing city"), max_length=80, required=False)


class ClientCreateForm(ClientForm):
    cooperative = forms.ChoiceField(label=_("Cooperative you want to work with"))

    def __init__(self, *args, cooperatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cooperative"].choices = [(c.slug, c.name) for c in cooperatives]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of your colleague"))
