"""JSON references inside OpenAPI and AsyncAPI documents: find, rewrite and resolve them.

Only local references (`#/...`) are produced by the services and by this package; a `$ref` is a
reference when its value is a string (a schema property that happens to be named `$ref` has an
object as its value and is left alone).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

COMPONENTS = "#/components/"


def escape(token: str) -> str:
    """One JSON Pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def component_ref(section: str, name: str) -> str:
    return f"{COMPONENTS}{escape(section)}/{escape(name)}"


def parse_component_ref(ref: str) -> tuple[str, str] | None:
    """`#/components/schemas/Foo` -> ("schemas", "Foo"); None for any other reference."""
    if not ref.startswith(COMPONENTS):
        return None
    parts = ref[len(COMPONENTS) :].split("/")
    if len(parts) != 2:
        return None
    return unescape(parts[0]), unescape(parts[1])


def iter_refs(node: Any) -> Iterator[str]:
    """Every reference in a document: `$ref` strings and discriminator mapping values."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            elif key == "discriminator" and isinstance(value, dict):
                mapping = value.get("mapping")
                if isinstance(mapping, dict):
                    yield from (v for v in mapping.values() if isinstance(v, str))
            else:
                yield from iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_refs(item)


def rewrite_refs(node: Any, rewrite: Callable[[str], str]) -> Any:
    """A copy of `node` with every reference passed through `rewrite`."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = rewrite(value)
            elif key == "discriminator" and isinstance(value, dict) and "mapping" in value:
                mapping = value["mapping"]
                out[key] = {
                    **value,
                    "mapping": {
                        k: rewrite(v) if isinstance(v, str) else v for k, v in mapping.items()
                    },
                }
            else:
                out[key] = rewrite_refs(value, rewrite)
        return out
    if isinstance(node, list):
        return [rewrite_refs(item, rewrite) for item in node]
    return node


def resolve(document: dict[str, Any], ref: str) -> Any:
    """The value a local reference points to; KeyError when it points nowhere."""
    if not ref.startswith("#"):
        raise KeyError(f"not a local reference: {ref}")
    node: Any = document
    pointer = ref[1:]
    if not pointer:
        return node
    for token in pointer.lstrip("/").split("/"):
        token = unescape(token)
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            raise KeyError(f"{ref} does not resolve (no {token!r})")
    return node


def unresolved_refs(document: dict[str, Any]) -> list[str]:
    """References of `document` that point nowhere inside it (an empty list when all resolve)."""
    broken = []
    for ref in sorted(set(iter_refs(document))):
        try:
            resolve(document, ref)
        except (KeyError, IndexError, ValueError):
            broken.append(ref)
    return broken
