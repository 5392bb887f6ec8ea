"""topllantas forecast run, end to end through the Typer app."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from cli.main import app
from engines.forecasting import synthetic as syn


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["forecast", "run", *args])
    return result.exit_code, result.output


def test_good_csv_gives_the_forecast_csv(tmp_path: Path) -> None:
    source, out = tmp_path / "sales.csv", tmp_path / "out" / "fc.csv"
    frame = syn.panel(*(syn.intermittent(f"sku{i}", 40, freq="W", seed=i) for i in range(3)))
    frame.to_csv(source, index=False)
    code, output = _run(
        "--input", str(source), "--horizon", "4", "--freq", "W", "--output", str(out)
    )
    assert code == 0, output
    written = pd.read_csv(out)
    assert list(written.columns) == ["unique_id", "ds", "mean", "p10", "p50", "p90"]
    assert len(written) == 12 and set(written["unique_id"]) == {"sku0", "sku1", "sku2"}
    assert (written["p10"] <= written["p50"]).all() and (written["p50"] <= written["p90"]).all()
    assert pd.to_datetime(written["ds"]).min() > frame["ds"].max()


def test_bad_csv_exits_2_with_one_line_naming_the_csv_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("unique_id,ds,y\na,2024-01-01,3\na,2024-02-01,-1\n", encoding="utf-8")
    code, output = _run(
        "--input",
        str(source),
        "--horizon",
        "2",
        "--freq",
        "MS",
        "--output",
        str(tmp_path / "o.csv"),
    )
    assert code == 2
    assert "row 3" in output and "negative" in output and "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


def test_missing_column_and_missing_file_and_bad_freq(tmp_path: Path) -> None:
    source = tmp_path / "cols.csv"
    source.write_text("sku,fecha,cantidad\na,2024-01-01,3\n", encoding="utf-8")
    code, output = _run(
        "--input",
        str(source),
        "--horizon",
        "2",
        "--freq",
        "MS",
        "--output",
        str(tmp_path / "o.csv"),
    )
    assert code == 2 and "missing column(s) unique_id, ds, y" in output
    code, output = _run(
        "--input",
        str(tmp_path / "nope.csv"),
        "--horizon",
        "2",
        "--freq",
        "MS",
        "--output",
        str(tmp_path / "o.csv"),
    )
    assert code == 2 and "no file" in output
    code, output = _run(
        "--input", str(source), "--horizon", "2", "--freq", "Q", "--output", str(tmp_path / "o.csv")
    )
    assert code == 2 and "freq 'Q'" in output
