"""The board's form for a payout rule set: pots as rows, the member floor, brackets.

The form only translates between what a volunteer types (euros, "8,5", ticked categories)
and the rule-set file format (``shared/payout-rules-format.md``). Whether the rules are
valid is the split engine's call (``payouts.rules`` through ``services.rulesets``); its
errors come back with a JSON path (``spec.pots[1].percent``) which ``show_errors`` puts
next to the field of that pot, as "Pot 2: …".
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.models import Client
from jobs.models.work import CATEGORY_CHOICES
from werkstation.money import from_minor, to_minor

if TYPE_CHECKING:
    from werkstation.errors import ApplicationError

LANGUAGES = ("nl", "en")
MAX_POTS = 20
MAX_BRACKETS = 10
IMPORT_MAX_BYTES = 100_000


def _money_field(label, **kwargs) -> forms.DecimalField:
    # Localised: a Dutch page shows "14,71" and takes "14,71" as well as "14.71".
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        **kwargs,
    )


def _known_and(choices, values) -> list[tuple[str, str]]:
    """The platform's choices plus any other value the rules already name (the format
    allows any string; an imported file keeps its own)."""
    known = [(value, str(label)) for value, label in choices]
    slugs = {value for value, _label in known}
    return known + [(value, value) for value in values or () if value not in slugs]


class RuleSetForm(forms.Form):
    """What is voted on besides the pots: the title, the floor, the date, advances."""

    title = forms.CharField(label=gettext_lazy("Title of the proposal"), max_length=150)
    body = forms.CharField(
        label=gettext_lazy("Explanation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    member_floor = _money_field(
        gettext_lazy("Member floor: the least a member keeps per hour worked (€)"),
        help_text=gettext_lazy("No pot takes a member below this. Empty means no floor."),
    )
    effective_from = forms.DateField(
        label=gettext_lazy("In force from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty: the day the members adopt it."),
    )
    allow_advances = forms.BooleanField(
        label=gettext_lazy("The cooperative fund advances members' shares until the client pays"),
        required=False,
    )
    advance_limit = _money_field(gettext_lazy("Most the fund may have advanced at once (€)"))
    secret = forms.BooleanField(label=gettext_lazy("secret ballot"), required=False)
    require_simulation = forms.BooleanField(
        label=gettext_lazy("voters must open the personal simulation first"), required=False
    )


class PotForm(forms.Form):
    """One pot. Bracket rows are fields ``bracket_from_<i>`` / ``bracket_percent_<i>``;
    ``bracket_count`` says how many rows the page shows."""

    label_nl = forms.CharField(label=gettext_lazy("Name (Dutch)"), max_length=80, required=False)
    label_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=80, required=False)
    pot = forms.CharField(
        label=gettext_lazy("Short name"),
        max_length=50,
        required=False,
        help_text=gettext_lazy(
            "Lowercase letters, digits and underscores. Empty: made from the name."
        ),
    )
    percent = forms.CharField(
        label=gettext_lazy("Percentage of the gross"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    flat = _money_field(gettext_lazy("Fixed amount per piece of work (€)"))
    min = _money_field(gettext_lazy("At least (€)"))
    max = _money_field(gettext_lazy("At most (€)"), help_text=gettext_lazy("Empty: no cap."))
    only_categories = forms.BooleanField(
        label=gettext_lazy("Only for some kinds of work"), required=False
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds of work"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    only_client_kinds = forms.BooleanField(
        label=gettext_lazy("Only for some kinds of client"), required=False
    )
    client_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds of client"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    bracket_count = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=MAX_BRACKETS
    )

    def __init__(self, *args, number: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number
        self.fields["categories"].choices = _known_and(CATEGORY_CHOICES, self._given("categories"))
        self.fields["client_kinds"].choices = _known_and(
            Client.Kind.choices, self._given("client_kinds")
        )
        count = self.bracket_rows()
        self.initial.setdefault("bracket_count", count)
        for index in range(count):
            self.fields[f"bracket_from_{index}"] = _money_field(
                gettext_lazy("From the member's month gross (€)")
            )
            self.fields[f"bracket_percent_{index}"] = forms.CharField(
                label=gettext_lazy("Percentage"),
                max_length=10,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def _given(self, name: str) -> list[str]:
        if self.is_bound:
            return self.data.getlist(self.add_prefix(name)) if hasattr(self.data, "getlist") else []
        return list(self.initial.get(name) or [])

    def bracket_rows(self) -> int:
        raw = (
            self.data.get(self.add_prefix("bracket_count"))
            if self.is_bound
            else self.initial.get("bracket_count")
        )
        try:
            return max(0, min(int(raw or 0), MAX_BRACKETS))
        except (TypeError, ValueError):
            return 0

    # -- the page ------------------------------------------------------------------------

    def main_fields(self):
        return [self[name] for name in ("label_nl", "label_en", "pot", "percent")]

    def amount_fields(self):
        return [self[name] for name in ("flat", "min", "max")]

    def condition_fields(self):
        return [
            self[name]
            for name in ("only_categories", "categories", "only_client_kinds", "client_kinds")
        ]

    def bracket_fields(self):
        return [
            (self[f"bracket_from_{i}"], self[f"bracket_percent_{i}"])
            for i in range(self.bracket_rows())
        ]

    # -- cleaning ------------------------------------------------------------------------

    def _pot_error(self, message: str) -> str:
        return _("Pot %(n)s: %(message)s") % {"n": self.number, "message": message}

    def _percent(self, value: str) -> str | None:
        text = (value or "").strip().replace(",", ".").rstrip("%").strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not 0 <= number <= 100:
            raise forms.ValidationError(
                self._pot_error(
                    _("the percentage must be between 0 and 100, with at most 4 decimals.")
                )
            )
        return text

    def clean_percent(self) -> str | None:
        return self._percent(self.cleaned_data.get("percent") or "")

    def clean(self):
        data = super().clean()
        for index in range(self.bracket_rows()):
            name = f"bracket_percent_{index}"
            try:
                data[name] = self._percent(data.get(name) or "")
            except forms.ValidationError as exc:
                self.add_error(name, exc)
                continue
            start = data.get(f"bracket_from_{index}")
            if (start is None) != (
                data[name] is None
            ) and f"bracket_from_{index}" not in self.errors:
                self.add_error(
                    name if data[name] is None else f"bracket_from_{index}",
                    self._pot_error(_("a bracket needs a starting amount and a percentage.")),
                )
        for name in ("flat", "min", "max"):
            if name in self.errors:
                label = self.fields[name].label
                self.errors[name] = self.error_class(
                    [self._pot_error(f"{label} {error}") for error in self.errors[name]]
                )
        return data

    def is_empty(self) -> bool:
        data = self.cleaned_data
        return not any(
            data.get(name) not in (None, "", [], False)
            for name in ("label_nl", "label_en", "pot", "percent", "flat", "min", "max")
        ) and not any(
            data.get(f"bracket_percent_{i}") or data.get(f"bracket_from_{i}")
            for i in range(self.bracket_rows())
        )

    def pot_spec(self) -> dict:
        """The pot in the file format (after ``is_valid``)."""
        data = self.cleaned_data
        labels = {lang: data[f"label_{lang}"].strip() for lang in LANGUAGES}
        slug = (data.get("pot") or "").strip()
        if not slug:
            slug = _slug_from(labels["nl"] or labels["en"]) or f"pot_{self.number}"
        pot: dict = {"pot": slug}
        if data.get("percent") is not None:
            pot["percent"] = data["percent"]
        brackets = [
            {
                "from_cents": to_minor(data.get(f"bracket_from_{i}") or 0),
                "percent": data[f"bracket_percent_{i}"],
            }
            for i in range(self.bracket_rows())
            if data.get(f"bracket_percent_{i}") is not None
            or data.get(f"bracket_from_{i}") is not None
        ]
        if brackets:
            pot["brackets"] = brackets
        for name, key in (("flat", "flat_cents"), ("min", "min_cents")):
            if data.get(name):
                pot[key] = to_minor(data[name])
        if data.get("max") is not None:
            pot["max_cents"] = to_minor(data["max"])
        when: dict = {}
        if data.get("only_categories"):
            when["categories"] = list(data.get("categories") or [])
        if data.get("only_client_kinds"):
            when["client_kinds"] = list(data.get("client_kinds") or [])
        if when:
            pot["when"] = when
        if any(labels.values()):
            pot["label"] = {lang: name for lang, name in labels.items() if name}
        return pot


def _slug_from(name: str) -> str:
    slug = slugify(name).replace("-", "_")[:50]
    if slug and not slug[0].isalpha():
        slug = f"pot_{slug}"[:50]
    return slug


class BasePotFormSet(BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "number": (index or 0) + 1}


PotFormSet = formset_factory(
    PotForm, formset=BasePotFormSet, extra=0, max_num=MAX_POTS, absolute_max=MAX_POTS
)


class ExampleForm(forms.Form):
    """The example shift the preview splits."""

    gross = forms.DecimalField(
        label=gettext_lazy("The client pays (€, without VAT)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        initial=Decimal("72.00"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes worked"), min_value=1, max_value=24 * 60, initial=240
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Kind of work"), choices=CATEGORY_CHOICES, initial="greening"
    )
    client_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of client"), choices=Client.Kind.choices, initial="business"
    )
    month_before = forms.DecimalField(
        label=gettext_lazy("Earned earlier that month (€)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        initial=Decimal("0"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("Only matters for brackets."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Rule set file (.json)"), required=False)
    text = forms.CharField(
        label=gettext_lazy("Or paste the JSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > IMPORT_MAX_BYTES:
                raise forms.ValidationError(_("The file is too large for a rule set."))
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
        else:
            text = data.get("text") or ""
            if len(text.encode("utf-8")) > IMPORT_MAX_BYTES:
                raise forms.ValidationError(_("The JSON is too large for a rule set."))
        if not text.strip():
            raise forms.ValidationError(_("Choose a .json file or paste the JSON."))
        try:
            data["spec"] = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON (line %(line)s, column %(column)s).")
                % {"line": exc.lineno, "column": exc.colno}
            ) from exc
        except RecursionError as exc:  # "[[[[…" deeper than the parser goes
            raise forms.ValidationError(
                _("The JSON is nested too deeply to be a rule set.")
            ) from exc
        return data


# ---- between the file format and the form ---------------------------------------------------


def initial_from_spec(spec: dict) -> tuple[dict, list[dict]]:
    """A valid rule set as the form's and the pot rows' initial values."""
    floor = spec.get("member_floor_hourly_cents") or 0
    main = {"member_floor": from_minor(floor) if floor else None}
    rows = []
    for pot in spec.get("pots", []):
        label = pot.get("label") or {}
        when = pot.get("when") or {}
        row: dict = {
            "pot": pot["pot"],
            "label_nl": label.get("nl", ""),
            "label_en": label.get("en", ""),
            "percent": pot.get("percent", ""),
            "flat": from_minor(pot["flat_cents"]) if pot.get("flat_cents") else None,
            "min": from_minor(pot["min_cents"]) if pot.get("min_cents") else None,
            "max": from_minor(pot["max_cents"]) if pot.get("max_cents") is not None else None,
            "only_categories": "categories" in when,
            "categories": when.get("categories", []),
            "only_client_kinds": "client_kinds" in when,
            "client_kinds": when.get("client_kinds", []),
            "bracket_count": len(pot.get("brackets") or []),
        }
        for index, bracket in enumerate(pot.get("brackets") or []):
            row[f"bracket_from_{index}"] = from_minor(bracket["from_cents"])
            row[f"bracket_percent_{index}"] = bracket["percent"]
        rows.append(row)
    return main, rows


def not_shown(spec: dict) -> list[str]:
    """What of a valid rule set the form cannot show, each naming its pot: labels in other
    languages than Dutch and English, and a condition of ``{}`` (it matches all work, but
    keeps the pot out of the 100 per cent count). Proposing from the form leaves them out."""
    lost = []
    for number, pot in enumerate(spec.get("pots", []), start=1):
        others = sorted(set(pot.get("label") or {}) - set(LANGUAGES))
        if others:
            lost.append(
                _("Pot %(n)s: its names in %(languages)s are not in the form.")
                % {"n": number, "languages": ", ".join(others)}
            )
        if pot.get("when") == {}:
            lost.append(
                _("Pot %(n)s: its empty condition is not in the form; it applies to all work.")
                % {"n": number}
            )
    return lost


def spec_from_forms(form: RuleSetForm, pots, *, currency: str) -> dict:
    """The rule set in the file format, from valid forms (blank pot rows are left out)."""
    floor = form.cleaned_data.get("member_floor")
    return {
        "currency": currency,
        "member_floor_hourly_cents": to_minor(floor) if floor else 0,
        "pots": [f.pot_spec() for f in pots.forms if not f.is_empty()],
    }


def raw_rows(pots) -> list[dict]:
    """What was typed in each pot row, as initial values (to redraw the rows after adding
    or removing one without judging them yet)."""
    rows = []
    for f in pots.forms:
        row = {name: f[name].value() for name in f.fields}
        row["bracket_count"] = f.bracket_rows()
        rows.append(row)
    return rows


def raw_main(form: forms.Form) -> dict:
    return {name: form[name].value() for name in form.fields}


# ---- the engine's errors next to their fields -----------------------------------------------

_PATH_RE = re.compile(r"^(?:spec\.)?pots\[(\d+)\](?:\.(\w+))?(?:\[(\d+)\])?(?:\.(\w+))?")
_POT_FIELDS = {"flat_cents": "flat", "min_cents": "min", "max_cents": "max", "pot": "pot"}


def _pot_message(key: str | None, message: str) -> str:
    """The engine speaks English; the usual cases in the reader's language."""
    if key == "pot":
        if message.startswith("duplicate"):
            return _("another pot has the same short name.")
        if "reserved" in message:
            return _('the short name "member" is reserved for the member\'s share.')
        return _(
            "the short name must start with a lowercase letter and hold only lowercase "
            "letters, digits and _ (at most 50)."
        )
    if key == "percent":
        return _("the percentage must be between 0 and 100, with at most 4 decimals.")
    if key == "max_cents" and "min_cents" in message:
        return _("the most must be at least the least.")
    if key == "brackets":
        if "greater" in message:
            return _("each bracket must start above the one before.")
        if "must be 0" in message:
            return _("the first bracket starts at € 0.")
        return _("a bracket needs a starting amount and a percentage.")
    if message.startswith("unknown key"):
        return _('"%(key)s" is not a part of a pot %(allowed)s.') % {
            "key": key,
            "allowed": message.removeprefix("unknown key "),
        }
    if key is None and "both" in message:
        return _("give a percentage or brackets, not both.")
    return message


