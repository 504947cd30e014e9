"""Build a realistic but fictional neighbourhood cooperative around Kanaleneiland, Utrecht.

Idempotent: running it again finds what is there and adds only what is missing.
"""

from __future__ import annotations

import importlib
import random
from datetime import date, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from members.models import (
    AvailabilitySlot,
    Cooperative,
    Membership,
    MemberSkill,
    NotificationPreference,
    Profile,
    RoleGrant,
    Skill,
    User,
)
from members.services.demo_two_factor import demo_device_ensure
from werkstation.geo import POSTCODES
from werkstation.locks import lock_order_unchecked

DEMO_PASSWORD = "werkstation-demo"

FIRST = [
    "Fatima",
    "Mohamed",
    "Sanne",
    "Youssef",
    "Emre",
    "Ayşe",
    "Daan",
    "Noor",
    "Kofi",
    "Priya",
    "Sara",
    "Hamza",
    "Lotte",
    "Bilal",
    "Esra",
    "Jeroen",
    "Nadia",
    "Omar",
    "Marieke",
    "Ricardo",
    "Yara",
    "Samir",
    "Ingrid",
    "Dewi",
    "Khadija",
    "Tim",
    "Selin",
    "Abdi",
    "Anouk",
    "Rachid",
    "Zeynep",
    "Henk",
    "Amina",
    "Luuk",
    "Ilham",
    "Kees",
    "Meryem",
    "Joost",
    "Hanan",
    "Stefan",
    "Latifa",
    "Bram",
    "Naima",
    "Wendy",
]
LAST = [
    "El Amrani",
    "de Vries",
    "Yılmaz",
    "Bakker",
    "Mensah",
    "Ouali",
    "Jansen",
    "Kaya",
    "Visser",
    "Haddou",
    "Ramdin",
    "Öztürk",
    "van Dijk",
    "Bouzid",
    "Smit",
    "Warsame",
    "de Jong",
    "Aksoy",
    "Mulder",
    "Tahiri",
    "Boateng",
    "Meijer",
    "Chaouch",
    "Hoekstra",
]

SKILLS = [
    ("groen", "Groenonderhoud", False),
    ("vca", "VCA (veiligheid)", True),
    ("energie", "Energiecoach", False),
    ("isolatie", "Isoleren", True),
    ("schoonmaak", "Schoonmaak", False),
    ("verhuizen", "Verhuizen en sjouwen", False),
    ("zorg", "Hulp en zorg thuis", False),
    ("bhv", "BHV", True),
]


class Command(BaseCommand):
    help = "Seed the demo: two cooperatives, 45+ members, a board, clients of every kind."

    def handle(self, *args, **options) -> None:
        # One transaction that runs alone: its services follow each other, so the lock
        # order is not checked across them.
        with transaction.atomic(), lock_order_unchecked():
            summary = seed()
        if options["verbosity"] > 0:
            for line in summary:
                self.stdout.write(line)


def _user(email: str, full_name: str, *, staff: bool = False, language: str = "nl") -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=full_name,
            preferred_language=language,
            is_staff=staff,
            is_superuser=staff,
        )
    Profile.objects.get_or_create(user=user)
    NotificationPreference.objects.get_or_create(user=user)
    return user


def _membership(user: User, cooperative: Cooperative, number: int, **roles) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user,
        cooperative=cooperative,
        defaults={"status": "active", "member_number": number, "share_capital": 10, **roles},
    )
    if created:
        for role in ("board", "treasurer", "auditor"):
            if roles.get(f"is_{role}"):
                RoleGrant.objects.create(
                    membership=membership, role=role, granted_at=cooperative_founded(cooperative)
                )
    return membership


def cooperative_founded(cooperative: Cooperative):
    from datetime import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(cooperative.founded_on, time(9)))


def _cooperative(slug: str, **fields) -> Cooperative:
    cooperative, created = Cooperative.objects.get_or_create(slug=slug, defaults=fields)
    if created:
        from members.services.cooperatives import _FOUNDING_HOOKS

        for hook in _FOUNDING_HOOKS:
            hook(cooperative=cooperative, actor=None)
    for skill_slug, name, cert in SKILLS:
        Skill.objects.get_or_create(
            cooperative=cooperative,
            slug=skill_slug,
            defaults={"name": name, "requires_certificate": cert},
        )
    return cooperative


