"""`topllantas routes solve` end to end: JSON on a good instance, exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

ROOT = Path(__file__).resolve().parents[3]


def test_solomon_instance_as_a_process(solomon_dir: Path) -> None:
    instance = str(solomon_dir / "instances" / "C101.txt")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.main",
            "routes",
            "solve",
            "--instance",
            instance,
            "--format",
            "solomon",
            "--seconds",
            "1",
            "--seed",
            "2",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"distance", "vehicles", "routes", "feasible"}
    assert payload["feasible"] is True
    assert sorted(c for r in payload["routes"] for c in r) == list(range(1, 101))
    assert payload["vehicles"] == len(payload["routes"]) >= 10
    assert 827.3 <= payload["distance"] < 900


def test_vrplib_with_ortools(cvrplib_dir: Path) -> None:
    instance = str(cvrplib_dir / "A" / "A-n32-k5.vrp")
    result = CliRunner().invoke(
        app,
        [
            "routes",
            "solve",
            "--instance",
            instance,
            "--format",
            "vrplib",
            "--seconds",
            "1",
            "--backend",
            "ortools",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["feasible"] is True and payload["distance"] >= 784  # the proven optimum
    assert sorted(c for r in payload["routes"] for c in r) == list(range(2, 33))


def _fails(args: list[str]) -> str:
    result = CliRunner().invoke(app, ["routes", "solve", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    assert "no such file" in _fails(["--instance", str(tmp_path / "missing.txt"), "--json"])
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("this is not\nan instance\n")
    assert "VEHICLE" in _fails(["--instance", str(garbage), "--seconds", "1"])
    assert "KEY : VALUE" in _fails(["--instance", str(garbage), "--format", "vrplib"])
    assert "--format" in _fails(["--instance", str(garbage), "--format", "tsp"])
    assert "--backend" in _fails(["--instance", str(garbage), "--backend", "gurobi"])
