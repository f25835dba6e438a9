"""Every operation of the aggregated document, built from the real services, shows an example.

A request body, and every 2xx answer in JSON, carries an example somewhere: on the media type,
on its schema or on a schema it references (a field's example counts). Binary answers (a PDF)
are exempt. Every example is valid against its schema, except that it may leave properties out:
FastAPI drops the null values of examples when it writes the document, and an example of a
list or of a large record shows the telling fields rather than every one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs

from gateway.docs.merge import operations
from gateway.docs.refs import resolve
from services.gateway.tests.docs.real import real_document

SCHEMA_KEYWORDS_WITH_NAMES = {"properties", "patternProperties", "$defs", "definitions"}


def has_example(document: dict[str, Any], node: Any, seen: frozenset[str] = frozenset()) -> bool:
    """Whether `node` holds an example, following local references (each once per branch)."""
    if isinstance(node, list):
        return any(has_example(document, item, seen) for item in node)
    if not isinstance(node, dict):
        return False
    if node.get("example") is not None or node.get("examples"):
        return True
    ref = node.get("$ref")
    if (
        isinstance(ref, str)
        and ref not in seen
        and has_example(document, resolve(document, ref), seen | {ref})
    ):
        return True
    for key, value in node.items():
        if key in SCHEMA_KEYWORDS_WITH_NAMES and isinstance(value, dict):
            if any(has_example(document, sub, seen) for sub in value.values()):
                return True
        elif key != "$ref" and has_example(document, value, seen):
            return True
    return False


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def without_examples(document: dict[str, Any]) -> list[str]:
    missing = []
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        body = operation.get("requestBody")
        if body is not None and not has_example(document, body):
            missing.append(f"{where} request body")
        for status, answer in operation.get("responses", {}).items():
            if not status.startswith("2"):
                continue
            if "$ref" in answer:
                answer = resolve(document, answer["$ref"])
            for media_type, content in answer.get("content", {}).items():
                if is_json(media_type) and not has_example(document, content):
                    missing.append(f"{where} {status} {media_type}")
    return missing


def schema_examples(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example) for the examples given on component schemas and on the
    schemas of request bodies and answers."""
    for name, schema in document["components"]["schemas"].items():
        for example in schema.get("examples") or []:
            yield f"components.schemas.{name}", schema, example
    for path, method, operation in operations(document):
        contents = [("request", operation.get("requestBody", {}).get("content", {}))]
        contents += [(s, a.get("content", {})) for s, a in operation.get("responses", {}).items()]
        for part, content in contents:
            for media_type, media in content.items():
                schema = media.get("schema", {})
                where = f"{method.upper()} {path} {part} {media_type}"
                for example in schema.get("examples") or []:
                    yield where, schema, example
                if "example" in media:
                    yield where, schema, media["example"]
                for named in (media.get("examples") or {}).values():
                    if "value" in named:
                        yield where, schema, named["value"]


def left_out(error: Any) -> bool:
    return isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required)


async def test_every_operation_of_the_real_services_shows_an_example(make_runtime: Any) -> None:
    document, _, _ = await real_document(make_runtime)

    missing = without_examples(document)

    assert missing == [], "\n".join(missing)


async def test_every_example_of_the_real_services_is_valid_against_its_schema(
    make_runtime: Any,
) -> None:
    document, _, _ = await real_document(make_runtime)
    components = {"components": document["components"]}

    invalid = []
    for where, schema, example in schema_examples(document):
        validator = jsonschema_rs.Draft202012Validator({**schema, **components})
        errors = validator.iter_errors(example)
        invalid += [f"{where}: {e.message[:200]}" for e in errors if not left_out(e)]

    assert invalid == [], "\n".join(invalid)
