"""The tenant's rules: its name, and feature flags switched on and off."""

from __future__ import annotations

import uuid

import pytest

from domain.platform.features import Feature
from domain.platform.tenant import Tenant
from domain.shared.errors import InvalidValue
from domain.shared.names import NAME_MAX


def new_tenant(name: str = "Acme Events", features: tuple[Feature, ...] = ()) -> Tenant:
    return Tenant.create(name, features, uuid.uuid4())


def recorded(tenant: Tenant) -> list[str]:
    return [type(e).__name__ for e in tenant.collect_events()]


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_a_blank_name_is_refused_naming_the_field(name: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        new_tenant(name)

    assert refused.value.field == "name"


def test_a_name_longer_than_the_maximum_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidValue) as refused:
        new_tenant("x" * (NAME_MAX + 1))

    assert refused.value.field == "name"


def test_a_name_of_exactly_the_maximum_length_is_accepted() -> None:
    assert new_tenant("x" * NAME_MAX).name == "x" * NAME_MAX


def test_whitespace_in_a_name_is_trimmed_and_collapsed() -> None:
    assert new_tenant("  Acme \t  Events \n").name == "Acme Events"


def test_surrounding_whitespace_does_not_count_towards_the_length() -> None:
    assert new_tenant("  " + "x" * NAME_MAX + "  ").name == "x" * NAME_MAX


def test_a_new_tenant_has_the_features_it_was_created_with() -> None:
    tenant = new_tenant(features=(Feature.WEBHOOKS, Feature.REST_API, Feature.WEBHOOKS))

    assert tenant.features == {"WEBHOOKS", "REST_API"}
    assert tenant.has(Feature.WEBHOOKS)
    assert not tenant.has(Feature.KIOSK_MODE)
    assert tenant.version == 1


def test_renaming_records_the_normalised_name() -> None:
    tenant = new_tenant()
    tenant.collect_events()

    tenant.rename("  Acme   Festivals ")

    assert tenant.name == "Acme Festivals"
    assert recorded(tenant) == ["Renamed"]


def test_renaming_to_the_same_name_records_no_event() -> None:
    tenant = new_tenant("Acme Events")
    tenant.collect_events()

    tenant.rename(" Acme  Events ")

    assert recorded(tenant) == []
    assert tenant.version == 1


def test_renaming_to_a_blank_name_is_refused_and_keeps_the_old_name() -> None:
    tenant = new_tenant("Acme Events")
    tenant.collect_events()

    with pytest.raises(InvalidValue) as refused:
        tenant.rename("  ")

    assert refused.value.field == "name"
    assert tenant.name == "Acme Events"
    assert recorded(tenant) == []


def test_enabling_an_enabled_feature_records_nothing() -> None:
    tenant = new_tenant(features=(Feature.WAITLIST,))
    tenant.collect_events()

    tenant.enable(Feature.WAITLIST)

    assert recorded(tenant) == []


def test_enabling_then_disabling_a_feature_records_each_change_once() -> None:
    tenant = new_tenant()
    tenant.collect_events()

    tenant.enable(Feature.KIOSK_MODE)
    tenant.enable(Feature.KIOSK_MODE)
    enabled = tenant.has(Feature.KIOSK_MODE)
    tenant.disable(Feature.KIOSK_MODE)
    tenant.disable(Feature.KIOSK_MODE)

    assert enabled
    assert not tenant.has(Feature.KIOSK_MODE)
    assert recorded(tenant) == ["FeatureEnabled", "FeatureDisabled"]
    assert tenant.version == 3


def test_disabling_a_feature_that_is_off_records_nothing() -> None:
    tenant = new_tenant()
    tenant.collect_events()

    tenant.disable(Feature.BULK_OPERATIONS)

    assert recorded(tenant) == []


@pytest.mark.parametrize("name", ["Expo\x00", "Ex\x07po", "Expo\x9f"])
def test_a_name_with_control_characters_is_refused(name: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        new_tenant(name)
    assert refused.value.field == "name"


def test_tabs_and_newlines_in_a_name_fold_into_single_spaces() -> None:
    assert new_tenant("Expo\t2027\nBerlin").name == "Expo 2027 Berlin"
