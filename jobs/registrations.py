"""What ``jobs`` registers with lower layers at app start."""

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
