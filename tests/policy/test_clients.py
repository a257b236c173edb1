"""Choosing client profiles by name."""

from __future__ import annotations

import pytest

from trustgraph.errors import UsageError
from trustgraph.policy.clients import DEFAULT_CLIENTS, PROFILES, client_profiles


def test_no_name_is_the_default_set_and_all_is_every_profile() -> None:
    assert [p.name for p in client_profiles([])] == list(DEFAULT_CLIENTS)
    assert [p.name for p in client_profiles(["all"])] == list(PROFILES)


def test_names_keep_their_order_once_each() -> None:
    chosen = client_profiles(["go", "openssl-3", "go"])
    assert [p.name for p in chosen] == ["go", "openssl-3"]


def test_an_unknown_name_is_refused_with_the_nearest() -> None:
    with pytest.raises(UsageError) as refused:
        client_profiles(["gnutls-3.7"])
    message = str(refused.value)
    assert message.startswith("no client profile named 'gnutls-3.7'")
    assert "did you mean" in message and "clients-list" in message


def test_every_stand_in_store_says_why() -> None:
    for profile in PROFILES.values():
        if profile.store.earlier:
            assert profile.store.earlier_because, profile.name
            assert profile.store.earlier in profile.store.describe()
