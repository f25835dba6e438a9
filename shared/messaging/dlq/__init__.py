"""Dead-letter tooling: list, show and replay the records of the DLQ topics (ADR 0106).

`records` is the pure part (ids, filters, decoding, replay headers); `broker` reads the DLQ
topics without a consumer group and re-publishes. Used by `imet dlq` and the gateway's
`/api/v1/ops/dlq` routes.
"""

from shared.messaging.dlq.broker import DeadLetterStore, DeadLetterUnavailable, Replayed
from shared.messaging.dlq.records import (
    REPLAYED_FROM,
    DeadLetter,
    DeadLetterFilter,
    DeadLetterId,
    InvalidDeadLetterId,
    UnknownTopic,
    is_replay,
)

__all__ = [
    "REPLAYED_FROM",
    "DeadLetter",
    "DeadLetterFilter",
    "DeadLetterId",
    "DeadLetterStore",
    "DeadLetterUnavailable",
    "InvalidDeadLetterId",
    "Replayed",
    "UnknownTopic",
    "is_replay",
]
