"""Proxy metrics: cheap counters exposed as standard Prometheus families."""

from __future__ import annotations

import uuid

from prometheus_client import generate_latest

from gateway.metrics import PROXY_METRICS


def _value(exposition: str, sample: str) -> float:
    line = next(line for line in exposition.splitlines() if line.startswith(sample + " "))
    return float(line.rsplit(" ", 1)[1])


def test_a_request_lands_in_its_status_class_and_latency_bucket() -> None:
    name = f"u{uuid.uuid4().hex[:8]}"
    recorder = PROXY_METRICS.for_upstream(name)

    recorder.observe(201, 0.004)
    recorder.observe(504, 42.0)

    text = generate_latest().decode()
    labels = f'status_class="2xx",upstream="{name}"'
    assert _value(text, f"imet_gateway_requests_total{{{labels}}}") == 1
    assert _value(text, f'imet_gateway_request_seconds_bucket{{le="0.0025",{labels}}}') == 0
    assert _value(text, f'imet_gateway_request_seconds_bucket{{le="0.005",{labels}}}') == 1
    errors = f'status_class="5xx",upstream="{name}"'
    assert _value(text, f'imet_gateway_request_seconds_bucket{{le="30.0",{errors}}}') == 0
    assert _value(text, f'imet_gateway_request_seconds_bucket{{le="+Inf",{errors}}}') == 1
    assert _value(text, f"imet_gateway_request_seconds_sum{{{errors}}}") == 42.0


def test_the_same_upstream_name_shares_one_recorder() -> None:
    assert PROXY_METRICS.for_upstream("catalog") is PROXY_METRICS.for_upstream("catalog")
