"""Is a new JSON Schema of an event a compatible evolution of the published one?

Consumers read tolerantly (unknown fields are ignored), so ADDING an optional property is
compatible. Everything a consumer may rely on is not: removing a property, making a new one
required, dropping a requirement, or changing a property's type, format or allowed values
(our consumers validate enums strictly, so adding an enum value breaks them too).
"""

from __future__ import annotations

from typing import Any

_NOISE = {"title", "description", "examples", "default"}


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = root.get("$defs", {})[name]
    return schema


def _normalized(schema: Any, root: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        schema = _resolve(schema, root)
        return {k: _normalized(v, root) for k, v in sorted(schema.items()) if k not in _NOISE}
    if isinstance(schema, list):
        return [_normalized(v, root) for v in schema]
    return schema


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Human-readable reasons why `new` would break consumers of `old` (empty: compatible)."""
    problems: list[str] = []
    _compare(old, new, old, new, "$", problems)
    return problems


def _compare(
    old: dict[str, Any], new: dict[str, Any], old_root: dict[str, Any], new_root: dict[str, Any],
    path: str, problems: list[str],
) -> None:  # fmt: skip
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    if "properties" in old or "properties" in new:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
        for name in sorted(old_props):
            if name not in new_props:
                problems.append(f"{path}.{name}: removed")
                continue
            _compare(
                old_props[name], new_props[name], old_root, new_root, f"{path}.{name}", problems
            )
        for name in sorted(set(new_props) - set(old_props)):
            if name in new_req:
                problems.append(f"{path}.{name}: new required property")
        for name in sorted(old_req - new_req):
            if name in new_props:
                problems.append(f"{path}.{name}: no longer required")
        return
    if _normalized(old, old_root) != _normalized(new, new_root):
        problems.append(f"{path}: type, format or allowed values changed")
