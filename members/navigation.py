"""What ``members`` adds to the menu (``werkstation/navigation.py``): the user's
memberships and roles, and the Wtta warnings of the boards they sit on."""

from werkstation.navigation import navigation_register

from .selectors import memberships_of
from .services.registrations import wtta_warning, wtta_warning_text


def member_navigation(user) -> dict:
    memberships = [
        m for m in memberships_of(user) if m.status in ("active", "applied", "suspended")
    ]
    wtta = []
    # Not before the second factor: the code page shows nothing of the cooperative's state.
    verified = user.is_verified() if hasattr(user, "is_verified") else True
    for m in memberships if verified else ():
        level = wtta_warning(m.cooperative) if m.is_board and m.status == "active" else None
        if level:
            wtta.append(
                {"cooperative": m.cooperative, "level": level, "text": wtta_warning_text(level)}
            )
    return {
        "nav_wtta_warnings": wtta,
        "nav_memberships": memberships,
        "nav_is_member": any(m.status == "active" for m in memberships),
        "nav_is_board": any(m.is_board and m.status == "active" for m in memberships),
        "nav_is_treasurer": any(m.is_treasurer and m.status == "active" for m in memberships),
    }


navigation_register(
    name="members",
    read=member_navigation,
    anonymous={"nav_memberships": (), "nav_is_board": False, "nav_wtta_warnings": ()},
)
