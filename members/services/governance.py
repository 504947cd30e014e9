"""Member governance: one member, one vote.

Design overview
---------------
* A registry of proposal kinds (``proposal_kind_register``): ``members`` knows the free
  motion; ``payouts`` registers payout rule sets and ``jobs`` the dispatch policy at app
  start, so this module never imports them. A kind validates its payload (a check that
  writes nothing), and says what happens when a proposal is made, opens, is adopted or
  rejected.
* The electorate is fixed when a proposal opens: the members active then (``Elector``
  rows). A member suspended or gone since cannot vote.
* One vote per elector, unique in the database; it may be changed until the window closes.
  A proxy holder casts the vote of the member who authorised them (for one proposal, or
  until revoked); no chains; a holder carries at most the cooperative's maximum; a member
  who votes in person overrides the proxy.
* Closing (beat): quorum is a share of the electorate, counting yes, no and abstain; the
  threshold is taken over yes ÷ (yes + no): more than half, or at least two thirds. A tie is
  never adopted. Every step writes an audit row; the tally can be reproduced from the
  stored votes (``proposal_tally``), and the auditor's recount (``proposal_recount``) runs
  once the vote has closed.
* A secret ballot: nobody but the voter sees an individual choice. While it is open only
  the turnout shows; counts come with the result. Its audit rows say that a vote was cast,
  not by whom. Whether a vote is secret is fixed once it opens (``Proposal.save`` and a
  PostgreSQL trigger refuse the change too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.access import has_role, require_role
from members.audit_actions import PROPOSAL_OUTCOME, MemberAction
from members.lifecycle import PROPOSAL
from members.models import (
    Cooperative,
    Cosigner,
    Elector,
    Membership,
    Proposal,
    Proxy,
    SimulationView,
    User,
    Vote,
)
from werkstation.audit import audit_record
from werkstation.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from werkstation.locks import lock_first, lock_get, lock_where
from werkstation.notify import email_user_on_commit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from django_stubs_ext import StrOrPromise

P = Proposal.Status


@dataclass(frozen=True)
class ProposalKind:
    name: str
    label: object
    majority: str = Proposal.Majority.SIMPLE
    needs_simulation: bool = False
    # (cooperative, payload, actor) -> the clean payload. Checks only: it writes nothing.
    validate: Callable[..., dict[str, Any]] = field(
        default=lambda *, cooperative, payload, actor: payload
    )
    # (cooperative, payload, actor) -> the payload to store. What making a proposal of this
    # kind writes besides the proposal (the payout-rules kind drafts its rule set); runs in
    # ``proposal_create``'s transaction, after ``validate``.
    on_create: Callable[..., dict[str, Any]] = field(
        default=lambda *, cooperative, payload, actor: payload
    )
    on_open: Callable[..., None] = field(default=lambda proposal: None)
    on_adopt: Callable[..., None] = field(default=lambda proposal: None)
    on_reject: Callable[..., None] = field(default=lambda proposal: None)
    simulate: Callable[..., dict[str, Any]] | None = (
        None  # (proposal, user) -> what it would mean for them
    )
    describe: Callable[..., list[str]] | None = (
        None  # (proposal, language) -> the payload in plain words
    )


_KINDS: dict[str, ProposalKind] = {}


def proposal_kind_register(kind: ProposalKind) -> None:
    _KINDS[kind.name] = kind


def proposal_kinds() -> dict[str, ProposalKind]:
    return dict(_KINDS)


proposal_kind_register(ProposalKind(name="motion", label=gettext_lazy("free motion")))


def _kind(name: str) -> ProposalKind:
    if name not in _KINDS:
        raise ValidationFailed(_("Unknown kind of proposal."), code="unknown_kind", field="kind")
    return _KINDS[name]


@transaction.atomic
def proposal_create(
    *,
    actor: User,
    cooperative: Cooperative,
    kind: str,
    title: str,
    body: str = "",
    payload: dict[str, Any] | None = None,
    secret: bool = False,
    require_simulation: bool = False,
) -> Proposal:
    require_role(actor, cooperative, "member")
    definition = _kind(kind)
    if not (title or "").strip():
        raise ValidationFailed(_("Give the proposal a title."), code="required", field="title")
    payload = definition.validate(cooperative=cooperative, payload=payload or {}, actor=actor)
    payload = definition.on_create(cooperative=cooperative, payload=payload, actor=actor)
    proposal = Proposal.objects.create(
        cooperative=cooperative,
        kind=kind,
        title=title.strip()[:200],
        body=body,
        payload=payload,
        proposer=actor,
        majority=definition.majority,
        secret=secret,
        require_simulation=require_simulation and definition.needs_simulation,
    )
    audit_record(
        actor=actor,
        action=MemberAction.PROPOSAL_DRAFTED,
        target=proposal,
        cooperative_id=cooperative.pk,
        data={"kind": kind},
    )
    return proposal


@transaction.atomic
def proposal_cosign(*, actor: User, proposal: Proposal) -> Proposal:
    require_role(actor, proposal.cooperative_id, "member")
    if proposal.status != P.DRAFT:
        raise Conflict(_("Only a draft can be co-signed."), code="invalid_state", field="status")
    if actor.pk == proposal.proposer_id:
        raise Conflict(
            _("The proposer does not co-sign their own proposal."),
            code="own_proposal",
            field="proposal",
        )
    Cosigner.objects.get_or_create(proposal=proposal, user=actor)
    audit_record(
        actor=actor,
        action=MemberAction.PROPOSAL_COSIGNED,
        target=proposal,
        cooperative_id=proposal.cooperative_id,
    )
    return proposal


@transaction.atomic
def proposal_open(*, actor: User, proposal: Proposal, voting_days: int | None = None) -> Proposal:
    """Table a draft: the board may; the proposer may once enough members co-signed."""
    proposal = lock_get("members.Proposal", proposal.pk, select_related=("cooperative",))
    cooperative = proposal.cooperative
    PROPOSAL.check(
        proposal,
        P.OPEN,
        message=_("Only a draft can be opened for voting."),
        code="invalid_state",
    )
    if not has_role(actor, cooperative, "board"):
        if actor.pk != proposal.proposer_id:
            raise PermissionDenied(
                _("The board or the proposer tables a proposal."), code="role_required"
            )
        if proposal.cosigners.count() < cooperative.cosigners_required:
            raise Conflict(
                _("A member's proposal needs %(n)s co-signers first.")
                % {"n": cooperative.cosigners_required},
                code="cosigners_required",
                field="cosigners",
            )
    days = voting_days or cooperative.voting_days
    if not 1 <= days <= 90:
        raise ValidationFailed(_("A vote lasts 1 to 90 days."), field="voting_days")
    electorate = list(
        Membership.objects.filter(cooperative=cooperative, status="active").values_list(
            "user_id", flat=True
        )
    )
    Elector.objects.bulk_create(
        [Elector(proposal=proposal, user_id=user_id) for user_id in electorate]
    )
    now = timezone.now()
    proposal.closes_at = now + timedelta(days=days)
    proposal.quorum_percent, proposal.electorate_size = cooperative.quorum_percent, len(electorate)
    PROPOSAL.transition(
        proposal,
        P.OPEN,
        by=actor,
        at=now,
        extra_update_fields=["closes_at", "quorum_percent", "electorate_size"],
    )
    _kind(proposal.kind).on_open(proposal)
    audit_record(
        actor=actor,
        action=MemberAction.PROPOSAL_OPENED,
        target=proposal,
        cooperative_id=cooperative.pk,
        data={"electorate": len(electorate), "closes_at": proposal.closes_at.isoformat()},
    )
    _notify_electorate(
        proposal, subject=gettext_lazy("A proposal is open for your vote"), event="opened"
    )
    return proposal


DRAFT_EDITABLE = {"title", "body", "secret", "require_simulation"}


@transaction.atomic
def proposal_update(*, actor: User, proposal: Proposal, **fields: Any) -> Proposal:
    """Change a draft (the proposer or the board). Once a vote opens it is what was voted
    on, and whether it is secret cannot change."""
    proposal = lock_get("members.Proposal", proposal.pk)
    if actor.pk != proposal.proposer_id:
        require_role(actor, proposal.cooperative_id, "board")
    unknown = set(fields) - DRAFT_EDITABLE
    if unknown:
        raise ValidationFailed(_("This field cannot be changed here."), field=sorted(unknown)[0])
    if proposal.status != P.DRAFT:
        if "secret" in fields and bool(fields["secret"]) != proposal.secret:
            raise Conflict(
                _("Whether a vote is secret is fixed once it opens."),
                code="secret_locked",
                field="secret",
            )
        raise Conflict(_("Only a draft can be changed."), code="invalid_state", field="status")
    if "title" in fields:
        if not (fields["title"] or "").strip():
            raise ValidationFailed(_("Give the proposal a title."), code="required", field="title")
        fields["title"] = fields["title"].strip()[:200]
    if "require_simulation" in fields:
        fields["require_simulation"] = (
            bool(fields["require_simulation"]) and _kind(proposal.kind).needs_simulation
        )
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=sorted(fields))
    audit_record(
        actor=actor,
        action=MemberAction.PROPOSAL_CHANGED,
        target=proposal,
        cooperative_id=proposal.cooperative_id,
        data={"fields": sorted(fields)},
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: User, proposal: Proposal) -> Proposal:
    if actor.pk != proposal.proposer_id and not has_role(actor, proposal.cooperative_id, "board"):
        raise PermissionDenied(
            _("The proposer or the board withdraws a proposal."), code="role_required"
        )
    PROPOSAL.transition(
        proposal,
        P.WITHDRAWN,
        by=actor,
        message=_("Only a draft can be withdrawn."),
        code="invalid_state",
        audit_action=MemberAction.PROPOSAL_WITHDRAWN,
    )
    return proposal


def _active_proxy(*, grantor_id: int, holder: User, proposal: Proposal) -> Proxy | None:
    return (
        Proxy.objects.filter(
            grantor_id=grantor_id,
            holder=holder,
            cooperative_id=proposal.cooperative_id,
            revoked_at__isnull=True,
        )
        .filter(proposal__in=[proposal])
        .first()
        or Proxy.objects.filter(
            grantor_id=grantor_id,
            holder=holder,
            cooperative_id=proposal.cooperative_id,
            revoked_at__isnull=True,
            proposal__isnull=True,
        ).first()
    )


@transaction.atomic
def vote_cast(
    *, actor: User, proposal: Proposal, choice: str, on_behalf_of: User | None = None
) -> Vote:
    proposal = lock_get("members.Proposal", proposal.pk)
    voter = on_behalf_of or actor
    if choice not in Vote.Choice.values:
        raise ValidationFailed(_("Vote yes, no or abstain."), field="choice")
    now = timezone.now()
    if proposal.status != P.OPEN or not (
        proposal.opens_at is not None
        and proposal.closes_at is not None
        and proposal.opens_at <= now < proposal.closes_at
    ):
        raise Conflict(
            _("Voting on this proposal is not open."), code="voting_closed", field="proposal"
        )
    if not Elector.objects.filter(proposal=proposal, user=voter).exists():
        raise PermissionDenied(
            _("Only the members of the cooperative when the vote opened can vote."),
            code="not_an_elector",
        )
    if not has_role(voter, proposal.cooperative_id, "member"):
        raise PermissionDenied(_("A suspended or former member cannot vote."), code="not_active")
    if voter.pk != actor.pk:
        if not has_role(actor, proposal.cooperative_id, "member"):
            raise PermissionDenied(_("Only an active member can hold a proxy."), code="not_active")
        if _active_proxy(grantor_id=voter.pk, holder=actor, proposal=proposal) is None:
            raise PermissionDenied(
                _("You hold no proxy of this member for this vote."), code="no_proxy"
            )
        existing = Vote.objects.filter(proposal=proposal, voter=voter).first()
        if existing is not None and existing.cast_by_id == voter.pk:
            raise Conflict(
                _("This member voted in person; that vote stands."),
                code="voted_in_person",
                field="voter",
            )
    if (
        proposal.require_simulation
        and not SimulationView.objects.filter(proposal=proposal, user=actor).exists()
    ):
        raise PermissionDenied(
            _("Open the simulation of what this proposal means for you before you vote."),
            code="simulation_required",
        )
    try:
        with transaction.atomic():
            vote, _created = Vote.objects.update_or_create(
                proposal=proposal, voter=voter, defaults={"choice": choice, "cast_by": actor}
            )
    except IntegrityError as exc:  # two requests raced to create the first vote
        raise Conflict(
            _("Your vote was just recorded; try again to change it."), code="concurrent_vote"
        ) from exc
    if proposal.secret:  # that a vote was cast, never by whom
        audit_record(
            actor=None,
            action=MemberAction.VOTE_CAST,
            target=proposal,
            cooperative_id=proposal.cooperative_id,
            data={"secret": True},
        )
    else:
        audit_record(
            actor=actor,
            action=MemberAction.VOTE_CAST,
            target=proposal,
            cooperative_id=proposal.cooperative_id,
            data={"by_proxy": voter.pk != actor.pk, "voter": voter.pk},
        )
    return vote


@transaction.atomic
def proxy_grant(
    *, grantor: User, holder: User, cooperative: Cooperative, proposal: Proposal | None = None
) -> Proxy:
    if grantor.pk == holder.pk:
        raise ValidationFailed(
            _("You cannot give a proxy to yourself."), code="self_proxy", field="holder"
        )
    require_role(grantor, cooperative, "member")
    if not has_role(holder, cooperative, "member"):
        raise ValidationFailed(
            _("A proxy goes to an active member of the same cooperative."),
            code="not_a_member",
            field="holder",
        )
    if proposal is not None and proposal.cooperative_id != cooperative.pk:
        raise ValidationFailed(_("This proposal belongs to another cooperative."), field="proposal")
    # No chains: a member who gave their vote away does not carry others', and the other way round.
    if Proxy.objects.filter(
        cooperative=cooperative, grantor=holder, revoked_at__isnull=True
    ).exists():
        raise Conflict(
            _("This member gave their own vote to someone else; proxies do not chain."),
            code="proxy_chain",
            field="holder",
        )
    if Proxy.objects.filter(
        cooperative=cooperative, holder=grantor, revoked_at__isnull=True
    ).exists():
        raise Conflict(
            _("You carry other members' votes; proxies do not chain."),
            code="proxy_chain",
            field="holder",
        )
    lock_first(Membership.objects.filter(user=holder, cooperative=cooperative))
    held = Proxy.objects.filter(
        cooperative=cooperative, holder=holder, revoked_at__isnull=True
    ).count()
    if held >= cooperative.max_proxies_per_member:
        raise Conflict(
            _("This member already carries %(n)s proxies, the most the cooperative allows.")
            % {"n": held},
            code="proxy_limit",
            field="holder",
        )
    Proxy.objects.filter(
        cooperative=cooperative, grantor=grantor, proposal=proposal, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    proxy = Proxy.objects.create(
        cooperative=cooperative, grantor=grantor, holder=holder, proposal=proposal
    )
    audit_record(
        actor=grantor,
        action=MemberAction.PROXY_GRANTED,
        target=proxy,
        cooperative_id=cooperative.pk,
    )
    return proxy


@transaction.atomic
def proxy_revoke(*, grantor: User, proxy_id: int) -> None:
    updated = Proxy.objects.filter(pk=proxy_id, grantor=grantor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound(_("Proxy not found."), field="proxy")
    audit_record(actor=grantor, action=MemberAction.PROXY_REVOKED, data={"proxy": proxy_id})


def proposal_simulation(*, user: User, proposal: Proposal) -> dict[str, Any]:
    """What the proposal would have meant for this member; opening it is recorded."""
    require_role(user, proposal.cooperative_id, "member")
    kind = _kind(proposal.kind)
    if kind.simulate is None:
        raise NotFound(_("This kind of proposal has no simulation."), field="proposal")
    simulation_viewed(user=user, proposal=proposal)
    return kind.simulate(proposal, user)


def simulation_viewed(*, user: User, proposal: Proposal) -> None:
    SimulationView.objects.get_or_create(proposal=proposal, user=user)


@dataclass(frozen=True)
class Tally:
    electorate: int
    yes: int
    no: int
    abstain: int
    quorum_needed: int

    @property
    def turnout(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def quorum_met(self) -> bool:
        return self.turnout >= self.quorum_needed


def proposal_tally(proposal: Proposal, *, votes: Iterable[Vote] | None = None) -> Tally:
    """Reproducible from the stored votes: what an auditor recounts. ``votes``, when
    given, are the proposal's votes already loaded (a page of proposals prefetches them)."""
    counts = dict.fromkeys(Vote.Choice.values, 0)
    choices = (
        [v.choice for v in votes]
        if votes is not None
        else Vote.objects.filter(proposal=proposal).values_list("choice", flat=True)
    )
    for choice in choices:
        counts[choice] += 1
    return Tally(
        electorate=proposal.electorate_size,
        yes=counts["yes"],
        no=counts["no"],
        abstain=counts["abstain"],
        quorum_needed=math.ceil(proposal.electorate_size * proposal.quorum_percent / 100),
    )


