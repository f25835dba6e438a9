"""`imet report`: where it finds the gateway and a token, what it asks, where it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imet.cli import app
from imet.report_cli import Download, destination, gateway_url, query

runner = CliRunner()


def test_the_gateway_is_the_option_the_environment_or_the_dev_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "stack.json").write_text(json.dumps({"gateway_url": "http://h:81/"}))
    monkeypatch.setenv("IMET_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("IMET_GATEWAY_URL", raising=False)

    from_stack = gateway_url()
    monkeypatch.setenv("IMET_GATEWAY_URL", "http://env:82")

    assert from_stack == "http://h:81"
    assert gateway_url() == "http://env:82"
    assert gateway_url("http://given:83/") == "http://given:83"


def test_the_query_carries_only_what_was_asked() -> None:
    assert query("pdf", 2026, "GTM", None, True, None) == {
        "format": "pdf", "fiscal_year": 2026, "country": "GTM", "include_excluded": "true",
    }  # fmt: skip
    assert query("json", None, None, "SOUTHCOM", False, "activities") == {
        "format": "json", "region": "SOUTHCOM", "table": "activities",
    }  # fmt: skip


def test_a_file_goes_to_out_or_to_the_name_the_gateway_gives_and_json_to_stdout() -> None:
    pdf = Download(200, b"%PDF", "application/pdf", "fmtr-fy2026-countries.pdf")
    json_answer = Download(200, b"{}", "application/json", None)

    assert destination(pdf, None) == Path("fmtr-fy2026-countries.pdf")
    assert destination(pdf, Path("x.pdf")) == Path("x.pdf")
    assert destination(json_answer, None) is None


def test_a_bad_format_or_an_unreachable_gateway_fails_with_a_message() -> None:
    bad = runner.invoke(app, ["report", "fmtr", "--format", "xlsx", "--gateway", "http://x"])
    not_fmtr = runner.invoke(app, ["report", "funnel", "--include-excluded", "--token", "t",
                                   "--gateway", "http://127.0.0.1:9"])  # fmt: skip
    down = runner.invoke(app, ["report", "funnel", "--token", "t",
                               "--gateway", "http://127.0.0.1:9"])  # fmt: skip

    assert bad.exit_code == 2
    assert not_fmtr.exit_code == 2
    assert down.exit_code == 1
    assert "did not answer" in down.output
