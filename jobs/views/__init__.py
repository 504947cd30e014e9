"""The jobs app's pages, one module per resource (the API is in ``jobs/api``)."""
