"""A scan reaches only http(s) addresses on the internet, unless the operator allows a network:
checked on the resolved address, for every connection the browser makes (through the proxy),
redirects included."""

import socket

import pytest

from rules.networks import parse_networks, parse_resolver_rules
from scanner.addresses import AddressRefused, Resolver, check_url, is_public
from scanner.proxy import GuardProxy
from tests.scan_site import serve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
    ],
)
def test_internal_addresses_are_not_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.8.8"])
def test_internet_addresses_are_public(address):
    assert is_public(address)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "example.org",
        "http://",
        "http://user:pw@example.org/",
    ],
)
def test_only_plain_http_and_https_addresses_are_scanned(url):
    with pytest.raises(AddressRefused):
        check_url(url)


def test_private_loopback_and_link_local_addresses_are_refused_by_default():
    resolver = Resolver()
    for host in ("127.0.0.1", "10.0.0.8", "169.254.169.254", "[::1]", "localhost"):
        with pytest.raises(AddressRefused, match="SCANNER_ALLOWED_NETWORKS"):
            resolver.resolve(host, 80)
    assert resolver.resolve("93.184.215.14", 80) == "93.184.215.14"


def test_a_name_that_resolves_to_an_internal_address_is_refused():
    rules = parse_resolver_rules("MAP intranet.example.org 10.0.0.5, MAP *.test 127.0.0.1")
    resolver = Resolver(rules)
    with pytest.raises(AddressRefused):
        resolver.resolve("intranet.example.org", 443)
    with pytest.raises(AddressRefused):
        resolver.resolve("site.test", 80)


def test_the_operator_can_allow_a_network():
    resolver = Resolver(parse_resolver_rules("MAP *.localhost 127.0.0.1"), parse_networks("127.0.0.1/32"))
    assert resolver.resolve("site.localhost", 80) == "127.0.0.1"
    with pytest.raises(AddressRefused):
        resolver.resolve("127.0.0.2", 80)  # loopback, but not the network allowed


@pytest.mark.parametrize("rules", ["site.test 127.0.0.1", "MAP site.test", "MAP site.test not-an-ip", "EXCLUDE x"])
def test_resolver_rules_other_than_map_are_refused(rules):
    with pytest.raises(ValueError):
        parse_resolver_rules(rules)


def _through(proxy, request):
    host, port = proxy.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


def test_the_proxy_forwards_allowed_hosts_and_refuses_the_rest():
    server, port = serve()
    try:
        resolver = Resolver(parse_resolver_rules("MAP *.localhost 127.0.0.1"), parse_networks("127.0.0.1/32"))
        with GuardProxy(resolver) as proxy:
            allowed = _through(
                proxy,
                f"GET http://site.localhost:{port}/about HTTP/1.1\r\nHost: site.localhost:{port}\r\n\r\n".encode(),
            )
            assert allowed.startswith(b"HTTP/1.1 200") and "À propos".encode() in allowed
            refused = _through(
                proxy, f"GET http://127.0.0.2:{port}/secret HTTP/1.1\r\nHost: 127.0.0.2\r\n\r\n".encode()
            )
            assert refused.startswith(b"HTTP/1.1 403") and b"internal" not in refused
            tunnel = _through(proxy, b"CONNECT 10.0.0.1:443 HTTP/1.1\r\nHost: 10.0.0.1:443\r\n\r\n")
            assert tunnel.startswith(b"HTTP/1.1 403")
            assert {host for host, _ in proxy.refused} == {"127.0.0.2", "10.0.0.1"}
    finally:
        server.shutdown()
