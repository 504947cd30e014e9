"""The files the cooperative exchanges with banks, clients and the tax office: CAMT.053
statements in (``camt``), SEPA credit transfers (``sepa``) and payroll lists (``payroll``)
out, UBL e-invoices (``ubl``) and the PDF documents (``documents``). Pure builders and
readers: what they mean for the books is in ``payouts/services``."""
