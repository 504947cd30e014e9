"""The board's view of members near their earnings caps."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from members.access import has_role, page_cooperative


@login_required
def earnings_caps(request, slug: str):
    from payouts.services.earnings_caps import earnings_caps_overview

    cooperative = page_cooperative(request.user, slug, "board", "treasurer")
    rows = earnings_caps_overview(actor=request.user, cooperative=cooperative)
    return render(
        request,
        "payouts/earnings_caps.html",
        {
            "cooperative": cooperative,
            "rows": rows,
            "passing": sum(r["would_pass"] for r in rows),
            "amounts": has_role(request.user, cooperative, "treasurer"),
        },
    )
