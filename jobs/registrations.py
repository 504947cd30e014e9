"""What ``jobs`` registers with lower layers at app start."""

from django.utils.translation import gettext_lazy

from members.services.governance import ProposalKind, proposal_kind_register
from members.services.invitations import invitation_kind_register
from members.services.privacy import person_reference_register, personal_data_register

from . import navigation  # noqa: F401  (the menu: clients, hours waiting)
from .services import privacy
from .services.clients import CLIENT_INVITATION_SUBJECT, accept_client_invitation
from .services.dispatch_policies import dispatch_policy_adopt, dispatch_policy_validate

invitation_kind_register(
    name="client_user", subject=CLIENT_INVITATION_SUBJECT, accept=accept_client_invitation
)
personal_data_register(
    name="work",
    fields=(
        "jobs.Claim.user",
        "jobs.Offer.user",
        "jobs.CalendarFeed.user",
        "jobs.BlockedClient.user",
    ),
    export=privacy.export_work,
    erase=privacy.erase_work,
    keeps="past claims and timesheets, which the books were settled from",
)
personal_data_register(
    name="client_roles",
    fields=("jobs.ClientUser.user",),
    export=privacy.export_client_roles,
    erase=privacy.erase_client_roles,
)
person_reference_register(
    "jobs.Client.created_by",
    "jobs.Client.verified_by",
    "jobs.ClientLinkRequest.created_by",
    "jobs.ClientLinkRequest.decided_by",
    "jobs.Job.created_by",
    "jobs.Timesheet.decided_by",
    "jobs.DispatchRun.requested_by",
    "jobs.ClientCooperative.g_account_set_by",
    reason="who acted for a client or a cooperative; the erased person's own row names nobody",
)

# Outbox handlers are registered when the tasks module loads; load it at app start so
# every process (web, worker, beat, tests) knows them. (The beat schedule is
# werkstation/beat.py.)
from . import tasks  # noqa: E402,F401

proposal_kind_register(
    ProposalKind(
        name="dispatch_policy",
        label=gettext_lazy("dispatch policy"),
        validate=dispatch_policy_validate,
        on_adopt=lambda proposal: dispatch_policy_adopt(
            cooperative_id=proposal.cooperative_id, proposal_id=proposal.pk, **proposal.payload
        ),
    )
)
