"""`imet dlq list|show|replay`: the dead letters on the broker (KAFKA_* settings, ADR 0106).

The logic lives in `shared.messaging.dlq`; this module reads options and prints. Reading takes
no consumer group and commits nothing; `replay` re-publishes to the original topic (the
consumers' inbox makes a second replay of the same record a no-op).
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import os
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shared.messaging.dlq import (
    DeadLetter,
    DeadLetterFilter,
    DeadLetterId,
    DeadLetterStore,
    DeadLetterUnavailable,
    InvalidDeadLetterId,
    Replayed,
    UnknownTopic,
)
from shared.settings import PlatformSettings

dlq_app = typer.Typer(no_args_is_help=True, help="Dead letters: list, show and replay them.")
_AGO = re.compile(r"^([0-9]{1,6})([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_since(text: str | None, *, now: datetime | None = None) -> datetime | None:
    """`30m`, `2h`, `7d` ago, or an ISO 8601 time (UTC when it names no zone)."""
    if text is None:
        return None
    match = _AGO.fullmatch(text.strip())
    if match:
        ago = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        return (now or datetime.now(UTC)) - ago
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter("--since is 30m, 2h, 7d or an ISO 8601 time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _platform() -> PlatformSettings:
    """KAFKA_* from the environment; in dev without KAFKA_BOOTSTRAP_SERVERS, the broker of the
    stack `make run` started (var/run/stack.json)."""
    platform = PlatformSettings()
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or platform.imet_env == "production":
        return platform
    from imet.stack_state import var_dir

    state_file = var_dir() / "run" / "stack.json"
    with contextlib.suppress(OSError, ValueError, AttributeError):
        kafka = json.loads(state_file.read_text()).get("kafka") or {}
        if kafka.get("bootstrap_servers"):
            prefix = os.environ.get("KAFKA_TOPIC_PREFIX", kafka.get("topic_prefix", ""))
            return platform.model_copy(update={
                "kafka_bootstrap_servers": kafka["bootstrap_servers"],
                "kafka_topic_prefix": prefix,
            })  # fmt: skip
    return platform


def _store() -> DeadLetterStore:
    return DeadLetterStore(_platform())


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _find(store: DeadLetterStore, where: DeadLetterFilter) -> list[DeadLetter]:
    try:
        return asyncio.run(store.find(where))
    except UnknownTopic as exc:
        raise _fail(str(exc)) from exc
    except (DeadLetterUnavailable, OSError, TimeoutError) as exc:
        raise _fail(f"the broker did not answer ({type(exc).__name__})", 1) from exc


def _parse_id(text: str) -> DeadLetterId:
    try:
        return DeadLetterId.parse(text)
    except InvalidDeadLetterId as exc:
        raise _fail(str(exc)) from exc


@dlq_app.command("list")
def list_letters(
    topic: str = typer.Option(None, help="A topic (imet.vetting.events) or its DLQ's name."),
    since: str = typer.Option(None, help="Dead-lettered since: 30m, 2h, 7d or an ISO time."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines."),
) -> None:
    """The dead letters on the broker, oldest first per partition (payloads: `show`)."""
    letters = _find(_store(), DeadLetterFilter(topic=topic, since=parse_since(since)))
    if as_json:
        for letter in letters:
            typer.echo(json.dumps(letter.summary()))
        return
    table = Table("id", "failed at", "consumer", "event type", "error", "attempts")
    for letter in letters:
        s = letter.summary()
        table.add_row(s["id"], s["failed_at"] or "", s["consumer"] or "", s["event_type"] or "",
                      s["error"]["code"] or "", str(s["attempts"] or ""))  # fmt: skip
    Console().print(table)
    typer.echo(f"{len(letters)} dead letter(s)")


@dlq_app.command("show")
def show(
    letter_id: str = typer.Argument(..., metavar="ID", help="<dlq topic>:<partition>:<offset>"),
) -> None:
    """One dead letter: its headers, the error and the payload (decoded), as JSON."""
    parsed = _parse_id(letter_id)
    try:
        letter = asyncio.run(_store().get(parsed))
    except (DeadLetterUnavailable, OSError, TimeoutError) as exc:
        raise _fail(f"the broker did not answer ({type(exc).__name__})", 1) from exc
    if letter is None:
        raise _fail(f"no dead letter {parsed}", 1)
    typer.echo(json.dumps(letter.detail(), indent=2, ensure_ascii=False))


def select_letters(
    store: DeadLetterStore, topic: str | None, ids: list[str], everything: bool
) -> list[DeadLetter]:
    if sum((topic is not None, bool(ids), everything)) != 1:
        raise _fail("name exactly one of --topic, --id (repeatable) or --all")
    if not ids:
        return _find(store, DeadLetterFilter(topic=topic))
    wanted = [_parse_id(i) for i in ids]
    letters: list[DeadLetter] = []
    for letter_id in wanted:
        letter = asyncio.run(store.get(letter_id))
        if letter is None:
            raise _fail(f"no dead letter {letter_id}", 1)
        letters.append(letter)
    return letters


@dlq_app.command("replay")
def replay(
    topic: str = typer.Option(None, help="Every dead letter of this topic."),
    ids: list[str] = typer.Option([], "--id", help="One dead letter; repeat for several."),
    everything: bool = typer.Option(False, "--all", help="Every dead letter of every topic."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be sent; send none."),
) -> None:
    """Re-publish dead letters to their original topic (original key, value and headers, plus
    x-dlq-replayed-from/-at/-by). Replaying one twice is safe: it is applied once."""
    store = _store()
    letters = select_letters(store, topic, ids, everything)
    actor = f"operator:{getpass.getuser()}"
    console = Console(stderr=True)
    columns: Any = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn())  # fmt: skip
    done: list[Replayed] = []
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("would replay" if dry_run else "replaying", total=len(letters))

        def advance(_: DeadLetter, replayed: Replayed) -> None:
            done.append(replayed)
            bar.advance(task)

        try:
            asyncio.run(store.replay(letters, actor=actor, dry_run=dry_run, progress=advance))
        except (OSError, TimeoutError) as exc:
            raise _fail(f"replayed {len(done)} of {len(letters)}, then the broker failed "
                        f"({type(exc).__name__})", 1) from exc  # fmt: skip
    for replayed in done:
        where = f"{replayed.topic}:{replayed.partition}:{replayed.offset}"
        typer.echo(f"{replayed.id} -> {replayed.topic if dry_run else where}")
    typer.echo(f"{'would replay' if dry_run else 'replayed'} {len(done)} dead letter(s)")
