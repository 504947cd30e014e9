"""Governance pages: the list, a proposal with its rules in plain words, the simulation,
the vote and proxies."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.access import has_role, page_cooperative
from members.api.governance import proposal_view
from members.models import Membership, Proposal, User, Vote
from members.services import governance as g
from werkstation.confirm import Confirmation, confirmation, is_confirmed
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error

FORM_ELSEWHERE = ("payout_rules",)


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Explanation"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    km_cost_cents = forms.IntegerField(
        label=gettext_lazy("Travel cost per km (cents)"), required=False, min_value=0
    )
    shortfall_cents_per_minute = forms.IntegerField(
        label=gettext_lazy("Fairness weight (cents per minute short)"), required=False, min_value=0
    )
    secret = forms.BooleanField(label=gettext_lazy("secret ballot"), required=False)
    require_simulation = forms.BooleanField(
        label=gettext_lazy("voters must open the personal simulation first"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Payout rules have their own form (payouts: /c/<slug>/rules/new/), with pots as
        # rows, a preview and import of the JSON, instead of a JSON box here.
        self.fields["kind"].choices = [
            (name, kind.label)
            for name, kind in g.proposal_kinds().items()
            if name not in FORM_ELSEWHERE
        ]

    def payload(self) -> dict:
        data, kind = self.cleaned_data, self.cleaned_data["kind"]
        if kind == "dispatch_policy":
            return {
                "km_cost_cents": data.get("km_cost_cents"),
                "shortfall_cents_per_minute": data.get("shortfall_cents_per_minute"),
            }
        return {}


class DraftForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Explanation"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    secret = forms.BooleanField(
        label=gettext_lazy("secret ballot"),
        required=False,
        help_text=gettext_lazy("Fixed once the vote opens."),
    )


@login_required
def proposal_list(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "member")
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = g.proposal_create(
                actor=request.user,
                cooperative=cooperative,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                payload=form.payload(),
                secret=data["secret"],
                require_simulation=data["require_simulation"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return redirect("members:proposal", proposal_id=proposal.pk)
    return render(
        request,
        "members/proposals.html",
        {
            "cooperative": cooperative,
            # Status as the clock decides: a vote past closes_at shows its outcome.
            "proposals": [g.proposal_as_of_now(p) for p in cooperative.proposals.all()[:100]],
            "form": form,
            "is_board": has_role(request.user, cooperative, "board"),
        },
    )


PROPOSAL_MESSAGES = {
    "open": gettext_lazy(
        "The vote is open. Every member is told and can vote until the voting closes."
    ),
    "cosign": gettext_lazy("You co-signed the proposal. The board can now open the vote."),
    "withdraw": gettext_lazy("The proposal is withdrawn; nobody votes on it."),
}


def _proposal_confirmation(request, proposal: Proposal, action: str) -> Confirmation | None:
    """The summary to confirm before opening the vote, withdrawing, or giving a proxy."""
    if action == "open":
        return Confirmation(
            title=_("Open the vote on %(title)s?") % {"title": proposal.title},
            confirm_label=_("Yes, open the vote"),
            rows=[
                (_("Proposal"), proposal.title),
                (_("Majority"), str(proposal.get_majority_display())),
            ],
            consequence=_("Every member is asked to vote. The proposal can no longer be changed."),
        )
    if action == "withdraw":
        return Confirmation(
            title=_("Withdraw %(title)s?") % {"title": proposal.title},
            confirm_label=_("Yes, withdraw"),
            rows=[(_("Proposal"), proposal.title)],
            consequence=_("Nobody votes on a withdrawn proposal. This cannot be undone."),
            danger=True,
        )
    holder = _proxy_holder(proposal, request.POST.get("holder"), request.user)
    if holder is None:
        return None  # the view says "Choose a member."
    return Confirmation(
        title=_("Give your vote to %(name)s?") % {"name": holder.full_name},
        confirm_label=_("Yes, %(name)s votes for me") % {"name": holder.full_name},
        rows=[(_("Proposal"), proposal.title), (_("Votes for you"), holder.full_name)],
        consequence=_(
            "%(name)s may vote for you on this proposal. If you vote yourself, your own "
            "vote counts."
        )
        % {"name": holder.full_name},
    )


def _proxy_candidates(proposal: Proposal, user: User):
    return (
        Membership.objects.filter(cooperative=proposal.cooperative, status="active")
        .exclude(user=user)
        .select_related("user")
        .order_by("user__full_name")
    )


def _proxy_holder(proposal: Proposal, value, user: User) -> User | None:
    if not str(value or "").isdigit():
        return None
    found = _proxy_candidates(proposal, user).filter(user_id=int(value)).first()
    return found.user if found is not None else None


PROXY_RESULTS = 20


@login_required
def proposal_detail(request, proposal_id: int):
    proposal = get_object_or_404(Proposal.objects.select_related("cooperative"), pk=proposal_id)
    page_cooperative(request.user, proposal.cooperative.slug, "member")
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("open", "withdraw", "proxy") and not is_confirmed(request):
            asked = _proposal_confirmation(request, proposal, action)
            if asked is not None:
                return confirmation(request, asked)
        try:
            if action == "vote":
                on_behalf = User.objects.filter(pk=request.POST.get("on_behalf_of") or 0).first()
                g.vote_cast(
                    actor=request.user,
                    proposal=proposal,
                    choice=request.POST.get("choice", ""),
                    on_behalf_of=on_behalf,
                )
                messages.success(
                    request, _("Your vote is recorded. You can change it until voting closes.")
                )
            elif action == "edit":
                form = DraftForm(request.POST)
                if form.is_valid():
                    g.proposal_update(actor=request.user, proposal=proposal, **form.cleaned_data)
                    messages.success(
                        request,
                        _("The draft is saved. Open the vote when it is ready."),
                    )
                else:
                    messages.error(request, _("Give the proposal a title."))
            elif action in ("open", "cosign", "withdraw"):
                {
                    "open": g.proposal_open,
                    "cosign": g.proposal_cosign,
                    "withdraw": g.proposal_withdraw,
                }[action](actor=request.user, proposal=proposal)
                messages.success(request, PROPOSAL_MESSAGES[action])
            elif action == "proxy":
                holder = _proxy_holder(proposal, request.POST.get("holder"), request.user)
                if holder is None:
                    messages.error(request, _("Choose a member."))
                else:
                    g.proxy_grant(
                        grantor=request.user,
                        holder=holder,
                        cooperative=proposal.cooperative,
                        proposal=proposal,
                    )
                    messages.success(
                        request,
                        _("%(name)s may now vote for you on this proposal.")
                        % {"name": holder.full_name},
                    )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("members:proposal", proposal_id=proposal.pk)
    g.proposal_as_of_now(proposal)  # for reading: closed at closes_at, not at beat's round
    proxy_query = request.GET.get("proxy_q", "").strip()[:100]
    recount = None
    is_auditor = has_role(request.user, proposal.cooperative_id, "auditor")
    if request.GET.get("recount") and is_auditor:
        try:
            recount = g.proposal_recount(actor=request.user, proposal=proposal)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    simulation = None
    if request.GET.get("simulate") and g.proposal_kinds()[proposal.kind].simulate is not None:
        simulation = g.proposal_simulation(user=request.user, proposal=proposal)
    is_board = has_role(request.user, proposal.cooperative_id, "board")
    is_proposer = proposal.proposer_id == request.user.pk
    describe = g.proposal_kinds()[proposal.kind].describe
    rules_text = describe(proposal, request.LANGUAGE_CODE) if describe else None
    carried = list(
        User.objects.filter(
            proxies_given__holder=request.user,
            proxies_given__revoked_at__isnull=True,
            proxies_given__cooperative=proposal.cooperative,
        ).distinct()
    )
    view = proposal_view(proposal, request.user)
    labels = dict(Vote.Choice.choices)
    for vote in view.get("votes") or []:
        vote["choice_label"] = labels.get(vote["choice"], vote["choice"])
    return render(
        request,
        "members/proposal_detail.html",
        {
            "proposal": proposal,
            "view": view,
            "my_vote_label": labels.get(view.get("my_vote")),
            "simulation": simulation,
            "choices": Vote.Choice.choices,
            "carried": carried,
            "rules_text": rules_text,
            "proxy_query": proxy_query,
            "members": _proxy_candidates(proposal, request.user).filter(
                user__full_name__icontains=proxy_query
            )[:PROXY_RESULTS]
            if proxy_query
            else [],
            "is_board": is_board,
            "is_auditor": is_auditor,
            "recount": recount,
            "can_table": is_board or is_proposer,
            "can_cosign": not is_proposer,
            "edit_form": DraftForm(
                initial={"title": proposal.title, "body": proposal.body, "secret": proposal.secret}
            )
            if proposal.status == Proposal.Status.DRAFT and (is_board or is_proposer)
            else None,
        },
    )