def _pot_target(form: PotForm, key: str | None, index: str | None, sub: str | None):
    if key in _POT_FIELDS:
        return _POT_FIELDS[key]
    if key == "percent":
        return "percent"
    if key == "label" and sub is None:
        return None
    if key == "when":
        return "categories"
    if key == "brackets" and index is not None:
        name = f"bracket_{'from' if sub == 'from_cents' else 'percent'}_{index}"
        return name if name in form.fields else None
    return None


def error_text(path: str, message: str) -> str:
    """A service error in words that name what it is about: "Pot 2: …", "Member floor: …"."""
    message = str(message).removeprefix(f"{path}: ")
    found = _PATH_RE.match(path or "")
    if found:
        return _("Pot %(n)s: %(message)s") % {
            "n": int(found.group(1)) + 1,
            "message": _pot_message(found.group(2), message),
        }
    if path in ("spec.pots", "pots") and "100" in message:
        return _too_much(message)
    if (path or "").endswith("member_floor_hourly_cents"):
        return _("Member floor: %(message)s") % {"message": message}
    return message


def error_lines(exc: ApplicationError) -> list[tuple[str, str]]:
    """Every error of ``exc`` as (its path, its text)."""
    details = exc.extra.get("details") or [{"field": exc.field, "message": exc.message}]
    return [
        (detail.get("field") or "", error_text(detail.get("field") or "", detail["message"]))
        for detail in details
    ]


