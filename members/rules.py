"""Object permissions (django-rules). The object is a Cooperative."""

import rules

from .access import has_role


@rules.predicate
def is_member(user, cooperative):
    return cooperative is not None and has_role(user, cooperative, "member")


@rules.predicate
def is_board(user, cooperative):
    return cooperative is not None and has_role(user, cooperative, "board")


@rules.predicate
def is_treasurer(user, cooperative):
    return cooperative is not None and has_role(user, cooperative, "treasurer")


@rules.predicate
def is_auditor(user, cooperative):
    return cooperative is not None and has_role(user, cooperative, "auditor")


rules.add_perm("members.view_cooperative_members", is_member)
rules.add_perm("members.admit_membership", is_board)
rules.add_perm("members.change_cooperative", is_board)
rules.add_perm("members.view_sensitive", is_treasurer)
rules.add_perm("members.view_books", is_treasurer | is_auditor | is_board)
