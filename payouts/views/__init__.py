"""The payouts app's pages, one module per resource (the API is in ``payouts/api``)."""
