"""The AsyncAPI 3.0 document of every published topic and event, generated from the contracts.

One channel per topic (`imet.<service>.events`, address = the topic on the broker) and one per
dead-letter topic; one message per event type whose payload is the contract's JSON Schema
(`model_json_schema()`, its `$defs` moved to `components.schemas`); the owner's `send`
operation per topic, and the consumers' `send` to the dead-letter topic. Who consumes each event
inside the pipeline comes from `consumers.py` (ADR 0004).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.docs.asyncapi_parts import (
    BINDING_VERSION,
    CE_HEADERS,
    CLOUD_EVENTS_HEADERS,
    DEAD_LETTER_HEADERS,
    DESCRIPTION,
    DLQ_HEADERS,
    key_schema,
    message_headers,
    service_of,
    short_name,
)
from gateway.docs.refs import component_ref, parse_component_ref, rewrite_refs
from shared.contracts.envelope import IntegrationEvent
from shared.contracts.flow import consumers_of
from shared.messaging.kafka import dlq_topic, physical_topic

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.0.0"
SERVICE_ORDER = ("catalog", "nomination", "vetting", "funding")
_SASL = {"PLAIN": "plain", "SCRAM-SHA-256": "scramSha256", "SCRAM-SHA-512": "scramSha512"}


@dataclass(frozen=True)
class KafkaServer:
    """Where consumers connect, as the platform settings describe the broker."""

    bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = ""
    partitions: int = 4
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None


def _payload_schemas(events: Mapping[str, type[IntegrationEvent]]) -> dict[str, Any]:
    """components.schemas: each event's schema under its type, its `$defs` beside it (a def
    name two events define differently is prefixed with the event's model name)."""
    schemas: dict[str, Any] = {}
    for event_type, model in sorted(events.items()):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        defs = schema.pop("$defs", {})
        renames = {
            name: f"{model.__name__}.{name}"
            for name, value in defs.items()
            if name in schemas and schemas[name] != value
        }

        def rewrite(ref: str, renames: dict[str, str] = renames) -> str:
            target = parse_component_ref(ref)
            if target is None or target[1] not in renames:
                return ref
            return component_ref("schemas", renames[target[1]])

        for name, value in defs.items():
            schemas.setdefault(renames.get(name, name), rewrite_refs(value, rewrite))
        schemas[event_type] = rewrite_refs(schema, rewrite)
    return schemas


def _message(
    event_type: str, model: type[IntegrationEvent], payload: dict[str, Any], *, dead_letter: bool
) -> dict[str, Any]:
    service = service_of(model.TOPIC)
    consumers = consumers_of(event_type)
    summary = (model.__doc__ or event_type).strip().split("\n")[0]
    lines = [summary, "", f"Key: the {model.AGGREGATE.replace('_', ' ')} id (`{model.KEY_FIELD}`)."]
    if consumers:
        lines += ["", "Consumed in the pipeline by:"]
        lines += [f"- **{name}**: {what}" for name, what in consumers.items()]
    else:
        lines += ["", "No pipeline service consumes it; it is published for other systems."]
    if dead_letter:
        lines = [f"A `{event_type}` record that a consumer gave up on (with `x-dlq-*` headers)."]
    return {
        "name": event_type,
        "title": short_name(event_type).replace("_", " ").capitalize()
        + (" (dead letter)" if dead_letter else ""),
        "summary": summary,
        "description": "\n".join(lines),
        "contentType": "application/json",
        "headers": message_headers(event_type, service, dead_letter=dead_letter),
        "payload": {"$ref": component_ref("schemas", event_type)},
        "correlationId": {
            "description": "The HTTP request that caused the event",
            "location": "$message.header#/ce_requestid",
        },
        "bindings": {
            "kafka": {
                "key": key_schema(payload, model.KEY_FIELD, model.AGGREGATE),
                "bindingVersion": BINDING_VERSION,
            }
        },
        "tags": [{"name": name} for name in dict.fromkeys((service, model.AGGREGATE))],
        "x-aggregate": model.AGGREGATE,
        "x-key-field": model.KEY_FIELD,
        "x-consumers": [{"service": name, "reaction": what} for name, what in consumers.items()],
    }