CLOSED = (P.ADOPTED, P.REJECTED, P.FAILED_QUORUM)


def voting_over(proposal: Proposal, *, now: datetime | None = None) -> bool:
    """The clock closes a vote at ``closes_at``, whether or not beat counted it yet."""
    now = now or timezone.now()
    return (
        proposal.status == P.OPEN and proposal.closes_at is not None and proposal.closes_at <= now
    )


def outcome_of(tally: Tally, majority: str) -> str:
    if not tally.quorum_met:
        return P.FAILED_QUORUM
    return P.ADOPTED if is_adopted(tally, majority) else P.REJECTED


def proposal_as_of_now(
    proposal: Proposal, *, votes: Iterable[Vote] | None = None, now: datetime | None = None
) -> Proposal:
    """For reading: ``proposal`` with the status and result the clock decides.

    Votes cannot change after ``closes_at``, so an open vote past it has its outcome
    already; readers see it at once, while beat (``proposal_close``) stores it and does
    what follows (the kind's adoption, the e-mails). The instance is changed in memory
    only: never save it.
    """
    if voting_over(proposal, now=now):
        tally = proposal_tally(proposal, votes=votes)
        proposal.status = outcome_of(tally, proposal.majority)
        proposal.result = {**_result_of(tally), **(proposal.result or {})}
    return proposal


