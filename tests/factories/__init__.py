from datetime import UTC, date, datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from jobs.models import Client, ClientCooperative, ClientUser
from members.models import (
    Cooperative,
    Membership,
    NotificationPreference,
    Profile,
    RoleGrant,
    Skill,
    User,
)

PASSWORD = "a-Long-test-password-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        if create:
            Profile.objects.get_or_create(user=obj)
            NotificationPreference.objects.get_or_create(user=obj)


class CooperativeFactory(DjangoModelFactory):
    class Meta:
        model = Cooperative

    name = factory.Sequence(lambda n: f"Wijkcoöperatie {n}")
    slug = factory.Sequence(lambda n: f"coop-{n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} U.A.")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n}")
    city = "Utrecht"
    area_postcodes = ["3526"]
    founded_on = date(2024, 1, 1)


class SkillFactory(DjangoModelFactory):
    class Meta:
        model = Skill

    cooperative = factory.SubFactory(CooperativeFactory)
    slug = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.Sequence(lambda n: f"Skill {n}")
    requires_certificate = False


class MembershipFactory(DjangoModelFactory):
    """An active member; ``is_board``/``is_treasurer``/``is_auditor`` also record the role's
    history (held since 2024, granted by nobody in particular), as the four-eyes rules read it."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    cooperative = factory.SubFactory(CooperativeFactory)
    status = Membership.Status.ACTIVE
    member_number = factory.Sequence(lambda n: n + 1)

    @factory.post_generation
    def role_grants(obj, create, extracted, **kwargs):
        if not create or obj.status != Membership.Status.ACTIVE:
            return
        since = datetime(2024, 1, 1, tzinfo=UTC)
        for role in ("board", "treasurer", "auditor"):
            if getattr(obj, f"is_{role}"):
                RoleGrant.objects.get_or_create(
                    membership=obj, role=role, revoked_at=None, defaults={"granted_at": since}
                )


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client
        skip_postgeneration_save = True

    kind = Client.Kind.BUSINESS
    name = factory.Sequence(lambda n: f"Bedrijf {n}")
    kvk_number = factory.Sequence(lambda n: f"{20000000 + n}")
    billing_email = factory.Sequence(lambda n: f"billing{n}@example.org")

    @factory.post_generation
    def cooperatives(obj, create, extracted, **kwargs):
        for cooperative in extracted or []:
            ClientCooperative.objects.create(client=obj, cooperative=cooperative)


class MunicipalityFactory(ClientFactory):
    """A municipality client that platform staff verified (it may publish tenders)."""

    kind = Client.Kind.MUNICIPALITY
    name = factory.Sequence(lambda n: f"Gemeente {n}")
    verified_at = factory.LazyFunction(timezone.now)


class ClientUserFactory(DjangoModelFactory):
    class Meta:
        model = ClientUser

    client = factory.SubFactory(ClientFactory)
    user = factory.SubFactory(UserFactory)
    role = ClientUser.Role.ADMIN
