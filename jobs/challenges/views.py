"""HTML pages of the right-to-challenge flow: the public register, the municipality's
tenders and decisions, the board's bids and challenges, contracts and their reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from members.access import has_role, page_cooperative
from members.models import Cooperative
from payouts.selectors.quotes import share_per_hour
from werkstation.confirm import Confirmation, confirmation, is_confirmed
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error
from werkstation.money import format_money, from_minor

from . import forms
from .access import can_see_bid, can_see_contract, is_municipality_user, municipality_clients_of
from .models import Bid, Challenge, Contract, Tender
from .selectors import (
    bids_visible,
    board_cooperative_ids,
    challenges_public,
    contracts_visible,
    reports,
    tenders_public,
    tenders_visible,
)
from .services import bids, challenges, contracts, tenders

if TYPE_CHECKING:
    from datetime import date


def register(request):
    """The public register: open and decided tenders, challenges and their status."""
    user = request.user
    tenders_list, challenges_list = list(tenders_public()), list(challenges_public())
    publishers = {t.client.pk: t.client for t in tenders_list} | {
        c.client.pk: c.client for c in challenges_list
    }
    context = {
        "tenders": tenders_list,
        "challenges": challenges_list,
        "publishers": sorted(publishers.values(), key=lambda c: c.name),
        "drafts": Tender.objects.filter(
            status=Tender.Status.DRAFT, client__in=municipality_clients_of(user)
        ),
        "contracts": contracts_visible(user) if user.is_authenticated else [],
        "is_municipality": bool(municipality_clients_of(user)),
        "is_board": bool(board_cooperative_ids(user)),
        "board_cooperatives": Cooperative.objects.filter(pk__in=board_cooperative_ids(user)),
    }
    return render(request, "challenges/register.html", context)


def _rules_from(formset) -> list[dict]:
    return [rule for form in formset.forms if (rule := form.rule()) is not None]


@login_required
def tender_new(request):
    clients = municipality_clients_of(request.user)
    if not clients:
        raise Http404
    form = forms.TenderForm(request.POST or None, clients=clients)
    challenge_id = request.GET.get("challenge") or request.POST.get("challenge")
    challenge = Challenge.objects.filter(pk=challenge_id).first() if challenge_id else None
    if challenge is not None and not request.POST:
        form.initial.update(
            {
                "client": challenge.client_id,
                "title": challenge.task,
                "area": challenge.area,
                "description": challenge.plan,
            }
        )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client = next(c for c in clients if c.pk == data.pop("client"))
        try:
            tender = tenders.tender_create(
                actor=request.user, client=client, challenge=challenge, **data
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("The tender is saved."))
            return redirect("challenges:rtc-tender", tender_id=tender.pk)
    return render(request, "challenges/tender_new.html", {"form": form, "challenge": challenge})


def _decision_confirmation(tender: Tender, form: forms.DecisionForm, ranking: dict) -> Confirmation:
    bid = form.chosen_bid()
    reason = form.cleaned_data["reason"]
    lang = get_language()
    if bid is None:
        return Confirmation(
            title=_("Award nobody?"),
            confirm_label=_("Yes, award nobody"),
            rows=[
                (_("Tender"), tender.title),
                (_("Decision"), _("No award")),
                (_("Reasons"), reason),
            ],
            consequence=_(
                "No contract follows. Every bidder is told your reasons. This cannot be undone."
            ),
            danger=True,
        )
    total = (ranking.get(bid.pk) or {}).get("total")
    rows = [
        (_("Tender"), tender.title),
        (_("Award to"), bid.cooperative.name),
        (_("Price"), format_money(bid.price_cents, language=lang)),
    ]
    if total is not None:
        rows.append((_("Points"), f"{number_format(total, 1)} / 100"))
    rows.append((_("Reasons"), reason))
    return Confirmation(
        title=_("Award the tender to %(coop)s?") % {"coop": bid.cooperative.name},
        confirm_label=_("Yes, award"),
        rows=rows,
        consequence=_(
            "The contract is drawn up and its shifts go on the job board. The other bidders "
            "are told why they were not chosen. This cannot be undone."
        ),
    )


def tender_detail(request, tender_id: int):
    tender = get_object_or_404(tenders_visible(request.user), pk=tender_id)
    user = request.user
    municipality = is_municipality_user(user, tender.client_id)
    # The bids open the moment bidding closes by the clock (``Tender.effective_status``),
    # not on beat's next round; reading the page writes nothing.
    visible = list(bids_visible(user, tender)) if user.is_authenticated else []
    ranking = {row["bid"].pk: row for row in tenders.bid_ranking(tender)} if municipality else {}
    decision_form = forms.DecisionForm(
        request.POST if request.POST.get("action") == "decide" else None,
        bids=[b for b in visible if b.status == Bid.Status.SUBMITTED],
        points=ranking,
    )
    score_errors = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "publish":
                tenders.tender_publish(actor=user, tender=tender)
                messages.success(
                    request,
                    _(
                        "The tender is published. The boards of the linked cooperatives are "
                        "told and can bid until the deadline."
                    ),
                )
                return redirect("challenges:rtc-tender", tender_id=tender.pk)
            if action == "score":
                bid = next((b for b in visible if str(b.pk) == request.POST.get("bid")), None)
                if bid is None:
                    raise Http404
                score_form = forms.ScoreForm(request.POST, prefix=f"s{bid.pk}")
                if score_form.is_valid():
                    tenders.bid_score(actor=user, bid=bid, **score_form.cleaned_data)
                    messages.success(
                        request,
                        _("Your scores are saved; the ranking below counts them."),
                    )
                    return redirect("challenges:rtc-tender", tender_id=tender.pk)
                score_errors[bid.pk] = score_form
            if action == "decide" and municipality and decision_form.is_valid():
                if not is_confirmed(request):
                    return confirmation(
                        request, _decision_confirmation(tender, decision_form, ranking)
                    )
                bid = decision_form.chosen_bid()
                tenders.tender_decide(
                    actor=user, tender=tender, bid=bid, reason=decision_form.cleaned_data["reason"]
                )
                messages.success(
                    request,
                    _("The tender is awarded; the contract and its shifts follow.")
                    if bid is not None
                    else _("The tender is closed without an award."),
                )
                messages.info(request, _("Every bidder is told the decision and your reasons."))
                return redirect("challenges:rtc-tender", tender_id=tender.pk)
        except ApplicationError as exc:
            if action == "decide":
                add_application_error(decision_form, exc)
            else:
                messages.error(request, exc.message)
    board_coops = (
        [
            c
            for c in Cooperative.objects.filter(pk__in=board_cooperative_ids(user))
            if tender.client.links.filter(cooperative=c).exists()
        ]
        if user.is_authenticated
        else []
    )
    own_bids = {b.cooperative_id for b in visible}
    contract = Contract.objects.filter(tender=tender).first()
    rows = []
    for bid in visible:
        rows.append(
            {
                "bid": bid,
                "points": ranking.get(bid.pk),
                "score_form": score_errors.get(bid.pk) or forms.ScoreForm(prefix=f"s{bid.pk}"),
            }
        )
    context = {
        "tender": tender,
        "municipality": municipality,
        "rows": rows,
        "decision_form": decision_form,
        "can_bid": [c for c in board_coops if c.pk not in own_bids]
        if tenders.tender_window_open(tender)
        else [],
        "contract": contract,
        "now": timezone.now(),
        "contract_visible": contract is not None and can_see_contract(user, contract),
    }
    return render(request, "challenges/tender_detail.html", context)


def _bid_forms(request, bid: Bid | None, cooperative: Cooperative):
    skills = list(cooperative.skills.all())
    initial, rules = {}, []
    if bid is not None:
        initial = {
            "price": from_minor(bid.price_cents),
            "hourly_tariff": from_minor(bid.hourly_tariff_cents),
            "plan": bid.plan,
            "social_member_hours": bid.social_member_hours,
            "social_target_group_members": bid.social_target_group_members,
        }
        rules = [{**r, "skill": r.get("skill") or ""} for r in bid.staffing_plan]
    posted = request.method == "POST" and request.POST.get("action") == "save"
    form = forms.BidForm(request.POST if posted else None, initial=initial)
    formset = forms.RuleFormSet(
        request.POST if posted else None,
        initial=rules or None,
        prefix="rule",
        form_kwargs={"skills": skills},
    )
    return form, formset


def _bid_values(form, formset) -> dict:
    return {**form.cleaned_data, "staffing_plan": _rules_from(formset)}


def _show_rule_error(form, formset, exc: ApplicationError) -> None:
    if exc.field and exc.field.startswith("staffing_plan"):
        form.add_error(None, f"{_('Staffing plan')}: {exc.message}")
    else:
        add_application_error(form, exc)


@login_required
def bid_new(request, tender_id: int):
    tender = get_object_or_404(tenders_visible(request.user), pk=tender_id)
    slug = request.GET.get("cooperative") or request.POST.get("cooperative")
    cooperative = get_object_or_404(Cooperative, slug=slug) if slug else None
    if cooperative is None:
        ids = board_cooperative_ids(request.user)
        cooperative = Cooperative.objects.filter(
            pk__in=ids, client_links__client=tender.client
        ).first()
    if cooperative is None or not has_role(request.user, cooperative, "board"):
        raise Http404
    form, formset = _bid_forms(request, None, cooperative)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            bid = bids.bid_create(
                actor=request.user,
                tender=tender,
                cooperative=cooperative,
                **_bid_values(form, formset),
            )
        except ApplicationError as exc:
            _show_rule_error(form, formset, exc)
        else:
            messages.success(
                request, _("The bid is saved as a draft. Run the capacity check next.")
            )
            return redirect("challenges:rtc-bid", bid_id=bid.pk)
    return render(
        request,
        "challenges/bid_form.html",
        {"tender": tender, "cooperative": cooperative, "form": form, "formset": formset},
    )


def _submit_confirmation(bid: Bid) -> Confirmation:
    lang = get_language()
    rows = [
        (_("Tender"), bid.tender.title),
        (_("Cooperative"), bid.cooperative.name),
        (_("Price"), format_money(bid.price_cents, language=lang)),
        (_("Tariff per hour"), format_money(bid.hourly_tariff_cents, language=lang)),
    ]
    if bid.capacity:
        rows.append((_("Capacity check"), f"{number_format(bid.capacity['coverage_percent'], 1)}%"))
    return Confirmation(
        title=_("Submit this bid?"),
        confirm_label=_("Yes, submit the bid"),
        rows=rows,
        consequence=_(
            "A submitted bid cannot be changed any more; until the deadline you can only "
            "withdraw it."
        ),
    )


@login_required
def bid_detail(request, bid_id: int):
    bid = get_object_or_404(Bid.objects.select_related("tender__client", "cooperative"), pk=bid_id)
    if not can_see_bid(request.user, bid):
        raise Http404
    board = has_role(request.user, bid.cooperative_id, "board")
    form, formset = _bid_forms(request, bid, bid.cooperative)
    if request.method == "POST" and board:
        action = request.POST.get("action")
        try:
            if action == "save":
                if form.is_valid() and formset.is_valid():
                    bids.bid_update(actor=request.user, bid=bid, **_bid_values(form, formset))
                    messages.success(
                        request, _("The draft is saved. Run the capacity check again next.")
                    )
                    return redirect("challenges:rtc-bid", bid_id=bid.pk)
            elif action == "check":
                result = bids.bid_capacity_check(actor=request.user, bid=bid).capacity
                messages.success(
                    request,
                    _("Capacity check done: %(p)s%% of the work covered.")
                    % {"p": result["coverage_percent"]},
                )
                return redirect("challenges:rtc-bid", bid_id=bid.pk)
            elif action == "submit":
                if not is_confirmed(request):
                    return confirmation(request, _submit_confirmation(bid))
                bids.bid_submit(actor=request.user, bid=bid)
                messages.success(
                    request,
                    _(
                        "The bid is submitted and locked. The municipality opens the bids "
                        "after %(deadline)s; you hear its decision by e-mail."
                    )
                    % {
                        "deadline": date_format(
                            localtime(bid.tender.submission_deadline), "DATETIME_FORMAT"
                        )
                    },
                )
                return redirect("challenges:rtc-bid", bid_id=bid.pk)
            elif action == "withdraw":
                bids.bid_withdraw(actor=request.user, bid=bid)
                messages.success(request, _("The bid is withdrawn."))
                return redirect("challenges:rtc-bid", bid_id=bid.pk)
        except ApplicationError as exc:
            if action == "save":
                _show_rule_error(form, formset, exc)
            else:
                messages.error(request, exc.message)
    context = {
        "bid": bid,
        "tender": bid.tender,
        "board": board,
        "form": form,
        "formset": formset,
        "editable": board
        and bid.status == Bid.Status.DRAFT
        and tenders.tender_window_open(bid.tender),
        "capacity": bid.capacity or None,
        "share_per_hour": share_per_hour(
            cooperative_id=bid.cooperative_id,
            tariff_cents=bid.hourly_tariff_cents,
            category=bid.tender.category,
            client_kind=bid.tender.client.kind,
            day=max(bid.tender.period_start, timezone.localdate()),
        ),
    }
    return render(request, "challenges/bid_detail.html", context)


@login_required
def challenge_new(request):
    ids = board_cooperative_ids(request.user)
    cooperative = Cooperative.objects.filter(pk__in=ids).first()
    if cooperative is None:
        raise Http404
    from jobs.models import Client

    clients = Client.objects.filter(kind=Client.Kind.MUNICIPALITY, links__cooperative=cooperative)
    form = forms.ChallengeForm(request.POST or None, clients=clients)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client = clients.get(pk=data.pop("client"))
        try:
            challenge = challenges.challenge_submit(
                actor=request.user, cooperative=cooperative, client=client, **data
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("The challenge is submitted to the municipality."))
            return redirect("challenges:rtc-challenge", challenge_id=challenge.pk)
    return render(
        request, "challenges/challenge_new.html", {"form": form, "cooperative": cooperative}
    )


def challenge_detail(request, challenge_id: int):
    challenge = get_object_or_404(challenges_public(), pk=challenge_id)
    user = request.user
    municipality = is_municipality_user(user, challenge.client_id)
    board = has_role(user, challenge.cooperative_id, "board")
    form = forms.ChallengeDecisionForm(
        request.POST if request.POST.get("action") == "decide" else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "decide" and form.is_valid():
                challenges.challenge_decide(actor=user, challenge=challenge, **form.cleaned_data)
                messages.success(
                    request, _("The decision is recorded and the cooperative is told.")
                )
                return redirect("challenges:rtc-challenge", challenge_id=challenge.pk)
            if action in ("consent", "decline"):
                challenges.challenge_consent(
                    actor=user, challenge=challenge, consent=action == "consent"
                )
                messages.success(request, _("Your answer is sent to the municipality."))
                return redirect("challenges:rtc-challenge", challenge_id=challenge.pk)
        except ApplicationError as exc:
            if action == "decide":
                add_application_error(form, exc)
            else:
                messages.error(request, exc.message)
    context = {
        "challenge": challenge,
        "municipality": municipality,
        "board": board,
        "form": form,
        "tender": Tender.objects.filter(challenge=challenge).first(),
    }
    return render(request, "challenges/challenge_detail.html", context)


def _contract_for(request, contract_id: int) -> Contract:
    contract = get_object_or_404(
        Contract.objects.select_related("client", "cooperative", "tender"), pk=contract_id
    )
    if not can_see_contract(request.user, contract):
        raise Http404
    return contract


@login_required
def contract_detail(request, contract_id: int):
    contract = _contract_for(request, contract_id)
    municipality = is_municipality_user(request.user, contract.client_id)
    board = has_role(request.user, contract.cooperative_id, "board")
    form = forms.AmendmentForm(request.POST if request.POST.get("action") == "amend" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "amend" and municipality and form.is_valid():
                contracts.contract_amend(actor=request.user, contract=contract, **form.cleaned_data)
                messages.success(request, _("The amendment is recorded."))
                return redirect("challenges:rtc-contract", contract_id=contract.pk)
            if action == "generate" and (municipality or board):
                created = contracts.contract_generate(contract_id=contract.pk)
                messages.success(request, _("%(n)s new shifts on the job board.") % {"n": created})
                return redirect("challenges:rtc-contract", contract_id=contract.pk)
        except ApplicationError as exc:
            add_application_error(form, exc)
    context = {
        "contract": contract,
        "budget": contracts.contract_budget(contract),
        "municipality": municipality,
        "board": board,
        "form": form,
        "jobs": [cj.job for cj in contract.contract_jobs.select_related("job")],
        "amendments": contract.amendments.all(),
    }
    return render(request, "challenges/contract_detail.html", context)


@login_required
def contract_report(request, contract_id: int):
    contract = _contract_for(request, contract_id)
    today = timezone.localdate()
    default_start = (
        max(contract.period_start, today.replace(day=1))
        if today >= contract.period_start
        else contract.period_start
    )
    default_end = max(default_start, min(contract.period_end, today))
    form = forms.ReportForm(
        request.GET or None, initial={"start": default_start, "end": default_end}
    )
    start: date = default_start
    end: date = default_end
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    report, problem = None, None
    try:
        report = reports.contract_report(contract=contract, start=start, end=end)
    except ApplicationError as exc:
        problem = exc.message
    output = request.GET.get("output")
    if report is not None and output in ("csv", "pdf"):
        name = f"{contract.reference}-{start.isoformat()}-{end.isoformat()}"
        if output == "csv":
            response = HttpResponse(
                reports.report_csv(report), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(reports.report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.{output}"'
        return response
    context = {
        "contract": contract,
        "form": form,
        "report": report,
        "problem": problem,
        "rows": reports.report_rows(report) if report else [],
        "start": start,
        "end": end,
    }
    return render(request, "challenges/contract_report.html", context)


@login_required
def target_groups(request, slug: str):
    """The board records, with each member's consent, who counts for social return."""
    from members.models import Membership, User

    from .models import TargetGroupMember
    from .services.social import target_group_record

    cooperative = page_cooperative(request.user, slug, "board")
    members = Membership.objects.filter(cooperative=cooperative, status="active").select_related(
        "user"
    )
    form = forms.TargetGroupForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            target_group_record(
                actor=request.user,
                cooperative=cooperative,
                user=get_object_or_404(User, pk=form.cleaned_data["user"]),
                group=form.cleaned_data["group"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request, _("Recorded; the member counts for social return from now on.")
            )
            return redirect("challenges:rtc-target-groups", slug=slug)
    rows = (
        TargetGroupMember.objects.filter(cooperative=cooperative)
        .select_related("user")
        .order_by("group", "user__full_name")
    )
    return render(
        request,
        "challenges/target_groups.html",
        {"cooperative": cooperative, "form": form, "rows": rows},
    )
