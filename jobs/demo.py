"""Demo data of jobs: clients of every kind (the municipality included)."""

from __future__ import annotations

from members.management.commands.seed_demo import _user
from members.models import User

from .models import Client, ClientCooperative, ClientUser

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
    return lines
