"""Permissions: requested scopes are checked, and ADMIN holds them all."""

from __future__ import annotations

import pytest

from domain.platform.permissions import ADMIN, Permission, effective_permissions, normalise_scopes
from domain.shared.errors import InvalidValue


def test_admin_expands_to_every_permission() -> None:
    assert effective_permissions([ADMIN]) == frozenset(Permission)


def test_admin_with_other_scopes_is_still_everything() -> None:
    assert effective_permissions([ADMIN, "check-in:scan"]) == frozenset(Permission)


def test_plain_scopes_give_exactly_those_permissions() -> None:
    assert effective_permissions(["check-in:scan", "kiosk:manage"]) == {
        Permission.CHECK_IN_SCAN,
        Permission.KIOSK_MANAGE,
    }


def test_scopes_no_longer_known_give_nothing_rather_than_failing() -> None:
    assert effective_permissions(["retired:scope", "audit:read"]) == {Permission.AUDIT_READ}


def test_scopes_are_sorted_without_repeats() -> None:
    assert normalise_scopes(["kiosk:manage", "check-in:scan", "kiosk:manage"]) == [
        "check-in:scan",
        "kiosk:manage",
    ]


def test_every_permission_and_admin_are_accepted() -> None:
    everything = [p.value for p in Permission] + [ADMIN]

    assert normalise_scopes(everything) == sorted(everything)


def test_an_unknown_scope_is_refused_naming_it() -> None:
    with pytest.raises(InvalidValue) as refused:
        normalise_scopes(["check-in:scan", "root"])

    assert refused.value.field == "permissions"
    assert "root" in refused.value.detail


def test_no_scopes_at_all_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        normalise_scopes([])

    assert refused.value.field == "permissions"


def test_scopes_are_case_sensitive() -> None:
    with pytest.raises(InvalidValue):
        normalise_scopes(["admin"])
