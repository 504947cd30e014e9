"""The double-entry ledger.

Design overview
---------------
* Accounts belong to a cooperative: bank and Stripe balance, a receivable per client,
  what each member has earned and what is payable to them, VAT payable, one fund per
  pot, fees, and what the cooperative fund has advanced to members before the client paid.
  An account is identified by (cooperative, kind, key).
* A transaction is a set of entries (legs) whose signed amounts, in cents, sum to zero:
  debit positive, credit negative. The service checks it; on PostgreSQL the database
  checks it again at commit (migration 0001: a statement trigger notes the transactions a
  statement left unbalanced, and a deferred constraint trigger checks those at commit).
* No leg is zero (a check constraint): a posting's zero legs are left out.
* Append-only: nothing is updated or deleted; a correction is a reversing transaction.
  Balances are derived: the sum of an account's entries.
* ``Transaction.reference`` is unique, so posting the same business event twice (a
  retried task, a replayed webhook) has one effect.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    class Kind(models.TextChoices):
        BANK = "bank", _("bank")
        STRIPE = "stripe", _("Stripe balance")
        RECEIVABLE = "receivable", _("client receivable")
        EARNED = "earned", _("member earned, awaiting the client's payment")
        PAYABLE = "payable", _("member payable")
        # Wages of payroll work: paid through the payroll provider, never to the member's bank.
        WAGES = "wages", _("member wages payable through the payroll provider")
        PAYROLL = "payroll", _("payroll provider payable")
        VAT = "vat", _("VAT payable")
        # VAT on self-billing invoices of VAT-registered members: reclaimed from the tax office.
        INPUT_VAT = "input_vat", _("VAT to reclaim (input VAT)")
        FUND = "fund", _("fund")
        FEES = "fees", _("fees")
        CREDITS = "credits", _("credit notes (the cooperative's cost)")
        ADVANCED = "advanced", _("advanced from the fund, awaiting the client's payment")
        G_ACCOUNT = "g_account", _("G-account (pays wage tax and VAT only)")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="accounts"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=60, blank=True, help_text="client id, member id or pot slug")
    name = models.CharField(max_length=150)

    class Meta:
        ordering = ["cooperative", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "kind", "key"], name="account_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Transaction(models.Model):
    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="transactions"
    )
    kind = models.CharField(max_length=30)
    reference = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.reference


class Entry(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    # No index of its own: the (account, transaction) index below serves every lookup by account.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    amount_cents = models.BigIntegerField(help_text="debit positive, credit negative")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "transaction"])]
        constraints = [
            # A leg of zero moves nothing and only blurs the books: ``write_postings``
            # leaves such legs out, and the database refuses them.
            models.CheckConstraint(condition=~models.Q(amount_cents=0), name="entry_not_zero")
        ]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.account}: {self.amount_cents}"
