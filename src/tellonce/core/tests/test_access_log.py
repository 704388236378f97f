"""The web server's access log cannot be forged through a request's path (issue 12)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from tellonce.core.gunicorn import SafeLogger


def test_a_newline_in_the_path_cannot_write_a_line_of_its_own():
    logger = SafeLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": '/people/%0a127.0.0.1 "GET /admin/" 200',
        "PATH_INFO": '/people/\n127.0.0.1 "GET /admin/" 200',
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "",
        "REMOTE_ADDR": "192.0.2.1",
    }
    atoms = logger.atoms(
        SimpleNamespace(status="404 Not Found", sent=10, headers=[]), {}, environ, timedelta()
    )
    assert "\n" not in atoms["U"]
    assert atoms["U"] == '/people/\\x0a127.0.0.1 "GET /admin/" 200'
    line = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms' % atoms  # noqa: UP031 (gunicorn's)
    assert len(line.splitlines()) == 1
