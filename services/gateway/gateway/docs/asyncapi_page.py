"""`/asyncapi`: the AsyncAPI document as one readable HTML page, rendered here: no script, and
its style sheet is served by the gateway too (`/docs/assets/asyncapi.css`; CSP 'self')."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from gateway.docs.asyncapi_parts import CE_HEADERS, DLQ_HEADERS
from gateway.docs.refs import parse_component_ref
from shared.contracts.types import UNKNOWN_CODE_KEY

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;
color:#1b1f24}
h1,h2,h3{line-height:1.2}h2{margin-top:2.5rem;border-bottom:2px solid #d0d7de}
h3{margin-top:1.8rem}code{background:#f1f3f5;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.meta{color:#57606a}nav ul{columns:2}
"""


def _inline(text: str) -> str:
    """The little Markdown the descriptions use: `code`, **bold** and *emphasis*."""
    out = []
    for i, part in enumerate(text.split("`")):
        html = escape(part)
        if i % 2:  # inside backticks
            out.append(f"<code>{html}</code>")
            continue
        html = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html)
        out.append(re.sub(r"\*([^*\s][^*]*?)\*", r"<em>\1</em>", html))
    return "".join(out)


def _markdown(text: str) -> str:
    """Paragraphs and `- ` lists (continuation lines indented)."""
    out: list[str] = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        if lines[0].startswith("- "):
            items: list[str] = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line[2:])
                elif items:
                    items[-1] += " " + line.strip()
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
        else:
            out.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return "\n".join(out)


def _anchor(kind: str, name: str) -> str:
    return escape(f"{kind}-{name}", quote=True)


