"""The members app's pages, one module per resource (the API is in ``members/api``)."""