def proposal_recount(*, actor: User, proposal: Proposal) -> Tally:
    """The auditor recounts from the stored votes, once the vote has closed (counts of an
    open vote would tell how the vote is going, and of a secret one, who voted what)."""
    require_role(actor, proposal.cooperative_id, "auditor")
    if proposal.status not in CLOSED and not voting_over(proposal):
        raise Conflict(
            _("The recount runs once the vote has closed."), code="still_open", field="status"
        )
    tally = proposal_tally(proposal)
    audit_record(
        actor=actor,
        action=MemberAction.PROPOSAL_RECOUNTED,
        target=proposal,
        cooperative_id=proposal.cooperative_id,
        data={
            "matches": _result_of(tally) == {k: proposal.result.get(k) for k in _result_of(tally)}
        },
    )
    return tally


def _result_of(tally: Tally) -> dict[str, Any]:
    return {
        "yes": tally.yes,
        "no": tally.no,
        "abstain": tally.abstain,
        "turnout": tally.turnout,
        "electorate": tally.electorate,
        "quorum_needed": tally.quorum_needed,
    }


def is_adopted(tally: Tally, majority: str) -> bool:
    decided = tally.yes + tally.no
    if decided == 0:
        return False
    if majority == Proposal.Majority.TWO_THIRDS:
        return 3 * tally.yes >= 2 * decided and tally.yes > tally.no
    return 2 * tally.yes > decided  # more than half; a tie is not adopted


