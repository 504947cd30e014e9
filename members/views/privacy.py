"""A member's own data: the export and erasing the account."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from members import forms
from members.services.privacy import personal_data_export, user_erase
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error


@login_required
def privacy(request):
    form = forms.EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_erase(
                user=request.user,
                actor=request.user,
                confirm_email=form.cleaned_data["confirm_email"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            from django.contrib.auth import logout

            logout(request)
            messages.success(request, _("Your account has been erased."))
            return redirect("members:home")
    return render(request, "members/privacy.html", {"form": form})


@login_required
def privacy_export(request):
    data = personal_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="werkstation-my-data.json"'
    return response
