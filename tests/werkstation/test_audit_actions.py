"""Audit actions are members of the apps' enums, registered with the kernel."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from jobs.audit_actions import JobAction
from jobs.challenges.audit_actions import ChallengeAction
from members.audit_actions import MemberAction, approval_action, invitation_action
from payouts.audit_actions import PayoutAction
from werkstation.audit import (
    UnregisteredAuditAction,
    audit_action,
    audit_record,
    registered_audit_actions,
)
from werkstation.audit_actions import KernelAction

ROOT = Path(__file__).resolve().parents[2]


def test_every_enum_is_registered_and_no_value_twice():
    registered = registered_audit_actions()
    values = [
        m.value
        for e in (MemberAction, JobAction, ChallengeAction, PayoutAction, KernelAction)
        for m in e
    ]
    assert len(values) == len(set(values))
    assert set(values) <= set(registered)


def test_stored_values_stay_what_they_were():
    assert MemberAction.MEMBERSHIP_ADMITTED == "membership.admitted"
    assert JobAction.TIMESHEET_AUTO_APPROVED == "timesheet.auto_approved"
    assert ChallengeAction.TENDER_NOT_AWARDED == "tender.not_awarded"
    assert PayoutAction.RULESET_ADOPTED == "ruleset.adopted"
    assert KernelAction.LEGAL_PARAMETER_ADDED == "legal_parameter.added"


def test_the_actions_of_registered_kinds_are_listed():
    for kind in ("role_grant", "cooperative_g_account", "cooperative_bank", "stripe_keys"):
        for step in ("requested", "approved", "rejected", "cancelled"):
            assert approval_action(kind, step) == f"approval.{kind}.{step}"
    for kind in ("board", "client_user"):
        for step in ("sent", "accepted"):
            assert invitation_action(kind, step) == f"invitation.{kind}.{step}"
    with pytest.raises(UnregisteredAuditAction):
        audit_action("approval.unknown.requested")


@pytest.mark.django_db
def test_an_unregistered_action_is_refused_under_the_test_settings():
    with pytest.raises(UnregisteredAuditAction):
        audit_record(actor=None, action="membership.admitted")  # a plain string


def _literal(node: ast.AST) -> bool:
    if isinstance(node, ast.IfExp):
        return _literal(node.body) or _literal(node.orelse)
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def test_no_audit_record_call_names_its_action_as_a_string():
    """The action is an enum member (or looked up from one), never a literal."""
    offenders = []
    for app in ("members", "jobs", "payouts", "werkstation"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                    "audit_record",
                    "security_notice",
                ):
                    for keyword in node.keywords:
                        if keyword.arg in ("action", "event") and _literal(keyword.value):
                            offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders
