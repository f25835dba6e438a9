"""Idempotency-Key against real PostgreSQL, through the probe service's app: replays
(`test_replays`), keys another attempt holds (`test_pending_keys`), and what a failure leaves
(`test_failures`). The fixtures are in `conftest.py`, the helpers in `support.py`."""