def _topics(events: Mapping[str, type[IntegrationEvent]]) -> list[str]:
    found = {model.TOPIC for model in events.values()}
    order = {f"imet.{name}.events": i for i, name in enumerate(SERVICE_ORDER)}
    return sorted(found, key=lambda topic: (order.get(topic, len(order)), topic))


def _server(kafka: KafkaServer) -> tuple[dict[str, Any], dict[str, Any]]:
    hosts = [host.strip() for host in kafka.bootstrap_servers.split(",") if host.strip()]
    secure = kafka.security_protocol in ("SSL", "SASL_SSL")
    server: dict[str, Any] = {
        "host": hosts[0] if hosts else "127.0.0.1:9092",
        "protocol": "kafka-secure" if secure else "kafka",
        "description": "Bootstrap servers: "
        + ", ".join(hosts or ["127.0.0.1:9092"])
        + f" (security protocol {kafka.security_protocol}).",
    }
    schemes: dict[str, Any] = {}
    mechanism = _SASL.get(kafka.sasl_mechanism or "")
    if kafka.security_protocol.startswith("SASL") and mechanism:
        schemes["kafkaSasl"] = {
            "type": mechanism,
            "description": "Credentials from the "
            "platform team; one principal per consuming system.",
        }
        server["security"] = [{"$ref": "#/components/securitySchemes/kafkaSasl"}]
    return server, schemes


def build_asyncapi(
    events: Mapping[str, type[IntegrationEvent]], kafka: KafkaServer
) -> dict[str, Any]:
    schemas = _payload_schemas(events)
    schemas[CE_HEADERS] = CLOUD_EVENTS_HEADERS
    schemas[DLQ_HEADERS] = DEAD_LETTER_HEADERS
    server, security_schemes = _server(kafka)
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in _topics(events):
        service = service_of(topic)
        types = sorted(t for t, model in events.items() if topic == model.TOPIC)
        consumers = sorted({name for t in types for name in consumers_of(t)})
        address = physical_topic(topic, kafka.topic_prefix)
        for dead_letter, channel_id in ((False, topic), (True, dlq_topic(topic))):
            suffix = ".dlq" if dead_letter else ""
            for event_type in types:
                model = events[event_type]
                messages[event_type + suffix] = _message(
                    event_type, model, schemas[event_type], dead_letter=dead_letter
                )
            channels[channel_id] = {
                "address": dlq_topic(address) if dead_letter else address,
                "title": f"{service.capitalize()} events"
                + (" (dead letters)" if dead_letter else ""),
                "description": (
                    f"Records of `{topic}` that a pipeline consumer could not process after "
                    "retries, copied byte for byte (a record that was not a valid CloudEvent "
                    "is copied as it was)."
                    if dead_letter
                    else f"Every event of the {service} service, keyed by aggregate id."
                ),
                "messages": {
                    short_name(t): {"$ref": component_ref("messages", t + suffix)} for t in types
                },
                "bindings": {
                    "kafka": {
                        "topic": dlq_topic(address) if dead_letter else address,
                        "partitions": kafka.partitions,
                        "bindingVersion": BINDING_VERSION,
                    }
                },
                "x-owner": service,
                "x-consumers": consumers,
            }
        refs = [{"$ref": f"#/channels/{topic}/messages/{short_name(t)}"} for t in types]
        operations[f"{service}.publish"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "title": f"The {service} service publishes its events",
            "description": f"Sent by the {service} service's outbox relay, in commit order per "
            "key. Consumed in the pipeline by: " + (", ".join(consumers) or "nobody") + ".",
            "messages": refs,
        }
        operations[f"{service}.deadLetter"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{dlq_topic(topic)}"},
            "title": f"Consumers of {topic} dead-letter what they cannot process",
            "description": "Sent by: " + (", ".join(consumers) or "nobody") + ".",
            "messages": [
                {"$ref": f"#/channels/{dlq_topic(topic)}/messages/{short_name(t)}"} for t in types
            ],
        }
    components: dict[str, Any] = {"schemas": schemas, "messages": messages}
    if security_schemes:
        components["securitySchemes"] = security_schemes
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "IMET Pipeline events",
            "version": DOCUMENT_VERSION,
            "description": DESCRIPTION,
            "license": {"name": "Apache-2.0"},
        },
        "defaultContentType": "application/json",
        "servers": {"kafka": server},
        "channels": channels,
        "operations": operations,
        "components": components,
    }
