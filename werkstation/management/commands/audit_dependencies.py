"""Check the locked dependencies against a known-vulnerability database (pip-audit).

    python manage.py audit_dependencies [--lock requirements.lock] [--service pypi|osv]
                                        [--osv-url URL]

Exits 1 and lists the advisories when a locked package has a known vulnerability. When
the database cannot be reached (an offline machine) it prints "not checked: database
unreachable" and exits 0, so an offline build is not blocked — and says so plainly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

UNREACHABLE_SIGNS = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "Max retries exceeded",
    "Name or service not known",
    "Temporary failure in name resolution",
    "Connection refused",
    "Failed to establish a new connection",
    "ServiceError",
)


class Command(BaseCommand):
    help = "Check requirements.lock for packages with known vulnerabilities (pip-audit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lock", default=str(Path(settings.BASE_DIR) / "requirements.lock"))
        parser.add_argument("--service", choices=["pypi", "osv"], default="pypi")
        parser.add_argument("--osv-url", default="")
        parser.add_argument("--timeout", type=int, default=20)

    def handle(
        self, *args: Any, lock: str, service: str, osv_url: str, timeout: int, **options: Any
    ) -> None:
        command = [sys.executable, "-m", "pip_audit", "--requirement", lock, "--no-deps"]
        command += ["--disable-pip", "--format", "json", "--progress-spinner", "off"]
        command += ["--vulnerability-service", service, "--timeout", str(timeout)]
        if osv_url:
            command += ["--osv-url", osv_url]
        result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=900)  # noqa: S603
        report = _json(result.stdout)
        if result.returncode == 0 and report is not None:
            count = len(report.get("dependencies", []))
            self.stdout.write(f"dependencies: {count} locked packages, no known vulnerabilities")
            return
        if report is not None and _vulnerable(report):
            for dep in _vulnerable(report):
                for vuln in dep["vulns"]:
                    fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
                    self.stdout.write(
                        f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})"
                    )
            msg = "known vulnerabilities in locked packages (see above)"
            raise CommandError(msg)
        if any(sign in result.stderr for sign in UNREACHABLE_SIGNS):
            self.stdout.write("dependencies: not checked: database unreachable")
            return
        msg = f"pip-audit failed: {result.stderr.strip()[-2000:]}"
        raise CommandError(msg)


# ``Any``: pip-audit's JSON report, or ``None`` when there is none.
def _json(text: str) -> Any:
    try:
        return json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        return None


def _vulnerable(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [dep for dep in report.get("dependencies", []) if dep.get("vulns")]