def _populate(
    cooperative: Cooperative, rng: random.Random, *, count: int, domain: str, postcodes: list[str]
) -> list[User]:
    skills = list(Skill.objects.filter(cooperative=cooperative))
    people = []
    for i in range(count):
        first, last = (
            FIRST[(i * 7 + len(domain)) % len(FIRST)],
            LAST[(i * 5 + len(domain)) % len(LAST)],
        )
        user = _user(f"lid{i + 1:02d}@{domain}", f"{first} {last}")
        _membership(
            user,
            cooperative,
            number=100 + i,
            engagement=rng.choice(["self_employed", "volunteer", "employee"]),
        )
        profile = Profile.objects.get(user=user)
        if not profile.postcode:
            postcode = rng.choice(postcodes)
            lat, lon = POSTCODES[postcode]
            profile.postcode = postcode
            profile.street = f"{rng.choice(['Marshalllaan', 'Churchilllaan', 'Columbuslaan', 'Beneluxlaan', 'Bernadottelaan', 'Trumanlaan', 'Kanaalweg', 'Wolgadreef', 'Zamenhofdreef', 'Donaudreef'])} {rng.randint(1, 240)}"
            profile.city = "Utrecht"
            profile.latitude = round(lat + rng.uniform(-0.003, 0.003), 6)
            profile.longitude = round(lon + rng.uniform(-0.004, 0.004), 6)
            profile.travel_radius_km = rng.choice([2, 3, 4, 5, 8])
            profile.target_hours_per_week = rng.choice([8, 12, 16, 20, 24, 32])
            profile.languages = rng.sample(
                ["nl", "ar", "tr", "ber", "en", "so", "pl"], k=rng.randint(1, 3)
            )
            if "nl" not in profile.languages:
                profile.languages.append("nl")
            if rng.random() < 0.25:
                profile.yearly_earnings_cap = rng.choice([1900, 2100, 4800])
                profile.earnings_cap_reason = rng.choice(
                    ["bijstand", "vrijwilligersvergoeding", "studiefinanciering"]
                )
            profile.save()
        if not MemberSkill.objects.filter(user=user).exists():
            for skill in rng.sample(skills, k=rng.randint(1, 3)):
                MemberSkill.objects.create(
                    user=user,
                    skill=skill,
                    certificate_number=f"C-{rng.randint(100000, 999999)}"
                    if skill.requires_certificate
                    else "",
                    certificate_expires_on=timezone.localdate()
                    + timedelta(days=rng.randint(30, 900))
                    if skill.requires_certificate
                    else None,
                )
        if not AvailabilitySlot.objects.filter(user=user).exists():
            for weekday in sorted(rng.sample(range(7), k=rng.randint(2, 5))):
                start_hour = rng.choice([7, 8, 9, 12, 13])
                AvailabilitySlot.objects.create(
                    user=user,
                    weekday=weekday,
                    start=time(start_hour),
                    end=time(min(start_hour + rng.choice([4, 5, 8, 9]), 22)),
                )
        people.append(user)
    return people


def seed() -> list[str]:
    rng = random.Random(20261127)
    kanaleneiland = _cooperative(
        "kanaleneiland",
        name="Werkstation Kanaleneiland",
        legal_name="Coöperatie Werkstation Kanaleneiland U.A.",
        address_line="Marshalllaan 1",
        postcode="3526 KL",
        city="Utrecht",
        kvk_number="81234567",
        vat_id="NL862345678B01",
        iban="NL91ABNA0417164300",
        bic="ABNANL2A",
        area_postcodes=["3526", "3527", "3525"],
        founded_on=date(2024, 3, 1),
    )
    overvecht = _cooperative(
        "overvecht",
        name="Wijkcoöperatie Overvecht",
        legal_name="Wijkcoöperatie Overvecht U.A.",
        address_line="Zamenhofdreef 10",
        postcode="3562 AA",
        city="Utrecht",
        kvk_number="87654321",
        iban="NL44RABO0123456789",
        bic="RABONL2U",
        area_postcodes=["3562", "3563", "3564", "3565"],
        founded_on=date(2025, 1, 15),
    )
    staff = _user("staff@werkstation.demo", "Platformbeheer", staff=True)
    board = _user("bestuur@werkstation.demo", "Yasmina Bennani")
    treasurer = _user("penningmeester@werkstation.demo", "Pieter van Leeuwen")
    auditor = _user("kascommissie@werkstation.demo", "Gerda Hoogendoorn")
    member = _user("lid@werkstation.demo", "Ahmed Benali")
    _membership(board, kanaleneiland, 1, is_board=True)
    _membership(treasurer, kanaleneiland, 2, is_board=True, is_treasurer=True)
    _membership(auditor, kanaleneiland, 3, is_auditor=True)
    _membership(member, kanaleneiland, 4)
    kan_postcodes = [pc for pc in POSTCODES if pc[:4] in ("3526", "3527", "3525")]
    ove_postcodes = [pc for pc in POSTCODES if pc[:4] in ("3562", "3563", "3564", "3565")]
    people = _populate(
        kanaleneiland, rng, count=44, domain="kanaleneiland.demo", postcodes=kan_postcodes
    )
    _populate(overvecht, rng, count=12, domain="overvecht.demo", postcodes=ove_postcodes)
    overvecht_board = _user("bestuur@overvecht.demo", "Marco Rossi")
    _membership(overvecht_board, overvecht, 1, is_board=True, is_treasurer=True)
    # Roles that need 2FA get a demo authenticator with a fixed secret (README; demo only).
    for person in (staff, board, treasurer, auditor, overvecht_board):
        demo_device_ensure(person)
    # The demo member gets a full profile too.
    _populate_one_like(member, people[0])
    applicant = _user("aanvrager@werkstation.demo", "Hatice Demir")
    Membership.objects.get_or_create(
        user=applicant,
        cooperative=kanaleneiland,
        defaults={
            "status": "applied",
            "motivation": "Ik woon op de Marshalllaan en wil graag in het groen werken.",
        },
    )
    extra: list[str] = []
    # Apps above ``members`` add their demo data through ``<app>.demo.seed``.
    for app_name in ("jobs", "payouts", "jobs.challenges"):
        try:
            module = importlib.import_module(f"{app_name}.demo")
        except ModuleNotFoundError:
            continue
        extra.extend(
            module.seed(
                cooperatives={"kanaleneiland": kanaleneiland, "overvecht": overvecht}, rng=rng
            )
            or []
        )
    _proposal_with_votes(kanaleneiland, board, people)
    active = Membership.objects.filter(cooperative=kanaleneiland, status="active").count()
    return [
        f"Demo ready: {kanaleneiland.name} with {active} active members; {overvecht.name} for isolation.",
        *demo_login_lines(),
        *extra,
    ]


