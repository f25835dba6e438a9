"""Every Prometheus metric of the messaging machinery, in one place (names are stable)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

APPLIED = Counter("imet_events_applied_total", "Events applied", ["consumer", "type"])
DUPLICATES = Counter("imet_events_duplicate_total", "Redelivered events skipped", ["consumer"])
DEAD = Counter("imet_events_dead_lettered_total", "Events sent to a DLQ", ["consumer"])
REREAD = Counter(
    "imet_consumer_records_reread_total",
    "Records fetched again although the stored offset already covers them",
    ["consumer"],
)
RETRIES = Counter(
    "imet_consumer_retries_total",
    "Retries of one record, by kind (infrastructure, transient, failure)",
    ["consumer", "kind"],
)
BLOCKED = Gauge(
    "imet_consumer_blocked_partitions",
    "Partitions whose next record is being retried (the partition does not move meanwhile)",
    ["consumer"],
)
BROKER_UP = Gauge(
    "imet_broker_up",
    "1 when this role's last exchange with the broker succeeded",
    ["service", "role"],
)

PUBLISHED = Counter("imet_outbox_published_total", "Outbox rows published", ["service"])
FAILURES = Counter("imet_outbox_publish_failures_total", "Failed publish attempts", ["service"])
GAP_WAITS = Counter(
    "imet_outbox_gap_waits_total",
    "Times the relay waited for transactions that may still commit an earlier outbox row",
    ["service"],
)
HANDOVERS = Counter(
    "imet_outbox_relay_handovers_total",
    "Times a relay gave up the lead because it could not publish",
    ["service"],
)
LEADER = Gauge("imet_outbox_relay_leader", "1 while this process is the active relay", ["service"])

RETENTION_DELETED = Counter(
    "imet_retention_deleted_total", "Rows deleted by the retention job", ["service", "table"]
)
RETENTION_RUNS = Counter(
    "imet_retention_runs_total", "Retention rounds, by outcome", ["service", "outcome"]
)
DLQ_REPLAYED = Counter(
    "imet_dlq_replayed_total",
    "Dead letters re-published to their original topic by this process (imet dlq / gateway)",
    ["topic"],
)
