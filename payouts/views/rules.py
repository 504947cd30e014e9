"""Payout rules pages: the rules in force and every version (members), the JSON of any
version, and the board's form to propose new rules with a live preview.

The form works without JavaScript: "Add a pot", "Add a bracket" and "Remove" are submit
buttons that redraw the form; "Show the preview" redraws it with the preview. With htmx
the preview follows the typing (``rules_preview`` renders only the preview part).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.access import has_role, page_cooperative
from payouts import rules
from payouts.ruleset_forms import (
    MAX_BRACKETS,
    MAX_POTS,
    ExampleForm,
    ImportForm,
    PotFormSet,
    RuleSetForm,
    error_lines,
    initial_from_spec,
    is_total_error,
    not_shown,
    raw_main,
    raw_rows,
    show_errors,
    spec_from_forms,
)
from payouts.selectors import proposals_of_rule_sets, rule_set_in_force, rule_sets_of
from payouts.services import rulesets as service
from werkstation.errors import ApplicationError
from werkstation.money import from_minor, to_minor

if TYPE_CHECKING:
    from payouts.models import RuleSet

POTS_PREFIX = "pots"
EXAMPLE_PREFIX = "example"


def _json_download(spec: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(spec, indent=2, ensure_ascii=False) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- reading (members) -------------------------------------------------------------------


@login_required
def rules_page(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "member")
    in_force = rule_set_in_force(cooperative.pk, timezone.localdate())
    versions = list(rule_sets_of(cooperative.pk)[:50])
    proposals = proposals_of_rule_sets(cooperative.pk, [r.pk for r in versions])
    for rule_set in versions:
        rule_set.proposal_id = proposals.get(rule_set.pk)
    return render(
        request,
        "payouts/rules.html",
        {
            "cooperative": cooperative,
            "in_force": in_force,
            "description": service.describe_stored(in_force, language=request.LANGUAGE_CODE)
            if in_force
            else None,
            "versions": versions,
            "is_board": has_role(request.user, cooperative, "board"),
        },
    )


@login_required
def rules_export(request, slug: str, rule_set_id: int):
    """A version's rules as the .json file the format describes (for treasurers, auditors
    and ``python -m payouts.rules``)."""
    cooperative = page_cooperative(request.user, slug, "member")
    rule_set = rule_sets_of(cooperative.pk).filter(pk=rule_set_id).first()
    if rule_set is None:
        raise Http404
    return _json_download(rule_set.spec, service.rule_set_filename(cooperative, rule_set))


# ---- the board's form --------------------------------------------------------------------


def _forms_from(rule_set: RuleSet | None, spec: dict | None = None, main: dict | None = None):
    """Unbound forms showing ``spec`` (or ``rule_set``'s), to edit into new rules."""
    spec = spec if spec is not None else (rule_set.spec if rule_set is not None else None)
    initial, rows = initial_from_spec(spec) if spec else ({}, [{}])
    if rule_set is not None:
        initial["allow_advances"] = rule_set.allow_advances
        if rule_set.advance_limit_cents:
            initial["advance_limit"] = from_minor(rule_set.advance_limit_cents)
    return (
        RuleSetForm(initial={**(main or {}), **initial}),
        PotFormSet(initial=rows or [{}], prefix=POTS_PREFIX),
        ExampleForm(prefix=EXAMPLE_PREFIX),
    )


def _redrawn(request, action: str):
    """The forms as typed, with a pot or a bracket added or removed, nothing judged yet."""
    form = RuleSetForm(request.POST)
    pots = PotFormSet(request.POST, prefix=POTS_PREFIX)
    example = ExampleForm(request.POST, prefix=EXAMPLE_PREFIX)
    rows = raw_rows(pots)
    action, _dash, value = action.partition("-")
    index = int(value) if value.isdigit() else -1
    if action == "add_pot" and len(rows) < MAX_POTS:
        rows.append({})
    elif action == "remove_pot" and 0 <= index < len(rows):
        rows.pop(index)
    elif action == "add_bracket" and 0 <= index < len(rows):
        rows[index]["bracket_count"] = min(rows[index]["bracket_count"] + 1, MAX_BRACKETS)
    return (
        RuleSetForm(initial=raw_main(form)),
        PotFormSet(initial=rows or [{}], prefix=POTS_PREFIX),
        ExampleForm(initial=raw_main(example), prefix=EXAMPLE_PREFIX),
    )


def _example(example: ExampleForm) -> service.ExampleShift | None:
    if not example.is_valid():
        return None
    data = example.cleaned_data
    return service.ExampleShift(
        gross_cents=to_minor(data["gross"]),
        minutes=data["minutes"],
        category=data["category"],
        client_kind=data["client_kind"],
        month_gross_before_cents=to_minor(data["month_before"]),
    )


def _default_example() -> service.ExampleShift:
    initial = {name: field.initial for name, field in ExampleForm.base_fields.items()}
    return service.ExampleShift(
        gross_cents=to_minor(initial["gross"]),
        minutes=initial["minutes"],
        category=initial["category"],
        client_kind=initial["client_kind"],
        month_gross_before_cents=to_minor(initial["month_before"]),
    )


def _options(form: RuleSetForm) -> dict:
    data = form.cleaned_data
    limit = data.get("advance_limit")
    return {
        "allow_advances": bool(data.get("allow_advances")),
        "advance_limit_cents": to_minor(limit) if limit is not None else 0,
        "effective_from": data.get("effective_from"),
    }


def _bound_draft(cooperative, form, pots, example):
    """From the bound forms: the spec (None while a field is wrong), the options, the
    example shift and the field errors, each naming its pot or field."""
    form.is_valid()  # the title may still be empty while editing: the preview goes on
    errors = [str(e) for name, es in form.errors.items() if name != "title" for e in es]
    pots_ok = pots.is_valid()
    if not pots_ok:
        errors += [str(e) for f in pots.forms for es in f.errors.values() for e in es]
        errors += [str(e) for e in pots.non_form_errors()]
    spec = (
        spec_from_forms(form, pots, currency=cooperative.currency)
        if pots_ok and not errors
        else None
    )
    return spec, _options(form), _example(example), errors


def _preview_context(request, cooperative, *, spec, options, example, errors) -> dict:
    """The preview: the rules in words, the example split, warnings, errors; and the rules
    in force, described and splitting the same example, beside it."""
    lang = request.LANGUAGE_CODE
    context: dict = {"errors": list(errors), "warnings": [], "preview": None, "json": None}
    if spec is not None and not errors:
        try:
            preview = service.rule_set_preview(
                actor=request.user,
                cooperative=cooperative,
                spec=spec,
                allow_advances=options["allow_advances"],
                advance_limit_cents=options["advance_limit_cents"],
                effective_from=options["effective_from"],
                example=example,
                language=lang,
            )
        except ApplicationError as exc:
            for path, text in error_lines(exc):
                context["warnings" if is_total_error(path) else "errors"].append(text)
        else:
            context["preview"] = preview
            context["warnings"] += preview.description.warnings
            context["json"] = json.dumps(preview.spec, indent=2, ensure_ascii=False)
    in_force = rule_set_in_force(cooperative.pk, timezone.localdate())
    context["in_force"] = in_force
    if in_force is not None:
        context["current"] = service.describe_stored(in_force, language=lang)
        if example is not None:
            context["current_example"] = service.example_split(
                rules.parse_rule_set(in_force.spec), example, language=lang
            )
    return context


@login_required
def rules_new(request, slug: str):
    """The board drafts new payout rules with a form and proposes them to the vote."""
    cooperative = page_cooperative(request.user, slug, "board")
    today = timezone.localdate()
    import_form = ImportForm()
    import_errors: list[str] = []
    action = request.POST.get("action", "preview") if request.method == "POST" else ""
    draft = None
    if request.method != "POST":
        wanted = request.GET.get("from", "")
        source = (
            rule_sets_of(cooperative.pk).filter(pk=int(wanted)).first()
            if wanted.isdigit()
            else rule_set_in_force(cooperative.pk, today)
        )
        form, pots, example = _forms_from(source)
        if source is not None:
            draft = (source.spec, _stored_options(source), _default_example(), [])
    elif action == "import":
        import_form = ImportForm(request.POST, request.FILES)
        form, pots, example = _forms_from(None, spec={"pots": []})
        if import_form.is_valid():
            spec = import_form.cleaned_data["spec"]
            try:
                service.rule_set_validate(actor=request.user, cooperative=cooperative, spec=spec)
            except ApplicationError as exc:
                import_errors = [text for _path, text in error_lines(exc)]
            else:
                form, pots, example = _forms_from(None, spec=spec)
                import_form = ImportForm()
                draft = (spec, _stored_options(None), _default_example(), [])
                messages.success(
                    request,
                    _("The file is read into the form. Check it, then propose it."),
                )
                for text in not_shown(spec):
                    messages.warning(request, text)
        else:
            import_errors = [str(e) for es in import_form.errors.values() for e in es]
    elif action.partition("-")[0] in ("add_pot", "remove_pot", "add_bracket"):
        form, pots, example = _redrawn(request, action)
    else:
        form = RuleSetForm(request.POST)
        pots = PotFormSet(request.POST, prefix=POTS_PREFIX)
        example = ExampleForm(request.POST, prefix=EXAMPLE_PREFIX)
        draft = _bound_draft(cooperative, form, pots, example)
        spec, options, _shift, _errors = draft
        if action == "download" and spec is not None:
            return _json_download(spec, service.rule_set_filename(cooperative, None))
        if action == "propose" and spec is not None and form.is_valid():
            data = form.cleaned_data
            try:
                proposal = service.rule_set_propose(
                    actor=request.user,
                    cooperative=cooperative,
                    title=data["title"],
                    body=data["body"],
                    spec=spec,
                    allow_advances=options["allow_advances"],
                    advance_limit_cents=options["advance_limit_cents"],
                    effective_from=options["effective_from"],
                    secret=data["secret"],
                    require_simulation=data["require_simulation"],
                )
            except ApplicationError as exc:
                show_errors(form, pots, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The rules are drafted as a proposal. Open the vote when it is ready; "
                        "the members decide."
                    ),
                )
                return redirect("members:proposal", proposal_id=proposal.pk)
    preview = (
        _preview_context(
            request,
            cooperative,
            spec=draft[0],
            options=draft[1],
            example=draft[2],
            errors=draft[3],
        )
        if draft is not None
        else _preview_context(
            request, cooperative, spec=None, options={}, example=_default_example(), errors=[]
        )
    )
    return render(
        request,
        "payouts/rules_form.html",
        {
            "cooperative": cooperative,
            "form": form,
            "pots": pots,
            "example_form": example,
            "import_form": import_form,
            "import_errors": import_errors,
            **preview,
        },
    )


def _stored_options(rule_set: RuleSet | None) -> dict:
    return {
        "allow_advances": rule_set.allow_advances if rule_set else False,
        "advance_limit_cents": rule_set.advance_limit_cents if rule_set else 0,
        "effective_from": None,
    }


@login_required
@require_POST
def rules_preview(request, slug: str):
    """The preview part of the form, for htmx while the board types."""
    cooperative = page_cooperative(request.user, slug, "board")
    form = RuleSetForm(request.POST)
    pots = PotFormSet(request.POST, prefix=POTS_PREFIX)
    example = ExampleForm(request.POST, prefix=EXAMPLE_PREFIX)
    spec, options, shift, errors = _bound_draft(cooperative, form, pots, example)
    return render(
        request,
        "payouts/includes/rules_preview.html",
        {
            "cooperative": cooperative,
            **_preview_context(
                request, cooperative, spec=spec, options=options, example=shift, errors=errors
            ),
        },
    )
