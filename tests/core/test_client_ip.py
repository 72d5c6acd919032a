"""macnss.core.client_ip: the one client address, never taken from what a client can write."""

import pytest
from django.test import RequestFactory

from macnss.core.client_ip import client_ip, client_ip_or_none

rf = RequestFactory()


def _request(remote="198.51.100.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **meta)


def test_without_trusted_proxy_the_peer_is_the_client_and_forwarded_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(forwarded="1.2.3.4")) == "198.51.100.9"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),  # honest client behind one proxy
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # forged left-most entry ignored
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),  # two proxies: second from the right
        (2, "10.0.0.2", "198.51.100.9"),  # fewer entries than proxies: the peer
        (1, "", "198.51.100.9"),  # no header: the peer
        (1, "not-an-ip", "198.51.100.9"),  # garbage written by our proxy cannot happen; never trust it
        (1, "6.6.6.6,  2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_behind_trusted_proxies_the_nth_entry_from_the_right(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(forwarded=forwarded)) == expected


def test_empty_peer_gives_none_for_database_columns(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip_or_none(_request(remote="")) is None


def test_ratelimit_and_axes_use_the_same_function(settings):
    from django.conf import settings as live

    assert live.RATELIMIT_IP_META_KEY == "macnss.core.client_ip.client_ip"
