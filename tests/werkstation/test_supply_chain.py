"""Reproducible installs and the known-vulnerability check."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"


def test_every_locked_package_is_pinned_with_a_hash():
    text = LOCK.read_text()
    requirements = [
        entry for entry in re.split(r"\n(?=[A-Za-z0-9])", text) if entry and entry[0].isalnum()
    ]
    assert len(requirements) > 50
    for entry in requirements:
        name = entry.split()[0]
        assert "==" in name, f"{name} is not pinned"
        assert "--hash=sha256:" in entry, f"{name} has no hash"
    for needed in ("django==5.2.", "django-rest-knox==", "django-axes==", "django-csp=="):
        assert needed in text.lower()


def test_make_and_ci_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements.lock" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()


class _FakeOsv(BaseHTTPRequestHandler):
    """Answers OSV queries; one locked package (django) has an advisory."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        package = body.get("package", {}).get("name", "").lower()
        vulns = []
        if package == "django":
            vulns = [
                {
                    "id": "GHSA-TEST-0000-0001",
                    "summary": "fixture advisory",
                    "details": "A made-up advisory for the test.",
                    "affected": [
                        {
                            "package": {"name": "django", "ecosystem": "PyPI"},
                            "ranges": [
                                {
                                    "type": "ECOSYSTEM",
                                    "events": [{"introduced": "0"}, {"fixed": "99.0"}],
                                }
                            ],
                        }
                    ],
                }
            ]
        payload = json.dumps({"vulns": vulns}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_osv():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOsv)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    server.shutdown()


def test_a_fixture_advisory_for_a_locked_package_fails_the_check(fake_osv):
    out = StringIO()
    with pytest.raises(CommandError, match="known vulnerabilities"):
        call_command("audit_dependencies", service="osv", osv_url=fake_osv, stdout=out)
    assert "django" in out.getvalue()
    assert "GHSA-TEST-0000-0001" in out.getvalue()


def test_an_unreachable_database_is_reported_not_hidden():
    out = StringIO()
    call_command(
        "audit_dependencies",
        service="osv",
        osv_url="http://127.0.0.1:9/v1/query",
        timeout=3,
        stdout=out,
    )
    assert out.getvalue().strip() == "dependencies: not checked: database unreachable"
