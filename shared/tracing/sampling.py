"""What is traced: a trace starts only at an entry point (a request, a record handled or sent;
a ratio of them with `OTEL_TRACES_SAMPLER_ARG`), and transaction control is never a span."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import SpanKind

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.trace import Link
    from opentelemetry.util.types import Attributes


class EntryPointRoots(Sampler):
    """Root spans only for work that begins somewhere (SERVER, CONSUMER, PRODUCER), `ratio` of
    them by trace id; a CLIENT or INTERNAL span without a parent - a poll's SQL statement - is
    dropped."""

    def __init__(self, ratio: float = 1.0) -> None:
        self.ratio = TraceIdRatioBased(ratio) if ratio < 1.0 else None

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if kind in (None, SpanKind.CLIENT, SpanKind.INTERNAL):
            return SamplingResult(Decision.DROP)
        if self.ratio is not None:
            return self.ratio.should_sample(
                parent_context, trace_id, name, kind, attributes, links, trace_state
            )
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)

    def get_description(self) -> str:
        return f"EntryPointRoots({self.ratio.rate if self.ratio else 1.0})"


#: asyncpg spans of transaction control (SQLAlchemy's BEGIN/COMMIT/ROLLBACK, its `;` ping):
#: dropped - they say nothing a statement span does not, and cost as much.
TRANSACTION_CONTROL = frozenset(
    {"BEGIN;", "BEGIN", "COMMIT;", "COMMIT", "ROLLBACK;", "ROLLBACK", ";", "SAVEPOINT", "RELEASE"}
)


class WithoutTransactionControl(Sampler):
    """`delegate`'s decision, except DROP for a transaction-control statement's span."""

    def __init__(self, delegate: Sampler) -> None:
        self.delegate = delegate

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if kind is SpanKind.CLIENT and name in TRANSACTION_CONTROL:
            return SamplingResult(Decision.DROP)
        return self.delegate.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"WithoutTransactionControl({self.delegate.get_description()})"


def default_sampler(environ: Mapping[str, str] | None = None) -> Sampler | None:
    """Ours unless `OTEL_TRACES_SAMPLER` names another than `parentbased_traceidratio` (whose
    ratio, `OTEL_TRACES_SAMPLER_ARG`, applies to the entry points); None: the SDK's own."""
    env = os.environ if environ is None else environ
    name = env.get("OTEL_TRACES_SAMPLER", "").strip().lower()
    if name not in ("", "parentbased_traceidratio"):
        return None
    try:
        ratio = float(env.get("OTEL_TRACES_SAMPLER_ARG") or 1.0) if name else 1.0
    except ValueError:
        ratio = 1.0
    return WithoutTransactionControl(ParentBased(EntryPointRoots(min(max(ratio, 0.0), 1.0))))
