"""The client's address is the peer our own proxies saw, never what the client claims."""

import pytest
from django.test import RequestFactory, override_settings

from focalpoints.clients import client_ip

factory = RequestFactory()


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **extra)


@override_settings(NUM_PROXIES=0)
def test_with_no_proxy_a_forwarded_header_is_ignored():
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(NUM_PROXIES=1)
def test_behind_one_proxy_the_address_it_appended_counts():
    # The client wrote "198.51.100.1, 10.0.0.1"; nginx appended the peer it saw.
    forwarded = "198.51.100.1, 10.0.0.1, 203.0.113.9"
    assert client_ip(request_from("172.28.0.10", forwarded)) == "203.0.113.9"


@override_settings(NUM_PROXIES=2)
def test_behind_two_proxies_the_second_entry_from_the_right_counts():
    forwarded = "6.6.6.6, 203.0.113.9, 172.28.0.2"
    assert client_ip(request_from("172.28.0.10", forwarded)) == "203.0.113.9"


@pytest.mark.parametrize("forwarded", [None, "", " , "])
@override_settings(NUM_PROXIES=1)
def test_without_a_usable_forwarded_header_the_peer_counts(forwarded):
    assert client_ip(request_from("203.0.113.9", forwarded)) == "203.0.113.9"