def is_total_error(path: str) -> bool:
    """The rule set takes more than 100 per cent together (a warning while editing)."""
    return path in ("spec.pots", "pots")


def show_errors(form: RuleSetForm, pots, exc: ApplicationError) -> list[str]:
    """Put a service error next to its field (a pot's, the floor, the title…) and return
    every message, each naming what it is about."""
    kept = [f for f in pots.forms if f.is_valid() and not f.is_empty()]
    texts = []
    for path, text in error_lines(exc):
        texts.append(text)
        found = _PATH_RE.match(path)
        if found and int(found.group(1)) < len(kept):
            pot_form = kept[int(found.group(1))]
            target = _pot_target(pot_form, found.group(2), found.group(3), found.group(4))
            if target and target in pot_form.errors:
                continue
            pot_form.add_error(target, text)
            continue
        name = path.rsplit(".", 1)[-1]
        name = {
            "advance_limit_cents": "advance_limit",
            "member_floor_hourly_cents": "member_floor",
        }.get(name, name)
        form.add_error(name if name in form.fields else None, text)
    return texts


_TOTAL_RE = re.compile(r"take ([0-9.]+)%")


def _too_much(message: str) -> str:
    """The engine's "the pots without `when` take 105% together…" in the reader's words."""
    found = _TOTAL_RE.search(message)
    total = found.group(1).replace(".", ",") if found else "?"
    return _(
        "Together the pots without a condition take %(total)s of the gross; at most "
        "%(most)s is allowed."
    ) % {"total": f"{total} %", "most": "100 %"}
