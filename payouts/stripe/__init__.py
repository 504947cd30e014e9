"""Stripe, in one place: the cooperative's keys (``setup``), clients paying invoices by
Checkout (``checkout``), members' Connect accounts and payout transfers (``connect``),
webhooks (``webhooks``), and their pages (``views``) and API (``api``).

Everything goes through the official SDK with the cooperative's own keys; every request
that moves money carries an idempotency key. ``docs/money.md`` explains the flow."""