@transaction.atomic
def proposal_close(*, proposal: Proposal, now: datetime | None = None) -> Proposal:
    now = now or timezone.now()
    proposal = lock_get("members.Proposal", proposal.pk)
    if proposal.status != P.OPEN:
        return proposal
    assert proposal.closes_at is not None  # an open proposal has its window
    if now < proposal.closes_at:
        raise Conflict(_("Voting is still open."), code="still_open", field="closes_at")
    tally = proposal_tally(proposal)
    proposal.result = _result_of(tally)
    PROPOSAL.transition(
        proposal, outcome_of(tally, proposal.majority), by=None, extra_update_fields=["result"]
    )
    kind = _kind(proposal.kind)
    (kind.on_adopt if proposal.status == P.ADOPTED else kind.on_reject)(proposal)
    audit_record(
        actor=None,
        action=PROPOSAL_OUTCOME[proposal.status],
        target=proposal,
        cooperative_id=proposal.cooperative_id,
        data=proposal.result,
    )
    _notify_electorate(proposal, subject=gettext_lazy("The result of a vote"), event="result")
    return proposal


def proposals_close_due(*, now: datetime | None = None) -> int:
    """Beat: store the outcome the clock already shows (``proposal_as_of_now``) and do what
    follows it. Idempotent: a proposal closed already is left as it is."""
    now = now or timezone.now()
    closed = 0
    for proposal in Proposal.objects.filter(status=P.OPEN, closes_at__lte=now):
        proposal_close(proposal=proposal, now=now)
        closed += 1
    return closed