# Who to sign in as, to see each role's main task (README: the second factor).
DEMO_LOGINS = [
    ("board", "bestuur@werkstation.demo"),
    ("treasurer", "penningmeester@werkstation.demo"),
    ("auditor", "kascommissie@werkstation.demo"),
    ("member", "lid@werkstation.demo"),
    ("client (bakery)", "klant@werkstation.demo"),
    ("municipality", "gemeente@werkstation.demo"),
    ("staff (admin)", "staff@werkstation.demo"),
]


def demo_login_lines() -> list[str]:
    return [
        f"  Demo logins, password '{DEMO_PASSWORD}':",
        *(f"    {role:<16} {email}" for role, email in DEMO_LOGINS),
        "  Board, treasurer, auditor and staff need a code: manage.py demo_code EMAIL",
    ]


def _populate_one_like(user: User, template: User) -> None:
    profile = Profile.objects.get(user=user)
    if profile.postcode:
        return
    source = Profile.objects.get(user=template)
    for field in (
        "street",
        "postcode",
        "city",
        "latitude",
        "longitude",
        "travel_radius_km",
        "languages",
    ):
        setattr(profile, field, getattr(source, field))
    profile.target_hours_per_week = 24
    profile.iban = "NL20INGB0001234567"
    profile.account_holder = user.full_name
    profile.save()
    for skill in Skill.objects.filter(
        cooperative__slug="kanaleneiland", slug__in=["groen", "vca", "energie"]
    ):
        MemberSkill.objects.get_or_create(
            user=user,
            skill=skill,
            defaults={
                "certificate_expires_on": timezone.localdate() + timedelta(days=400)
                if skill.requires_certificate
                else None
            },
        )
    if not AvailabilitySlot.objects.filter(user=user).exists():
        for weekday in range(5):
            AvailabilitySlot.objects.create(user=user, weekday=weekday, start=time(8), end=time(17))


def _proposal_with_votes(cooperative: Cooperative, board: User, people: list[User]) -> None:
    """An open vote the demo member has not cast yet, with some votes already in."""
    from members.models import Proposal
    from members.services.governance import proposal_create, proposal_open, vote_cast

    title = "Buurtfeest op het Merwedekanaal"
    if Proposal.objects.filter(cooperative=cooperative, title=title).exists():
        return
    proposal = proposal_create(
        actor=board,
        cooperative=cooperative,
        kind="motion",
        title=title,
        body="De coöperatie organiseert in juni een buurtfeest en betaalt € 1.500,00 uit het "
        "coöperatiefonds.",
    )
    proposal = proposal_open(actor=board, proposal=proposal)
    for person, choice in zip(people[:9], ["yes"] * 5 + ["no"] * 3 + ["abstain"], strict=True):
        vote_cast(actor=person, proposal=proposal, choice=choice)
