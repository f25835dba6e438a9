"""Merge several OpenAPI documents (the services' and the gateway's own) into one.

Rules, each chosen so that the merged document stays valid and every reference resolves:
- Paths are taken as they are (each part serves its own prefix); a path two parts both declare
  is kept from the first part only.
- Components (`schemas`, `responses`, `parameters`, ...) keep their names. A name declared by
  several parts is shared when every declaration is identical (and everything it references is
  shared too); otherwise each part's copy is renamed `<part>.<Name>` and that part's `$ref`s are
  rewritten. A dot never occurs in a name FastAPI generates, so a renamed component cannot
  collide with a native one.
- Operation ids stay as the services made them (`{tag}-{name}`); an id used by several parts
  becomes `<part>.<id>` in each of them.
- Tags become `<part>.<tag>` (`x-displayName` keeps the short name) and are grouped per part
  for Redoc (`x-tagGroups`).
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from gateway.docs.refs import component_ref, iter_refs, parse_component_ref, rewrite_refs

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DEFAULT_TAG = "default"


@dataclass(frozen=True)
class SpecPart:
    """One source document: `name` prefixes what must be renamed, `group` names its tag group;
    operations under `public_paths` need no token (unless they declare their own security)."""

    name: str
    group: str
    spec: dict[str, Any]
    public_paths: frozenset[str] = field(default_factory=frozenset)


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of every operation of a document."""
    return [
        (path, method, item[method])
        for path, item in spec.get("paths", {}).items()
        for method in HTTP_METHODS
        if isinstance(item, dict) and isinstance(item.get(method), dict)
    ]


def limit_to_prefix(spec: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A service document as the gateway serves it: only the paths under the service's public
    prefix (so `/healthz`, `/readyz`, `/metrics` at a service's root are dropped), without the
    service's own security declarations (the gateway declares them once for everything)."""
    spec = copy.deepcopy(spec)
    spec["paths"] = {
        path: item
        for path, item in spec.get("paths", {}).items()
        if path == prefix or path.startswith(prefix + "/")
    }
    for _, _, operation in operations(spec):
        operation.pop("security", None)
    spec.get("components", {}).pop("securitySchemes", None)
    spec.pop("security", None)
    return spec


def _component_renames(parts: list[SpecPart]) -> dict[str, dict[tuple[str, str], str]]:
    """Per part: (section, name) -> new name, for components that must be told apart."""
    declared: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for part in parts:
        for section, items in part.spec.get("components", {}).items():
            for name, value in (items or {}).items():
                declared[(section, name)][part.name] = value
    colliding = {key for key, by_part in declared.items() if len(by_part) > 1}
    shared = {
        key
        for key in colliding
        if all(value == next(iter(declared[key].values())) for value in declared[key].values())
    }
    changed = True
    while changed:  # identical text that points at a renamed component differs in meaning
        changed = False
        for key in sorted(shared):
            value = next(iter(declared[key].values()))
            targets = {parse_component_ref(ref) for ref in iter_refs(value)}
            if targets & (colliding - shared):
                shared.discard(key)
                changed = True
    renamed = colliding - shared
    renames: dict[str, dict[tuple[str, str], str]] = {part.name: {} for part in parts}
    for section, name in renamed:
        for part_name in declared[(section, name)]:
            renames[part_name][(section, name)] = f"{part_name}.{name}"
    return renames


def _rewrite_part(spec: dict[str, Any], renames: dict[tuple[str, str], str]) -> dict[str, Any]:
    def rewrite(ref: str) -> str:
        target = parse_component_ref(ref)
        if target is None or target not in renames:
            return ref
        return component_ref(target[0], renames[target])

    spec = rewrite_refs(spec, rewrite)
    components = spec.get("components", {})
    for (section, name), new_name in renames.items():
        components[section][new_name] = components[section].pop(name)
    return spec


def _operation_id_renames(parts: list[SpecPart]) -> dict[str, dict[str, str]]:
    counts = Counter(
        op["operationId"]
        for part in parts
        for _, _, op in operations(part.spec)
        if "operationId" in op
    )
    return {
        part.name: {
            op["operationId"]: f"{part.name}.{op['operationId']}"
            for _, _, op in operations(part.spec)
            if counts.get(op.get("operationId", ""), 0) > 1
        }
        for part in parts
    }


def _qualify_operations(
    part: SpecPart, spec: dict[str, Any], ids: dict[str, str]
) -> dict[str, str]:
    """Rename tags and colliding operation ids in place; mark public operations; returns the
    part's tags (qualified -> short name) in order of first use."""
    used: dict[str, str] = {}
    for path, _, operation in operations(spec):
        tags = operation.get("tags") or [DEFAULT_TAG]
        operation["tags"] = [f"{part.name}.{tag}" for tag in tags]
        for tag in tags:
            used.setdefault(f"{part.name}.{tag}", tag)
        if operation.get("operationId") in ids:
            operation["operationId"] = ids[operation["operationId"]]
        for response in operation.get("responses", {}).values():
            for link in (
                (response.get("links") or {}).values() if isinstance(response, dict) else ()
            ):
                if isinstance(link, dict) and link.get("operationId") in ids:
                    link["operationId"] = ids[link["operationId"]]
        if path in part.public_paths:
            operation.setdefault("security", [])
    return used


def merge(parts: list[SpecPart], base: dict[str, Any]) -> dict[str, Any]:
    """One document from `parts`, on top of `base` (openapi, info, servers, security...)."""
    component_renames = _component_renames(parts)
    id_renames = _operation_id_renames(parts)
    merged: dict[str, Any] = {**copy.deepcopy(base), "paths": {}}
    components: dict[str, dict[str, Any]] = copy.deepcopy(base.get("components", {}))
    tags: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    for part in parts:
        spec = _rewrite_part(copy.deepcopy(part.spec), component_renames[part.name])
        used = _qualify_operations(part, spec, id_renames[part.name])
        for path, item in spec.get("paths", {}).items():
            merged["paths"].setdefault(path, item)
        for section, items in spec.get("components", {}).items():
            for name, value in (items or {}).items():
                components.setdefault(section, {}).setdefault(name, value)
        declared = {tag["name"]: tag for tag in spec.get("tags", []) if "name" in tag}
        order = {f"{part.name}.{name}": i for i, name in enumerate(declared)}
        part_tags = []
        for qualified, short in sorted(used.items(), key=lambda t: order.get(t[0], len(order))):
            tag = {**declared.get(short, {}), "name": qualified, "x-displayName": short}
            part_tags.append(tag)
        tags.extend(part_tags)
        if part_tags:
            groups.append({"name": part.group, "tags": [tag["name"] for tag in part_tags]})
    merged["components"] = components
    merged["tags"] = tags
    merged["x-tagGroups"] = groups
    return merged
