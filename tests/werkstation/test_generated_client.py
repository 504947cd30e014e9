"""A client generated from docs/openapi.yaml works: the schema is usable as a contract.

openapi-python-client writes a Python package from the committed schema (as an
integrator would, docs/api.md); through a live server, a member signs in with a personal
token, lists the open shifts of the feed and claims one, and sees the claim in the list of
her claims, each answer parsed into the generated models.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory):
    out = tmp_path_factory.mktemp("client")
    config = out / "config.yaml"
    config.write_text("post_hooks: []\npackage_name_override: werkstation_client\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(SCHEMA),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(out / "werkstation_client"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Only binary downloads (PDF, XML) are beyond this generator; everything else parses.
    for line in result.stdout.splitlines():
        if line.startswith("WARNING parsing"):
            assert line.endswith(("/pdf/ within v1.", "/ubl/ within v1.", "sepa.xml within v1.")), (
                result.stdout
            )
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("werkstation_client")
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.startswith("werkstation_client")]:
            del sys.modules[name]


def test_a_generated_client_lists_open_shifts_and_claims_one(
    transactional_db, live_server, market, generated_client
):
    from members.models import ApiToken

    _token, plain = ApiToken.objects.create(user=market.member_a)
    api = importlib.import_module("werkstation_client.api.v1")
    models = importlib.import_module("werkstation_client.models")
    feed_list = importlib.import_module("werkstation_client.api.v1.v1_feed_list")
    claims_create = importlib.import_module("werkstation_client.api.v1.v1_claims_create")
    claims_list = importlib.import_module("werkstation_client.api.v1.v1_claims_list")
    assert api is not None

    client = generated_client.AuthenticatedClient(
        base_url=live_server.url, token=plain, prefix="Token", raise_on_unexpected_status=True
    )
    page = feed_list.sync(client=client)
    assert isinstance(page, models.PaginatedFeedRowOutputList), page
    assert page.page == 1
    assert page.has_next is False
    row = next(r for r in page.results if r.id == market.shift.pk)
    assert row.title == "Geveltuinen"
    assert row.open_slots == 2

    answer = claims_create.sync_detailed(client=client, body=models.ClaimInputRequest(shift=row.id))
    assert answer.status_code == 201, answer.content
    claim = answer.parsed
    assert isinstance(claim, models.ClaimOutput)
    assert claim.shift.id == row.id
    assert claim.timesheet is None

    mine = claims_list.sync(client=client)
    assert [c.id for c in mine.results] == [claim.id]

    # The same claim again is refused in the one error shape the schema documents.
    again = claims_create.sync_detailed(client=client, body=models.ClaimInputRequest(shift=row.id))
    assert again.status_code == 409
    assert isinstance(again.parsed, models.Error)
    assert again.parsed.error.code
    assert again.parsed.error.message