def type_text(schema: dict[str, Any]) -> str:
    """A schema's type as HTML: `string (uuid)`, `array of <a>TuitionRateV1</a>`, `x | null`."""
    if "$ref" in schema:
        target = parse_component_ref(schema["$ref"])
        name = target[1] if target else schema["$ref"]
        return f'<a href="#{_anchor("schema", name)}">{escape(name)}</a>'
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(type_text(option) for option in schema[key])
    if "const" in schema:
        return f"<code>{escape(json.dumps(schema['const']))}</code>"
    if "enum" in schema:
        return "one of " + ", ".join(f"<code>{escape(str(v))}</code>" for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return "array of " + type_text(schema.get("items", {}))
    if isinstance(kind, list):
        kind = " | ".join(kind)
    fmt = schema.get("format")
    return escape(f"{kind} ({fmt})" if fmt else str(kind))


def _constraints(schema: dict[str, Any]) -> list[str]:
    labels = {
        "pattern": "pattern",
        "minimum": "≥",
        "maximum": "≤",
        "minLength": "min length",
        "maxLength": "max length",
        "default": "default",
        "examples": "e.g.",
        UNKNOWN_CODE_KEY: "other codes read as",
    }
    # An optional code's marker sits on its non-null option (`anyOf`).
    for option in schema.get("anyOf", []):
        if isinstance(option, dict) and UNKNOWN_CODE_KEY in option:
            schema = {UNKNOWN_CODE_KEY: option[UNKNOWN_CODE_KEY], **schema}
    notes = []
    for key, label in labels.items():
        if key in schema:
            value = schema[key]
            if key == "examples":
                shown = ", ".join(v if isinstance(v, str) else json.dumps(v) for v in value)
            else:
                shown = json.dumps(value) if key == "default" else str(value)
            notes.append(f"{label} <code>{escape(shown)}</code>")
    return notes


def fields_table(schema: dict[str, Any]) -> str:
    """One row per property: name, type, required, description and constraints."""
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        notes = [_inline(prop["description"])] if "description" in prop else []
        notes += _constraints(prop)
        rows.append(
            f"<tr><td><code>{escape(name)}</code></td><td>{type_text(prop)}</td>"
            f"<td>{'yes' if name in required else 'no'}</td><td>{'<br>'.join(notes)}</td></tr>"
        )
    head = "<tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _message(message_id: str, message: dict[str, Any], doc: dict[str, Any]) -> str:
    schemas = doc["components"]["schemas"]
    payload = schemas[message_id]
    key = message["bindings"]["kafka"]["key"]
    consumers = message.get("x-consumers", [])
    who = (
        "".join(
            f"<li><strong>{escape(c['service'])}</strong>: {_inline(c['reaction'])}</li>"
            for c in consumers
        )
        or "<li>No pipeline service; published for other systems.</li>"
    )
    return (
        f'<h3 id="{_anchor("message", message_id)}"><code>{escape(message_id)}</code></h3>'
        f"<p>{_inline(message['summary'])}</p>"
        f'<p class="meta">Key: <code>{escape(message["x-key-field"])}</code> — '
        f"{_inline(key['description'])}"
        f"</p><p>Consumed by:</p><ul>{who}</ul>"
        f"<p>Payload <code>{escape(payload.get('title', message_id))}</code>:</p>"
        f"{fields_table(payload)}"
    )


def render_asyncapi_page(
    doc: dict[str, Any],
    json_url: str = "/asyncapi.json",
    css_url: str = "/docs/assets/asyncapi.css",
) -> str:
    info, schemas = doc["info"], doc["components"]["schemas"]
    messages = doc["components"]["messages"]
    topics = {cid: ch for cid, ch in doc["channels"].items() if not cid.endswith(".dlq")}
    server = doc["servers"]["kafka"]
    nav = []
    sections = []
    for channel_id, channel in topics.items():
        ids = [parse_component_ref(m["$ref"]) for m in channel["messages"].values()]
        message_ids = [t[1] for t in ids if t]
        nav.append(
            f'<li><a href="#{_anchor("topic", channel_id)}"><code>{escape(channel["address"])}'
            f"</code></a> ({len(message_ids)} events)</li>"
        )
        dlq = doc["channels"].get(f"{channel_id}.dlq", {})
        sections.append(
            f'<h2 id="{_anchor("topic", channel_id)}">Topic <code>{escape(channel["address"])}'
            f"</code></h2><p>{_inline(channel.get('description', ''))} Owner: "
            f"<strong>{escape(channel['x-owner'])}</strong>. Consumed in the pipeline by: "
            f"{escape(', '.join(channel['x-consumers']) or 'nobody')}. Dead letters: "
            f"<code>{escape(dlq.get('address', channel['address'] + '.dlq'))}</code>.</p>"
            + "".join(_message(mid, messages[mid], doc) for mid in message_ids)
        )
    payloads = {mid for mid in messages}
    shared = [name for name in schemas if name not in payloads]
    types = "".join(
        f'<h3 id="{_anchor("schema", name)}"><code>{escape(name)}</code></h3>'
        f"{_markdown(schemas[name].get('description', ''))}{fields_table(schemas[name])}"
        for name in shared
        if name not in (CE_HEADERS, DLQ_HEADERS)
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(info["title"])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{escape(css_url, quote=True)}">
</head><body>
<h1>{escape(info["title"])} <small class="meta">v{escape(info["version"])}</small></h1>
<p class="meta">AsyncAPI {escape(doc["asyncapi"])} · machine-readable:
<a href="{escape(json_url, quote=True)}">{escape(json_url)}</a> · broker:
<code>{escape(server["host"])}</code> ({escape(server["protocol"])})</p>
{_markdown(info.get("description", ""))}
<nav><h2>Topics</h2><ul>{"".join(nav)}</ul></nav>
<h2 id="envelope">Envelope: record headers</h2>
{_markdown(schemas[CE_HEADERS]["description"])}{fields_table(schemas[CE_HEADERS])}
<h3 id="dead-letters">Dead-letter headers (on <code>&lt;topic&gt;.dlq</code>)</h3>
{_markdown(schemas[DLQ_HEADERS]["description"])}{fields_table(schemas[DLQ_HEADERS])}
{"".join(sections)}
<h2 id="types">Shared types</h2>{types}
</body></html>
"""
