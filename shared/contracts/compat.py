"""Is a new JSON Schema of an event a compatible evolution of the published one?

Consumers read tolerantly (unknown fields are ignored), so ADDING an optional property is
compatible. Everything a consumer may rely on is not: removing a property, making a new one
required, dropping a requirement, or changing a property's type, format or allowed values
(our consumers validate enums strictly, so adding an enum value breaks them too).

One kind of enum is open: a reason code marked `x-unknown-reads-as` (`types.OpenCode`), which
every reader maps to its fallback when it does not know the value. Codes may be added to it
and removed from it, and a plain string property may become one (every code is a string the
old schema accepted); changing its fallback or its type still breaks (docs/adr/0057).
"""

from __future__ import annotations

from typing import Any

from shared.contracts.types import UNKNOWN_CODE_KEY

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
    if UNKNOWN_CODE_KEY in new and new.get("type") == "string" and "enum" in new:
        fallback = new[UNKNOWN_CODE_KEY]
        if old.get(UNKNOWN_CODE_KEY) == fallback and old.get("type") == "string":
            return  # an open code set gained or lost codes
        if _normalized(old, old_root) == {"type": "string"}:
            return  # free text narrowed to codes
        if UNKNOWN_CODE_KEY in old:
            problems.append(f"{path}: the fallback of an open code set changed")
            return
    old_options, new_options = old.get("anyOf"), new.get("anyOf")
    if (
        isinstance(old_options, list)
        and isinstance(new_options, list)
        and len(old_options) == len(new_options)
        and _same_except_options(old, new, old_root, new_root)
    ):
        for i, (o, n) in enumerate(zip(old_options, new_options, strict=True)):
            _compare(o, n, old_root, new_root, f"{path}|{i}", problems)
        return
    if _normalized(old, old_root) != _normalized(new, new_root):
        problems.append(f"{path}: type, format or allowed values changed")


def _same_except_options(
    old: dict[str, Any], new: dict[str, Any], old_root: dict[str, Any], new_root: dict[str, Any]
) -> bool:
    """Two `anyOf` schemas that differ in nothing but their options (compared one by one)."""
    rest_old = {k: v for k, v in old.items() if k != "anyOf"}
    rest_new = {k: v for k, v in new.items() if k != "anyOf"}
    return bool(_normalized(rest_old, old_root) == _normalized(rest_new, new_root))
