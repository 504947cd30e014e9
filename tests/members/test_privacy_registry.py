"""Every field that points at a person is exported and erased, or knowingly a reference.

The list of fields comes from the model registry, so a model added later with a foreign
key to the user, and no registration, fails ``test_every_field_pointing_at_a_person_is_handled``
the way the API authorization matrix fails on an endpoint without an entry.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings

from members.services.privacy import person_references, personal_data_registrations


def _person_fields() -> set[str]:
    person = apps.get_model(settings.AUTH_USER_MODEL)
    found = set()
    for model in apps.get_models(include_auto_created=False):
        if model._meta.proxy:  # the same rows as its concrete model
            continue
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model is person:
                found.add(f"{model._meta.label}.{field.name}")
    return found


def _registered() -> dict[str, str]:
    covered: dict[str, str] = {}
    for name, registration in personal_data_registrations().items():
        for label in registration.fields:
            covered[label] = name
    return covered


def test_every_field_pointing_at_a_person_is_handled():
    handled = set(_registered()) | set(person_references())
    missing = _person_fields() - handled
    assert not missing, (
        f"fields pointing at a person with no export and erasure handling: {sorted(missing)}; "
        "register them with members.services.privacy.personal_data_register (or, for a field "
        "that only records who acted, person_reference_register)"
    )


def test_the_registry_names_only_fields_that_exist():
    stale = (set(_registered()) | set(person_references())) - _person_fields()
    assert not stale, f"registered fields that no longer point at a person: {sorted(stale)}"


def test_a_field_is_either_personal_data_or_a_reference_never_both():
    assert not set(_registered()) & set(person_references())


def test_each_registration_exports_and_erases():
    for name, registration in personal_data_registrations().items():
        assert callable(registration.export), name
        assert callable(registration.erase), name


def test_the_export_covers_work_earnings_and_payouts():
    names = set(personal_data_registrations())
    assert {"work", "earnings", "payouts", "social_return", "sign_in"} <= names
