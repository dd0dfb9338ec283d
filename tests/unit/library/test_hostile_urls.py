"""Issue #12, item 1: host names that IDNA maps to loopback, private or link-local
addresses are refused before any connection, naming the address the client would reach."""
from __future__ import annotations

import ipaddress

import pytest
import yarl

from proxy.library.fetch import url_problem

# (URL, the address it reaches, the kind url_problem must name)
REFUSED = [
    ("http://127。0。0。1:8080/", "127.0.0.1", "loopback"),  # ideographic full stops
    ("http://127｡0｡0｡1/", "127.0.0.1", "loopback"),  # half-width ideographic full stops
    ("http://127．0．0．1/", "127.0.0.1", "loopback"),  # full-width full stops
    ("http://１２７.０.０.１/", "127.0.0.1", "loopback"),  # full-width digits
    ("http://１２７．０．０．１:8765/api/clients", "127.0.0.1", "loopback"),
    ("http://①②⑦.⓪.⓪.①/", "127.0.0.1", "loopback"),  # circled digits
    ("http://⑫⑦.0.0.1/", "127.0.0.1", "loopback"),  # a circled number
    ("http://𝟏𝟐𝟕.𝟎.𝟎.𝟏/", "127.0.0.1", "loopback"),  # mathematical bold digits
    ("http://𝟙𝟚𝟟.𝟘.𝟘.𝟙/", "127.0.0.1", "loopback"),  # mathematical double-struck digits
    ("http://１2７。0．𝟎.①/", "127.0.0.1", "loopback"),  # all of them at once
    ("http://127。0。0。1./", "127.0.0.1", "loopback"),  # and a trailing dot
    ("http://1６9.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"),  # mixed
    ("http://１６９。２５４。１６９。２５４/", "169.254.169.254", "link-local"),
    ("http://①⓪.0.0.1/", "10.0.0.1", "private"),
    ("http://⑩.0.0.1/", "10.0.0.1", "private"),
    ("http://１９２．１６８．１．１/", "192.168.1.1", "private"),
    ("http://172。16。0。1/", "172.16.0.1", "private"),
    ("http://０.０.０.０/", "0.0.0.0", "unspecified"),
    ("https://[::1]/", "::1", "loopback"),
    ("http://[0:0:0:0:0:0:0:1]:8765/", "::1", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "127.0.0.1", "loopback"),  # IPv4-mapped
    ("http://[::ffff:7f00:1]/", "127.0.0.1", "loopback"),
    ("http://[::ffff:a9fe:a9fe]/", "169.254.169.254", "link-local"),
    ("http://[2002:7f00:1::]/", "127.0.0.1", "loopback"),  # 6to4 around 127.0.0.1
    ("http://[fe80::1%25eth0]/", "fe80::1", "link-local"),  # with a zone
    ("http://[FD00:EC2::254]/", "fd00:ec2::254", "private"),
]


@pytest.mark.parametrize("url, address, kind", REFUSED, ids=[u for u, _a, _k in REFUSED])
def test_unicode_and_ipv6_addresses_are_refused_naming_the_address(url, address, kind):
    problem = url_problem(url)
    assert problem is not None, f"{url} would be fetched"
    assert address in problem and kind in problem, problem
    # The address refused is the one the client connects to: yarl's host, which aiohttp
    # connects to without asking the resolver.
    host = yarl.URL(url).raw_host.rstrip(".").split("%", 1)[0]
    connected = ipaddress.ip_address(host)
    wrapped = connected.ipv4_mapped or connected.sixtofour if connected.version == 6 else None
    assert str(wrapped or connected) == address


@pytest.mark.parametrize("url", [
    "https://example.com/a", "https://www.rt.com/news/467009-us-venezuela-secret-talks/",
    "http://xn--bcher-kva.example/", "http://bücher.example/",  # a real IDN and its punycode
    "http://例え.テスト/", "https://xn--r8jz45g.xn--zckzah/",
    "http://１２７.example/",  # full-width digits in a name: a name, resolved (and checked) later
    "http://93.184.216.34/", "http://９３.１８４.２１６.３４/",  # a public address, however written
    "http://[2606:2800:220:1:248:1893:25c8:1946]/",
])
def test_names_and_public_addresses_pass(url):
    assert url_problem(url) is None


@pytest.mark.parametrize("url", [u for u, _a, _k in REFUSED[:12]])
def test_the_test_switch_still_lets_them_through(url):
    assert url_problem(url, allow_private=True) is None
