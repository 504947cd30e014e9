from .selectors import memberships_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_memberships": [], "nav_is_board": False, "nav_wtta_warnings": []}
    memberships = [
        m for m in memberships_of(user) if m.status in ("active", "applied", "suspended")
    ]
    from django.apps import apps

    client_links, hours_waiting = [], 0
    if apps.is_installed("jobs"):
        from jobs.selectors import clients_of_user, timesheets_for_manager

        client_links = list(clients_of_user(user))
        if client_links:
            hours_waiting = timesheets_for_manager(user).filter(status="submitted").count()
    from .services.registrations import wtta_warning, wtta_warning_text

    wtta = []
    for m in memberships:
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
        "nav_clients": client_links,
        "nav_hours_waiting": hours_waiting,
    }