@transaction.atomic
def proposals_remind(*, now: datetime | None = None) -> int:
    """Members who have not voted hear 24 hours before the vote closes (once)."""
    now = now or timezone.now()
    due = cast(
        "list[Proposal]",
        lock_where(
            Proposal.objects.filter(
                status=P.OPEN,
                closes_at__gt=now,
                closes_at__lte=now + timedelta(hours=24),
                reminded_at__isnull=True,
            )
        ),
    )
    count = 0
    for proposal in due:
        voted = set(Vote.objects.filter(proposal=proposal).values_list("voter_id", flat=True))
        _notify_electorate(
            proposal,
            subject=gettext_lazy("Voting closes within 24 hours"),
            event="reminder",
            skip=voted,
        )
        proposal.reminded_at = now
        proposal.save(update_fields=["reminded_at"])
        count += 1
    return count


def _notify_electorate(
    proposal: Proposal,
    *,
    subject: StrOrPromise,
    event: str,
    skip: set[int] | frozenset[int] = frozenset(),
) -> None:
    for user in User.objects.filter(
        pk__in=Elector.objects.filter(proposal=proposal).values("user_id")
    ).exclude(pk__in=skip):
        pref = getattr(user, "notification_preference", None)
        if pref is not None and not pref.governance_updates:
            continue
        email_user_on_commit(
            to=user.email,
            language=user.preferred_language,
            subject=subject,
            template="members/email/proposal.txt",
            context={"proposal": proposal, "event": event},
        )
