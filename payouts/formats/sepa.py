"""SEPA credit transfers out (pain.001.001.09), built with sepaxml and validated against
its XSD, and the end-to-end id each transfer carries (the bank statement gives it back,
``payouts.formats.camt``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from sepaxml import SepaTransfer

from payouts.models import PayoutBatch, PayoutItem
from werkstation.errors import ValidationFailed


def sepa_credit_transfer(batch: PayoutBatch) -> str:
    """pain.001.001.09 for the SEPA items booked for the bank, validated against the XSD."""
    items = list(
        batch.items.filter(method=PayoutItem.Method.SEPA, status=PayoutItem.Status.SENT).order_by(
            "pk"
        )
    )
    if not items:
        return ""
    cooperative = batch.cooperative
    # The account in force now: a newly approved one only after its hold.
    iban, bic = cooperative.bank_account()
    if not iban:
        raise ValidationFailed(
            _("Set the cooperative's IBAN before paying out by SEPA."), field="iban"
        )
    transfer = SepaTransfer(
        {
            "name": cooperative.legal_name[:70],
            "IBAN": iban,
            "BIC": bic or "NOTPROVIDED",
            "batch": True,
            "currency": cooperative.currency,
        },
        schema="pain.001.001.09",
    )
    for item in items:
        transfer.add_payment(
            {
                "name": item.account_holder[:70] or "Member",
                "IBAN": item.iban,
                "amount": item.amount_cents,
                "execution_date": batch.execution_date,
                "description": f"Werkstation uitbetaling {batch.pk}",
                "endtoend_id": sepa_end_to_end_id(item),
            }
        )
    document: bytes = transfer.export(validate=True)
    return document.decode()


def sepa_end_to_end_id(item: PayoutItem) -> str:
    """The id the SEPA file gives the transfer, and the bank statement gives back."""
    return item.idempotency_key[:35]
