import pytest
from django.test import RequestFactory

from pawpact.core.http import attachment, client_ip


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "", "10.0.0.9"),
        (0, "203.0.113.7", "10.0.0.9"),  # no trusted proxy: the header is the client's own claim
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the left entry was made up by the client
        (2, "203.0.113.7, 192.0.2.4", "203.0.113.7"),
        (2, "192.0.2.4", "10.0.0.9"),  # fewer entries than proxies: not from our proxies
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(settings, hops, forwarded, expected):
    settings.PAWPACT_TRUSTED_PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_attachment_is_saved_under_its_file_name():
    response = attachment(b"a,b\n", content_type="text/csv; charset=utf-8", filename="report-2026-03.csv")
    assert response.content == b"a,b\n"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="report-2026-03.csv"'
