"""Right to challenge (uitdaagrecht): tenders, challenges, bids, contracts and their reports.

A Django app of its own (label ``challenges``) inside ``jobs``: it builds on clients,
jobs, shifts and the dispatcher, and registers a shift guard with ``jobs`` so a
contract's budget and period hold for every shift of its jobs.
"""
