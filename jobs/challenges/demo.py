"""Demo data of the right to challenge: one open tender, one running contract and a
challenge on the register. Idempotent: each row is found by its reference first."""

from __future__ import annotations

from datetime import timedelta


def seed(*, cooperatives, rng) -> list[str]:
    from django.utils import timezone

    from jobs.models import Client
    from members.models import Membership, User

    from .models import Bid, Challenge, Contract, TargetGroupMember, Tender
    from .services.contracts import contract_from_bid

    coop = cooperatives["kanaleneiland"]
    municipality = Client.objects.get(kvk_number="30280353")
    muni_user = User.objects.get(email="gemeente@werkstation.demo")
    board = Membership.objects.filter(cooperative=coop, is_board=True).first().user
    now, today = timezone.now(), timezone.localdate()
    common = {
        "client": municipality,
        "category": "green_maintenance",
        "street": "Bernadottelaan 2",
        "postcode": "3527 BK",
        "latitude": "52.072600",
        "longitude": "5.101500",
        "weight_price": 40,
        "weight_quality": 30,
        "weight_social": 30,
        "created_by": muni_user,
    }
    Tender.objects.get_or_create(
        reference="RTC-DEMO-2026-001",
        defaults={
            **common,
            "title": "Zwerfvuil en groen langs het Merwedekanaal",
            "description": "Wekelijks zwerfvuil ruimen en het groen langs de kanaaloever bijhouden.",
            "area": "Kanaleneiland-Noord, oever Merwedekanaal",
            "period_start": today + timedelta(days=30),
            "period_end": today + timedelta(days=395),
            "budget_ceiling_cents": 4_800_000,
            "required_outcomes": [
                "Oever elke week zwerfvuilvrij",
                "Maaibeurten volgens beheerplan",
                "Minstens 10 buurtbewoners aan het werk",
            ],
            "submission_opens": now - timedelta(days=3),
            "submission_deadline": now + timedelta(days=18),
            "decision_deadline": today + timedelta(days=25),
            "status": Tender.Status.OPEN,
            "published_at": now,
        },
    )
    awarded, _created = Tender.objects.get_or_create(
        reference="RTC-DEMO-2025-007",
        defaults={
            **common,
            "title": "Groenonderhoud Park Transwijk",
            "description": "Maaien, snoeien en het park schoonhouden, met buurtbewoners.",
            "area": "Transwijk",
            "period_start": today - timedelta(days=60),
            "period_end": today + timedelta(days=300),
            "budget_ceiling_cents": 6_000_000,
            "required_outcomes": [
                "Gras kort gehouden",
                "Speelplekken veilig",
                "Bewoners betrokken",
            ],
            "submission_opens": now - timedelta(days=120),
            "submission_deadline": now - timedelta(days=90),
            "decision_deadline": today - timedelta(days=75),
            "status": Tender.Status.AWARDED,
            "published_at": now - timedelta(days=120),
            "decided_at": now - timedelta(days=80),
            "decision_reason": "Sterk lokaal plan; 40% van de uren door buurtbewoners uit de doelgroep.",
        },
    )
    if not Contract.objects.filter(tender=awarded).exists():
        bid = Bid.objects.create(
            tender=awarded,
            cooperative=coop,
            price_cents=5_200_000,
            hourly_tariff_cents=3000,
            plan="Twee ploegen van buurtbewoners met een vaste ploegleider.",
            staffing_plan=[
                {
                    "title": "Maaien en snoeien",
                    "weekdays": [0, 3],
                    "start": "08:30",
                    "end": "12:30",
                    "slots": 3,
                    "skill": "groen",
                },
                {
                    "title": "Park schoonhouden",
                    "weekdays": [2, 5],
                    "start": "10:00",
                    "end": "13:00",
                    "slots": 2,
                    "skill": None,
                },
            ],
            social_member_hours=1800,
            social_target_group_members=6,
            status=Bid.Status.AWARDED,
            submitted_at=now - timedelta(days=95),
            submitted_by=board,
            created_by=board,
            decision_reason=awarded.decision_reason,
        )
        contract_from_bid(actor=muni_user, bid=bid)
    _closed_tender(common, coop, board, now, today)
    Challenge.objects.get_or_create(
        cooperative=coop,
        client=municipality,
        task="Beheer buurthuis De Kanaalbrug",
        defaults={
            "area": "Kanaleneiland-Zuid",
            "plan": "Leden en vrijwilligers beheren het buurthuis; "
            "de coöperatie plant de diensten.",
            "signatures": 412,
            "partners": "Huurdersvereniging Kanaleneiland",
            "decision_deadline": today + timedelta(weeks=6),
            "submitted_by": board,
        },
    )
    for membership in Membership.objects.filter(cooperative=coop, status="active").order_by("pk")[
        5:11
    ]:
        TargetGroupMember.objects.get_or_create(
            cooperative=coop,
            user=membership.user,
            defaults={"group": "long_term_unemployed", "recorded_by": board},
        )
    contract = Contract.objects.get(tender=awarded)
    return [
        (
            "  right to challenge: /right-to-challenge/ — one tender open for bids, one closed and "
            "ready to decide, one running contract "
            f"({contract.reference}), one challenge; municipality login gemeente@werkstation.demo"
        )
    ]


def _closed_tender(common: dict, coop, board, now, today) -> None:
    """Bidding has closed and one bid waits for the municipality's decision."""
    from .models import Bid, Tender

    tender, created = Tender.objects.get_or_create(
        reference="RTC-DEMO-2026-002",
        defaults={
            **common,
            "title": "Geveltuinen Kanaleneiland-Zuid",
            "description": "Veertig geveltuinen aanleggen en een jaar onderhouden met de bewoners.",
            "area": "Kanaleneiland-Zuid",
            "period_start": today + timedelta(days=21),
            "period_end": today + timedelta(days=386),
            "budget_ceiling_cents": 2_400_000,
            "required_outcomes": ["40 geveltuinen aangelegd", "Onderhoud met bewoners"],
            "submission_opens": now - timedelta(days=30),
            "submission_deadline": now - timedelta(days=2),
            "decision_deadline": today + timedelta(days=12),
            "status": Tender.Status.CLOSED,
            "published_at": now - timedelta(days=30),
        },
    )
    if created:
        Bid.objects.create(
            tender=tender,
            cooperative=coop,
            price_cents=2_150_000,
            hourly_tariff_cents=3200,
            plan="Bewoners per straat als ploeg; de coöperatie levert planten en gereedschap.",
            staffing_plan=[
                {
                    "title": "Geveltuinen aanleggen",
                    "weekdays": [1, 3],
                    "start": "09:00",
                    "end": "13:00",
                    "slots": 3,
                    "skill": "groen",
                }
            ],
            social_member_hours=900,
            social_target_group_members=4,
            status=Bid.Status.SUBMITTED,
            submitted_at=now - timedelta(days=3),
            submitted_by=board,
            created_by=board,
        )
