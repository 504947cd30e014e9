"""What ``jobs`` adds to the menu (``werkstation/navigation.py``): the clients the user
works for, and how many of their hours wait for approval."""

from werkstation.navigation import navigation_register

from .models import Timesheet
from .selectors import clients_of_user, timesheets_for_manager


def client_navigation(user) -> dict:
    clients = list(clients_of_user(user))
    waiting = 0
    if clients:
        waiting = timesheets_for_manager(user).filter(status=Timesheet.Status.SUBMITTED).count()
    return {"nav_clients": clients, "nav_hours_waiting": waiting}


navigation_register(name="jobs", read=client_navigation)
