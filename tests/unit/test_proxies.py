"""Forwarding headers are believed only from Trove's own proxies."""

from __future__ import annotations

import pytest

from trove.proxies import ClientResolver, parse_networks

NGINX = "10.0.0.5"


@pytest.fixture
def resolver() -> ClientResolver:
    return ClientResolver(parse_networks("10.0.0.5, 172.16.0.0/12"))


def test_a_direct_client_is_its_own_address_whatever_it_claims(resolver):
    assert resolver.client("203.0.113.9", "1.2.3.4") == "203.0.113.9"


def test_behind_the_proxy_the_forwarded_address_is_the_client(resolver):
    assert resolver.client(NGINX, "198.51.100.7") == "198.51.100.7"


def test_an_address_a_client_forged_before_the_proxy_is_ignored(resolver):
    forged_then_real = "1.2.3.4, 198.51.100.7"

    assert resolver.client(NGINX, forged_then_real) == "198.51.100.7"


def test_chains_of_trusted_proxies_are_walked_back(resolver):
    assert resolver.client(NGINX, "198.51.100.7, 172.16.3.4") == "198.51.100.7"


def test_garbage_in_the_header_falls_back_to_the_peer(resolver):
    assert resolver.client(NGINX, "not-an-ip") == NGINX
    assert resolver.client(NGINX, None) == NGINX


def test_no_trusted_proxies_means_headers_are_never_read():
    assert ClientResolver(()).client(NGINX, "198.51.100.7") == NGINX


def test_the_scheme_is_taken_only_from_a_trusted_proxy(resolver):
    assert resolver.scheme(NGINX, "https", "http") == "https"
    assert resolver.scheme("203.0.113.9", "https", "http") == "http"
    assert resolver.scheme(NGINX, "gopher", "http") == "http"


def test_bad_proxy_lists_are_refused():
    with pytest.raises(ValueError):
        parse_networks("10.0.0.1, nonsense")
