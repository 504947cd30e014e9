"""Demo data of jobs: clients of every kind (the municipality included)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from members.management.commands.seed_demo import _user

from .models import Client, ClientCooperative, ClientUser

if TYPE_CHECKING:
    from members.models import User

CLIENTS = [
    ("business", "Bakkerij Kanaleneiland", "71234501", "klant@werkstation.demo", "Ruud Verhoef"),
    (
        "housing_corporation",
        "Woonstichting Mitros-Demo",
        "30123402",
        "corporatie@werkstation.demo",
        "Els Brouwer",
    ),
    (
        "municipality",
        "Gemeente Utrecht (demo)",
        "30280353",
        "gemeente@werkstation.demo",
        "Karim Aziz",
    ),
    (
        "foundation",
        "Stichting Buurtenergie",
        "61234504",
        "stichting@werkstation.demo",
        "Monique Peeters",
    ),
]


def seed(*, cooperatives, rng) -> list[str]:
    lines = []
    for kind, name, kvk, email, contact in CLIENTS:
        client, _ = Client.objects.get_or_create(
            kvk_number=kvk,
            defaults={
                "kind": kind,
                "name": name,
                "billing_email": email.replace("@", ".facturen@"),
                "billing_street": "Europaplein 2",
                "billing_postcode": "3526 GA",
                "billing_city": "Utrecht",
                # The demo municipality is verified, as platform staff would have done.
                "verified_at": timezone.now() if kind == "municipality" else None,
            },
        )
        ClientCooperative.objects.get_or_create(
            client=client, cooperative=cooperatives["kanaleneiland"]
        )
        user: User = _user(email, contact)
        ClientUser.objects.get_or_create(client=client, user=user, defaults={"role": "admin"})
        lines.append(f"  {kind + ':':<13} {email}")
    other, _ = Client.objects.get_or_create(
        kvk_number="71234599",
        defaults={
            "kind": "business",
            "name": "Fietsenmaker Overvecht",
            "billing_email": "fiets@overvecht.demo",
        },
    )
    ClientCooperative.objects.get_or_create(client=other, cooperative=cooperatives["overvecht"])
    ClientUser.objects.get_or_create(
        client=other, user=_user("klant@overvecht.demo", "Jan de Wit"), defaults={"role": "admin"}
    )
    return lines + seed_work(cooperatives=cooperatives, rng=rng)


# The client tariff per hour; what members receive follows from the payout rules.
RATES = {
    "greening": "32.50",
    "energy": "38.00",
    "green_maintenance": "30.00",
    "cleaning": "28.00",
    "removals": "34.00",
    "care": "30.00",
    "other": "28.00",
}

JOBS = [
    # (client kvk, title, category, street, postcode, skill, weekdays, start hour, hours, slots)
    (
        "30123402",
        "Geveltuinen aanleggen Marshalllaan",
        "greening",
        "Marshalllaan 40",
        "3526 GA",
        "groen",
        [0, 2],
        9,
        4,
        3,
    ),
    (
        "30123402",
        "Portieken schoonmaken",
        "cleaning",
        "Churchilllaan 120",
        "3527 GA",
        None,
        [1, 3],
        8,
        3,
        2,
    ),
    (
        "61234504",
        "Energiecoach huisbezoeken",
        "energy",
        "Columbuslaan 5",
        "3526 HB",
        "energie",
        [1, 2, 3],
        13,
        3,
        2,
    ),
    (
        "61234504",
        "Radiatorfolie en tochtstrips",
        "energy",
        "Beneluxlaan 88",
        "3526 EH",
        None,
        [4],
        10,
        4,
        4,
    ),
    (
        "30280353",
        "Groenonderhoud Park Transwijk",
        "green_maintenance",
        "Bernadottelaan 2",
        "3527 BK",
        "groen",
        [0, 1, 2, 3, 4],
        8,
        5,
        4,
    ),
    (
        "30280353",
        "Zwerfvuil opruimen Kanaalweg",
        "green_maintenance",
        "Kanaalweg 10",
        "3526 KL",
        None,
        [5],
        10,
        3,
        6,
    ),
    (
        "71234501",
        "Hulp bij bezorging brood",
        "other",
        "Europaplein 2",
        "3526 GA",
        None,
        [0, 1, 2, 3, 4, 5],
        6,
        2,
        1,
    ),
    (
        "30123402",
        "Verhuizing senioren Trumanlaan",
        "removals",
        "Trumanlaan 60",
        "3527 JS",
        "verhuizen",
        [3],
        9,
        6,
        3,
    ),
    (
        "61234504",
        "Boodschappenhulp ouderen",
        "care",
        "Vasco da Gamalaan 3",
        "3526 JN",
        None,
        [0, 3],
        14,
        2,
        2,
    ),
    (
        "30280353",
        "Isolatie spouwmuren (VCA)",
        "energy",
        "Pijperlaan 15",
        "3526 XB",
        "vca",
        [1, 4],
        8,
        8,
        2,
    ),
]


def seed_work(*, cooperatives, rng) -> list[str]:
    from datetime import datetime, time, timedelta
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.utils import timezone

    from members.models import Membership, Skill
    from werkstation.errors import ApplicationError
    from werkstation.geo import POSTCODES

    from .models import Job, RateCard, Shift
    from .services.claims import shift_claim
    from .services.jobs import shift_denormalize

    coop = cooperatives["kanaleneiland"]
    for category, tariff in RATES.items():
        RateCard.objects.get_or_create(
            cooperative=coop, category=category, defaults={"client_tariff": Decimal(tariff)}
        )
    if Job.objects.filter(cooperative=coop).exists():
        return [
            f"  work:         {Shift.objects.filter(cooperative=coop).count()} shifts already seeded"
        ]
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    board = (
        Membership.objects.filter(cooperative=coop, is_board=True)
        .select_related("user")
        .first()
        .user
    )
    created_shifts = []
    for kvk, title, category, street, postcode, skill_slug, weekdays, hour, hours, slots in JOBS:
        client = Client.objects.get(kvk_number=kvk)
        lat, lon = POSTCODES[postcode]
        tariff = RATES[category]
        job = Job.objects.create(
            cooperative=coop,
            client=client,
            title=title,
            category=category,
            street=street,
            postcode=postcode,
            latitude=Decimal(str(lat)),
            longitude=Decimal(str(lon)),
            required_skill=Skill.objects.filter(cooperative=coop, slug=skill_slug).first()
            if skill_slug
            else None,
            client_tariff=Decimal(tariff),
            status=Job.Status.OPEN,
            created_by=board,
            auto_confirm=rng.random() < 0.4,
            description="Samen met buren aan de slag in Kanaleneiland. Gereedschap is aanwezig.",
        )
        for offset in range(1, 15):
            day = today + timedelta(days=offset)
            if day.weekday() in weekdays:
                start = datetime.combine(day, time(hour), tzinfo=tz)
                shift = shift_denormalize(
                    Shift(job=job, start=start, end=start + timedelta(hours=hours), slots=slots),
                    job,
                )
                shift.save()
                created_shifts.append(shift)
    members = list(
        Membership.objects.filter(cooperative=coop, status="active").select_related("user")[:30]
    )
    claimed = 0
    for shift in rng.sample(created_shifts, k=min(25, len(created_shifts))):
        for membership in rng.sample(members, k=2):
            try:
                shift_claim(user=membership.user, shift=shift, allow_waitlist=False)
                claimed += 1
            except ApplicationError:
                continue
    return [
        f"  work:         {len(created_shifts)} shifts in the coming two weeks, {claimed} already claimed"
    ]
