"""Pages for signing in safely: the code check, enrolment by e-mailed link, the security
page (devices, recovery codes, API tokens) and the board's four-eyes requests.

Thin: each translates a form into one service call (``members.services.two_factor``,
``tokens``, ``approvals``).
"""

from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from members import forms
from members.access import page_cooperative, second_factor_required
from members.models import ApiToken, RecoveryCodes, SecondApproval
from members.selectors import second_approvals_of
from members.services.approvals import approval_kind, approval_may_decide, second_approval_decide
from members.services.tokens import api_token_revoke
from members.services.two_factor import (
    EnrolmentProof,
    has_device,
    recovery_codes_left,
    totp_devices,
    two_factor_check,
    two_factor_device_remove,
    two_factor_enrol_confirm,
    two_factor_enrol_start,
    two_factor_link_get,
    two_factor_link_send,
    two_factor_recovery_codes_make,
)
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error

from .home import safe_next

RECOVERY_SESSION_KEY = "two_factor_recovery_codes"


def _verified(request) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


def _qr(device) -> tuple[str, str]:
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    secret = base64.b32encode(device.bin_key).decode()
    return svg, " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def two_factor_verify(request):
    """The code check; without a device yet, the page explains the e-mailed link."""
    if _verified(request) or not second_factor_required(request.user):
        return redirect(safe_next(request))
    if not has_device(request.user):
        return render(request, "members/two_factor_no_device.html", {"next": safe_next(request)})
    form = forms.OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor_check(user=request.user, code=form.cleaned_data["otp_token"])
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            otp_login(request, device)
            if isinstance(device, RecoveryCodes):
                messages.warning(
                    request,
                    _(
                        "You used a recovery code. %(n)s are left; make new ones on your security page."
                    )
                    % {"n": recovery_codes_left(request.user)},
                )
            return redirect(safe_next(request))
    return render(request, "members/two_factor_verify.html", {"form": form})


@login_required
@require_POST
def two_factor_link(request):
    """E-mail the signed-in person a set-up link (to their own address only)."""
    if has_device(request.user) and not _verified(request):
        messages.error(request, _("Your account has a device already: enter its code."))
        return redirect("members:two-factor-verify")
    try:
        two_factor_link_send(user=request.user, reason="asked")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("We e-mailed a set-up link to %(email)s. Open it on this device; it works once.")
            % {"email": request.user.email},
        )
    if _verified(request) or not second_factor_required(request.user):
        return redirect("members:account-security")
    return redirect("members:two-factor-verify")


def _enrol_page(request, *, proof: EnrolmentProof, template_context: dict):
    try:
        device = two_factor_enrol_start(user=request.user, proof=proof)
    except ApplicationError as exc:
        return render(
            request, "members/two_factor_link_invalid.html", {"message": exc.message}, status=404
        )
    form = forms.EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor_enrol_confirm(
                user=request.user,
                device_id=device.pk,
                code=form.cleaned_data["otp_token"],
                proof=proof,
                name=form.cleaned_data.get("name", ""),
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            otp_login(request, device)
            if codes:
                request.session[RECOVERY_SESSION_KEY] = codes
                return redirect("members:two-factor-recovery-codes")
            messages.success(request, _("The new device works. Both devices now give codes."))
            return redirect("members:account-security")
    qr_svg, secret = _qr(device)
    return render(
        request,
        "members/two_factor_enrol.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret, **template_context},
    )


@login_required
def two_factor_enrol(request, token: str):
    """First device, through the one-time link e-mailed to this account."""
    try:
        two_factor_link_get(user=request.user, token=token)
    except ApplicationError as exc:
        return render(
            request, "members/two_factor_link_invalid.html", {"message": exc.message}, status=404
        )
    proof = EnrolmentProof(session_verified=_verified(request), link_token=token)
    return _enrol_page(request, proof=proof, template_context={})


@login_required
def two_factor_add_device(request):
    """A further device, in a session verified by an existing one."""
    if not has_device(request.user):
        return redirect("members:account-security")
    return _enrol_page(
        request,
        proof=EnrolmentProof(session_verified=_verified(request)),
        template_context={"adding": True},
    )


@login_required
def two_factor_recovery_codes(request):
    """Shows freshly made recovery codes once."""
    codes = request.session.pop(RECOVERY_SESSION_KEY, None)
    if not codes:
        return redirect("members:account-security")
    return render(request, "members/two_factor_recovery_codes.html", {"codes": codes})


@login_required
def account_security(request):
    user = request.user
    tokens = ApiToken.objects.filter(user=user).order_by("-created")
    return render(
        request,
        "members/account_security.html",
        {
            "devices": totp_devices(user),
            "has_device": has_device(user),
            "verified": _verified(request),
            "needs_two_factor": second_factor_required(user),
            "recovery_left": recovery_codes_left(user),
            "tokens": tokens,
        },
    )


@login_required
@require_POST
def account_security_action(request, action: str, key: str = ""):
    user = request.user
    try:
        if action == "recovery-codes":
            request.session[RECOVERY_SESSION_KEY] = two_factor_recovery_codes_make(
                user=user, session_verified=_verified(request)
            )
            return redirect("members:two-factor-recovery-codes")
        if action == "remove-device":
            two_factor_device_remove(
                user=user, device_id=int(key), session_verified=_verified(request)
            )
            messages.success(request, _("The device was removed; it no longer gives codes."))
        elif action == "revoke-token":
            api_token_revoke(user=user, token_key=key)
            messages.success(
                request,
                _("The token %(key)s… no longer works. Programs that used it need a new one.")
                % {"key": key},
            )
        else:
            return redirect("members:account-security")
    except (ApplicationError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("Not found.")))
    return redirect("members:account-security")


@login_required
def board_approvals(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "board", "treasurer")
    approvals = [
        {
            "approval": approval,
            "description": approval_kind(approval.kind).describe(approval),
            "may_decide": approval_may_decide(user=request.user, approval=approval),
            "own": approval.requested_by_id == request.user.pk,
        }
        for approval in second_approvals_of(cooperative=cooperative)[:100]
    ]
    return render(
        request,
        "members/board_approvals.html",
        {"cooperative": cooperative, "approvals": approvals, "reason_form": forms.ReasonForm()},
    )


@login_required
@require_POST
def board_approval_decide(request, slug: str, approval_id: int, decision: str):
    cooperative = page_cooperative(request.user, slug, "board", "treasurer")
    approval = get_object_or_404(SecondApproval, pk=approval_id, cooperative=cooperative)
    if decision not in ("approve", "reject"):
        return render(request, "404.html", status=404)
    try:
        second_approval_decide(
            actor=request.user,
            approval=approval,
            approve=decision == "approve",
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if decision == "approve":
            messages.success(
                request, _("Approved. It takes effect now; the whole board gets an e-mail.")
            )
        else:
            messages.success(
                request, _("Not approved. Nothing changes; the whole board gets an e-mail.")
            )
    return redirect("members:board-approvals", slug=slug)
