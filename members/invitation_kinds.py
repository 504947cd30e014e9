from .services.invitations import BOARD_SUBJECT, invitation_kind_register
from .services.memberships import accept_board_invitation

invitation_kind_register(name="board", subject=BOARD_SUBJECT, accept=accept_board_invitation)
