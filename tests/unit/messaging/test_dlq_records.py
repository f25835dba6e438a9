"""Dead-letter ids, filters, decoding and replay headers (no broker)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka.structs import ConsumerRecord

from shared.messaging.dlq import (
    REPLAYED_FROM,
    DeadLetter,
    DeadLetterFilter,
    DeadLetterId,
    InvalidDeadLetterId,
    UnknownTopic,
    is_replay,
)
from shared.messaging.dlq.records import dlq_topics

NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)


def _record(
    *, offset: int = 7, headers: list[tuple[str, bytes]] | None = None, value: bytes = b"{}"
) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord(
        topic="imet.vetting.events.dlq", partition=2, offset=offset,
        timestamp=int(NOW.timestamp() * 1000), timestamp_type=0, key=b"k-1", value=value,
        checksum=None, serialized_key_size=3, serialized_value_size=len(value),
        headers=headers or [],
    )  # fmt: skip


def test_an_id_round_trips_and_names_its_original_topic() -> None:
    parsed = DeadLetterId.parse("t1.imet.vetting.events.dlq:3:1042")

    assert parsed == DeadLetterId("t1.imet.vetting.events.dlq", 3, 1042)
    assert str(parsed) == "t1.imet.vetting.events.dlq:3:1042"
    assert parsed.original_topic == "t1.imet.vetting.events"


@pytest.mark.parametrize(
    "text",
    [
        "", "imet.vetting.events:0:1", "imet.vetting.events.dlq:0", "imet.vetting.events.dlq:a:1",
        "imet.vetting.events.dlq:0:-1", "imet.vetting.events.dlq:0:1:2", ".dlq:0:1",
        "imet/../x.dlq:0:1", "imet.vetting.events.dlq:99999999999:1",
        "imet.vetting.events.dlq:0:99999999999999999999", "imet.vetting.events.dlq: 0:1",
        "imet.vetting.events.dlq:0:1\n",
    ],
)  # fmt: skip
def test_a_malformed_id_is_refused(text: str) -> None:
    with pytest.raises(InvalidDeadLetterId):
        DeadLetterId.parse(text)


def test_ids_sort_by_topic_partition_offset() -> None:
    ids = [DeadLetterId("b.dlq", 0, 1), DeadLetterId("a.dlq", 1, 0), DeadLetterId("a.dlq", 0, 9)]
    assert sorted(ids) == [ids[2], ids[1], ids[0]]


def test_a_topic_filter_takes_the_logical_physical_or_dlq_name() -> None:
    known = dlq_topics("t9.")

    for name in ("imet.vetting.events", "t9.imet.vetting.events", "t9.imet.vetting.events.dlq",
                 "imet.vetting.events.dlq"):  # fmt: skip
        assert DeadLetterFilter(topic=name).topics(known, "t9.") == ["t9.imet.vetting.events.dlq"]
    assert DeadLetterFilter().topics(known, "t9.") == known
    with pytest.raises(UnknownTopic):
        DeadLetterFilter(topic="imet.other.events").topics(known, "t9.")


def test_since_uses_the_failure_time_and_else_the_record_time() -> None:
    failed = DeadLetter.of(_record(headers=[("x-dlq-failed-at", NOW.isoformat().encode())]))
    bare = DeadLetter.of(_record())

    assert DeadLetterFilter(since=NOW - timedelta(seconds=1)).matches(failed)
    assert not DeadLetterFilter(since=NOW + timedelta(seconds=1)).matches(failed)
    assert DeadLetterFilter(since=NOW.replace(tzinfo=None)).matches(bare)  # naive = UTC
    assert not DeadLetterFilter(since=NOW + timedelta(hours=1)).matches(bare)


def test_a_dead_letter_decodes_its_headers_error_and_payload() -> None:
    headers = [
        ("ce_id", b"e-1"), ("ce_type", b"imet.nomination.submitted.v1"),
        ("x-dlq-consumer", b"vetting"), ("x-dlq-original-topic", b"imet.vetting.events"),
        ("x-dlq-original-partition", b"2"), ("x-dlq-original-offset", b"41"),
        ("x-dlq-error-type", b"ValueError"), ("x-dlq-error-code", b"reaction.error"),
        ("x-dlq-attempts", b"3"),
    ]  # fmt: skip
    letter = DeadLetter.of(_record(headers=headers, value=json.dumps({"a": 1}).encode()))
    detail = letter.detail()

    assert detail["id"] == "imet.vetting.events.dlq:2:7"
    assert detail["event_id"] == "e-1"
    assert detail["error"] == {"type": "ValueError", "code": "reaction.error", "detail": None}
    assert (detail["original_partition"], detail["original_offset"]) == (2, 41)
    assert detail["attempts"] == 3
    assert detail["payload"] == {"a": 1}
    assert detail["key"] == "k-1"
    assert "payload" not in letter.summary()


def test_a_payload_that_is_not_json_is_text_or_base64() -> None:
    assert DeadLetter.of(_record(value=b"not json")).payload() == "not json"
    assert DeadLetter.of(_record(value=b"\xff\x00")).payload() == {"base64": "/wA="}


def test_replay_headers_keep_the_original_ones_drop_the_failure_and_say_who() -> None:
    headers = [("ce_id", b"e-1"), ("traceparent", b"00-ab-cd-01"),
               ("x-dlq-error-code", b"reaction.error"), ("x-dlq-attempts", b"3")]  # fmt: skip
    letter = DeadLetter.of(_record(headers=headers))
    replayed = letter.replay_headers(actor="operator:alice", now=NOW)

    assert replayed[:2] == headers[:2]
    assert dict(replayed)[REPLAYED_FROM] == b"imet.vetting.events.dlq:2:7"
    assert dict(replayed)["x-dlq-replayed-by"] == b"operator:alice"
    assert "x-dlq-error-code" not in dict(replayed)
    assert is_replay(replayed)
    assert not is_replay(headers)


def test_since_takes_a_duration_ago_or_an_iso_time() -> None:
    import typer

    from imet.dlq_cli import parse_since

    assert parse_since("30m", now=NOW) == NOW - timedelta(minutes=30)
    assert parse_since("7d", now=NOW) == NOW - timedelta(days=7)
    assert parse_since("2026-12-04T01:00:00") == NOW
    assert parse_since(None) is None
    with pytest.raises(typer.BadParameter):
        parse_since("yesterday")


def test_the_cli_finds_the_dev_stacks_broker_when_kafka_is_not_configured(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imet.dlq_cli import _platform

    (tmp_path / "run").mkdir()
    state = {"kafka": {"bootstrap_servers": "127.0.0.1:40123", "topic_prefix": "dev."}}
    (tmp_path / "run" / "stack.json").write_text(json.dumps(state))
    monkeypatch.setenv("IMET_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("KAFKA_TOPIC_PREFIX", raising=False)
    monkeypatch.delenv("IMET_ENV", raising=False)

    found = _platform()
    assert (found.kafka_bootstrap_servers, found.kafka_topic_prefix) == ("127.0.0.1:40123", "dev.")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker:9092")
    assert _platform().kafka_bootstrap_servers == "broker:9092"
