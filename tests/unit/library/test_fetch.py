"""Which URLs the library may fetch: the checks made before any connection."""
import pytest

from proxy.library.fetch import url_problem


@pytest.mark.parametrize("url, problem", [
    ("http://127.0.0.1/", "loopback"), ("http://[::1]/", "loopback"), ("http://169.254.169.254/", "link-local"),
    ("http://10.0.0.1/", "private"), ("http://192.168.1.1/", "private"), ("http://[fd00:ec2::254]/", "private"),
    ("http://0.0.0.0/", "unspecified"), ("http://[::ffff:127.0.0.1]/", "loopback"), ("http://100.64.0.1/", "public"),
    ("http://localhost/", "this machine"), ("http://a.localhost/", "this machine"), ("file:///etc/passwd", "only http"),
    ("http://user:pw@example.com/", "user name"), ("https://example.com/a", None), ("http://93.184.216.34/", None),
])
def test_url_problem(url, problem):
    found = url_problem(url)
    assert (found is None) if problem is None else (problem in found), found
