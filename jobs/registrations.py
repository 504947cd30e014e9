"""What ``jobs`` registers with lower layers at app start."""

from django.utils.translation import gettext_lazy

from members.services.governance import ProposalKind, proposal_kind_register
from members.services.invitations import invitation_kind_register
from members.services.privacy import personal_data_exporter_register

from .services.clients import CLIENT_INVITATION_SUBJECT, accept_client_invitation


def _export_client_roles(user):
    from .models import ClientUser

    return [
        {"client": cu.client.name, "role": cu.role, "since": cu.created_at.isoformat()}
        for cu in ClientUser.objects.filter(user=user).select_related("client")
    ]


invitation_kind_register(
    name="client_user", subject=CLIENT_INVITATION_SUBJECT, accept=accept_client_invitation
)
personal_data_exporter_register("client_roles", _export_client_roles)

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
        cooperative_id=proposal.cooperative_id, version=version, adopted=True, effective_from=timezone.localdate(),
        **proposal.payload,
    )  # fmt: skip


proposal_kind_register(
    ProposalKind(
        name="dispatch_policy",
        label=gettext_lazy("dispatch policy"),
        validate=_validate_policy,
        on_adopt=_adopt_policy,
    )
)
