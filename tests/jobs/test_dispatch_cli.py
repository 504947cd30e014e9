"""The command line, as the contract describes it: output shapes and exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jobs.dispatch", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def instance_file(tmp_path_factory) -> Path:
    result = run("generate", "--shifts", "200", "--members", "40", "--seed", "3")
    assert result.returncode == 0, result.stderr
    path = tmp_path_factory.mktemp("dispatch") / "instance.json"
    path.write_text(result.stdout)
    return path


def test_generate_is_seeded(instance_file):
    again = run("generate", "--shifts", "200", "--members", "40", "--seed", "3")
    assert json.loads(again.stdout) == json.loads(instance_file.read_text())
    data = json.loads(instance_file.read_text())
    assert len(data["shifts"]) == 200
    assert len(data["members"]) == 40


def test_solve_then_check(instance_file, tmp_path):
    result = run("solve", str(instance_file), "--time-limit", "5")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"assignments", "objective"}
    assert all(set(a) == {"member", "shift"} for a in out["assignments"])
    assert out["objective"] == round(out["objective"], 3)
    path = tmp_path / "assignment.json"
    path.write_text(result.stdout)
    report = run("check", str(instance_file), str(path))
    assert report.returncode == 0, report.stdout + report.stderr
    body = json.loads(report.stdout)
    assert body["feasible"] is True
    assert body["violations"] == []
    assert body["objective"] == pytest.approx(out["objective"], abs=1e-3)


def test_stapel(instance_file, tmp_path):
    data = json.loads(instance_file.read_text())
    member = data["members"][0]["id"]
    result = run("stapel", str(instance_file), "--member", member)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert {a["member"] for a in out["assignments"]} <= {member}
    assert run("stapel", str(instance_file), "--member", "nobody").returncode == 2


def test_check_infeasible_exits_1(instance_file, tmp_path):
    data = json.loads(instance_file.read_text())
    shift = data["shifts"][0]["id"]
    bad = {"assignments": [{"member": m["id"], "shift": shift} for m in data["members"][:30]]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = run("check", str(instance_file), str(path))
    assert result.returncode == 1
    body = json.loads(result.stdout)
    assert body["feasible"] is False
    assert body["violations"]
    assert {"rule", "member", "shift"} <= set(body["violations"][0])


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("{not json", "instance"),
        (
            (
                '{"travel_speed_kmh": 15, "max_home_km": 5, "members": [], "shifts": ['
                '{"id": "s1", "start": 5, "end": 5, "location": [0, 0], "slots": 1, "pay_cents": 1}'
                ', {"id": "s2", "start": 5, "end": 9, "location": [0, 0], "slots": 1, "pay_cents": 1}'
                "]}"
            ),
            "shifts[0].end: must be greater than start",
        ),
        ('{"max_home_km": 5, "members": [], "shifts": []}', "travel_speed_kmh"),
        (
            (
                '{"travel_speed_kmh": 15, "max_home_km": 5, "shifts": [{"id": "s1", "start": 0, '
                '"end": 60, "location": [0, 0], "slots": 1, "pay_cents": 1}], "members": ['
                '{"id": "a", "home": [0, 0], "commitments": ["s1"]}, '
                '{"id": "b", "home": [0, 0], "commitments": ["s1"]}]}'
            ),
            "shifts[0].slots",
        ),
    ],
)
def test_bad_instance_exits_2_naming_the_field(tmp_path, content, field):
    path = tmp_path / "instance.json"
    path.write_text(content)
    for args in (
        ("solve", str(path)),
        ("stapel", str(path), "--member", "a"),
        ("check", str(path), str(path)),
    ):
        result = run(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert field in result.stderr
        assert result.stdout == ""


def test_bad_assignment_exits_2(instance_file, tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"assignments": [{"member": "m1"}]}')
    result = run("check", str(instance_file), str(path))
    assert result.returncode == 2
    assert "assignments[0].shift" in result.stderr
    result = run("check", str(instance_file), str(tmp_path / "missing.json"))
    assert result.returncode == 2
    assert "assignment" in result.stderr


def test_usage_errors_exit_2():
    assert run().returncode == 2
    assert run("solve").returncode == 2
    assert run("generate", "--shifts", "x", "--members", "1", "--seed", "1").returncode == 2
