"""`imet dlq list|show|replay` against the real broker (ADR 0106).

A dead letter is written to a DLQ topic as a consumer writes one (original record + `x-dlq-*`
headers); the CLI lists it, shows it, replays it dry and for real. Nobody consumes the
original topic here: the replayed record is read back raw. That a replay is applied once by a
real consumer is tested with the funding consumer (services/funding/.../test_dlq_replay.py).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from typer.testing import CliRunner

from imet.cli import app
from shared.messaging.kafka import dlq_topic, physical_topic
from tests.helpers.kafka import headers_of, produce, read_all

LOGICAL = "imet.catalog.events"


@pytest.fixture
def cli(platform_ready: Any) -> Any:
    runner = CliRunner()

    def _run(*args: str) -> Any:
        return runner.invoke(app, ["dlq", *args])

    return _run


def _dead_letter(topic: str, key: str) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    headers = [
        ("ce_id", str(uuid.uuid4()).encode()), ("ce_type", b"imet.catalog.course_published.v1"),
        ("ce_source", b"/imet/catalog"), ("ce_specversion", b"1.0"),
        ("x-dlq-consumer", b"funding"), ("x-dlq-original-topic", topic.encode()),
        ("x-dlq-original-partition", b"1"), ("x-dlq-original-offset", b"12"),
        ("x-dlq-error-type", b"ValueError"), ("x-dlq-error-code", b"reaction.error"),
        ("x-dlq-attempts", b"3"), ("x-dlq-failed-at", b"2026-12-04T01:00:00+00:00"),
    ]  # fmt: skip
    return key.encode(), json.dumps({"masl_id": key}).encode(), headers


def test_list_show_and_replay_a_dead_letter(cli: Any, topic_prefix: str) -> None:
    topic = physical_topic(LOGICAL, topic_prefix)
    key = f"cli-{uuid.uuid4()}"
    asyncio.run(produce(dlq_topic(topic), [_dead_letter(topic, key)]))

    listed = cli("list", "--topic", LOGICAL, "--since", "2026-12-04T00:59:00Z", "--json")
    assert listed.exit_code == 0, listed.output
    mine = [json.loads(line) for line in listed.output.splitlines() if key in line]
    assert len(mine) == 1
    letter_id = mine[0]["id"]
    assert letter_id.startswith(dlq_topic(topic) + ":")
    assert mine[0]["error"]["code"] == "reaction.error"
    assert key not in cli("list", "--topic", LOGICAL, "--since", "2026-12-04T01:00:01Z").output

    shown = cli("show", letter_id)
    assert shown.exit_code == 0, shown.output
    detail = json.loads(shown.output)
    assert detail["payload"] == {"masl_id": key}
    assert detail["headers"]["x-dlq-consumer"] == "funding"

    dry = cli("replay", "--id", letter_id, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would replay 1 dead letter(s)" in dry.output
    assert [r for r in asyncio.run(read_all(topic)) if r.key == key.encode()] == []

    done = cli("replay", "--id", letter_id)
    assert done.exit_code == 0, done.output
    assert "replayed 1 dead letter(s)" in done.output
    [replayed] = [r for r in asyncio.run(read_all(topic)) if r.key == key.encode()]
    headers = headers_of(replayed)
    assert replayed.partition == 1
    assert replayed.value == json.dumps({"masl_id": key}).encode()
    assert headers["x-dlq-replayed-from"] == letter_id
    assert headers["x-dlq-replayed-by"].startswith("operator:")
    assert headers["ce_id"] == detail["event_id"]
    assert "x-dlq-error-code" not in headers


def test_bad_ids_and_selections_exit_2_and_an_unknown_id_exits_1(cli: Any) -> None:
    assert cli("show", "not-an-id").exit_code == 2
    assert cli("show", "imet.catalog.events:0:1").exit_code == 2  # not a DLQ topic
    assert cli("replay").exit_code == 2
    assert cli("replay", "--all", "--topic", LOGICAL).exit_code == 2
    assert cli("list", "--topic", "imet.unknown.events").exit_code == 2
    assert cli("list", "--since", "yesterday").exit_code == 2
    unknown = cli("show", "imet.catalog.events.dlq:0:999999999")
    assert unknown.exit_code == 1
    assert "no dead letter" in unknown.output
