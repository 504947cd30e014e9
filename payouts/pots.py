"""What a reader calls a pot: its name in the reader's language, never its slug.

The slugs of the founding rule set (and of the payout-rules examples) have names here,
in prose ("naar het coöperatiefonds") and as a label ("Coöperatiefonds"); any other pot
reads as its slug with spaces ("training fund")."""

from __future__ import annotations

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from werkstation.money import format_money

POTS = {
    "coop_fund": (_("the cooperative fund"), _("Cooperative fund")),
    "solidarity_fund": (_("the solidarity fund"), _("Solidarity fund")),
    "training_fund": (_("the training fund"), _("Training fund")),
    "progressive_fund": (_("the progressive fund"), _("Progressive fund")),
}


def pot_names(slugs) -> dict[str, str]:
    """Names in prose, by slug, in the active language (for ``rules.describe``)."""
    return {slug: str(POTS[slug][0]) if slug in POTS else slug.replace("_", " ") for slug in slugs}


def pot_label(slug: str) -> str:
    """The name as a label in the active language: "Coöperatiefonds"."""
    if slug in POTS:
        return str(POTS[slug][1])
    name = slug.replace("_", " ")
    return name[:1].upper() + name[1:]


def rule_pot_label(pot, language: str) -> str:
    """A rule set's pot (``rules.Pot``) as a label: the rule set's own label in ``language``
    when it has one, else ``pot_label``."""
    return dict(pot.label or ()).get(language) or pot_label(pot.slug)


def ledger_sentence(account, cents: int, client: str) -> str:
    """A ledger line of a member's split as a sentence in the active language:
    "Te ontvangen van Woonstichting Mitros: € 117,98"."""
    amount = format_money(abs(cents), language=get_language())
    kind = account.kind
    if kind == "receivable":
        return gettext("To receive from %(client)s: %(amount)s") % {
            "client": client,
            "amount": amount,
        }
    if kind == "fund":
        name = str(POTS[account.key][0]) if account.key in POTS else account.key.replace("_", " ")
        if cents > 0:
            return gettext("Advanced from %(pot)s: %(amount)s") % {"pot": name, "amount": amount}
        return gettext("To %(pot)s: %(amount)s") % {"pot": name, "amount": amount}
    sentences = {
        "vat": gettext("VAT to pay to the tax office: %(amount)s"),
        "earned": gettext("Earned by you, payable once the client pays: %(amount)s"),
        "payable": gettext("Payable to you: %(amount)s"),
        "advanced": gettext("Advanced to you until the client pays: %(amount)s"),
    }
    if kind in sentences:
        return sentences[kind] % {"amount": amount}
    return f"{account_label(account)}: {amount}"


def account_label(account) -> str:
    """A ledger account as a reader names it: the pot's name for a fund, else its kind
    ("member payable"), in the active language; the stored name is for the books."""
    if account.kind == "fund":
        return pot_label(account.key)
    label = account.get_kind_display()
    return str(label)[:1].upper() + str(label)[1:]
