"""Confirmation before an irreversible step, as a dialog the server renders.

Design overview
---------------
A form whose step cannot be undone (cancelling a job, executing a payout batch,
submitting a bid, deciding a tender, opening or withdrawing a proposal, giving a proxy)
posts as usual. Its view first validates the input, then asks :func:`confirmation`:

* when the post carries ``confirmed=1`` the view goes on and performs the step;
* otherwise the view answers with a summary of what will happen and a second form that
  posts the same fields again with ``confirmed=1``.

With htmx (the trigger form has ``hx-post`` and targets ``#confirm-slot``), the answer
is only a ``<dialog>``, opened as a modal by ``static/js/app.js``; its cancel button is a
``<form method="dialog">`` that closes it without any script. Without JavaScript the
same summary comes as a page of its own with a link back. No browser ``confirm()``, no
inline script (the Content-Security-Policy allows neither).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

if TYPE_CHECKING:
    from collections.abc import Callable

CONFIRM_FIELD = "confirmed"


@dataclass
class Confirmation:
    """What the dialog says: a title, the facts as (label, value) rows, what follows."""

    title: str
    confirm_label: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    consequence: str = ""
    danger: bool = False


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "1"


def confirmation(
    request: HttpRequest, confirm: Confirmation, *, back_url: str | None = None
) -> HttpResponse:
    """The dialog (htmx) or page (no script) asking to confirm the posted step."""
    posted = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
        for value in values
    ]
    context = {
        "confirm": confirm,
        "posted": posted,
        "action_url": request.get_full_path(),
        "back_url": back_url or request.get_full_path(),
    }
    if request.headers.get("HX-Request") == "true":
        response = render(request, "includes/confirm_dialog.html", context)
        response[DIALOG_HEADER] = "1"
        return response
    return render(request, "confirm.html", context)


DIALOG_HEADER = "X-Confirm-Dialog"
SLOT = "confirm-slot"


class ConfirmSlotMiddleware:
    """A form aimed at the dialog slot that got anything but a dialog back (its input
    was invalid, or the view redirected) shows that answer as the whole page instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Target") != SLOT or DIALOG_HEADER in response:
            return response
        if 300 <= response.status_code < 400 and response.has_header("Location"):
            redirect = HttpResponse(status=200)
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        response["HX-Retarget"] = "body"
        response["HX-Reswap"] = "innerHTML"
        return response
