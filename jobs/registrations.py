"""What ``jobs`` registers with lower layers at app start."""

from django.utils.translation import gettext_lazy

from members.services.governance import ProposalKind, proposal_kind_register
from members.services.invitations import invitation_kind_register
from members.services.privacy import person_reference_register, personal_data_register

from .services import privacy
from .services.clients import CLIENT_INVITATION_SUBJECT, accept_client_invitation

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
    reason="who acted for a client or a cooperative; the erased person's own row names nobody",
)

# Outbox handlers and the beat schedule are registered when the tasks module loads;
# load it at app start so every process (web, worker, beat, tests) knows them.
from . import tasks  # noqa: E402,F401


def _validate_policy(*, cooperative, payload: dict, actor) -> dict:
    from django.utils.translation import gettext as _

    from werkstation.errors import ValidationFailed

    clean = {}
    for name in ("km_cost_cents", "shortfall_cents_per_minute"):
        value = payload.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
            raise ValidationFailed(
                _("Give a whole number of cents from 0 to 10000."), field=f"payload.{name}"
            )
        clean[name] = value
    return clean


def _adopt_policy(proposal) -> None:
    from django.db.models import Max
    from django.utils import timezone

    from .models import DispatchPolicy

    version = (
        DispatchPolicy.objects.filter(cooperative_id=proposal.cooperative_id).aggregate(
            v=Max("version")
        )["v"]
        or 0
    ) + 1
    DispatchPolicy.objects.create(
        cooperative_id=proposal.cooperative_id,
        version=version,
        adopted=True,
        effective_from=timezone.localdate(),
        **proposal.payload,
    )


proposal_kind_register(
    ProposalKind(
        name="dispatch_policy",
        label=gettext_lazy("dispatch policy"),
        validate=_validate_policy,
        on_adopt=_adopt_policy,
    )
)
