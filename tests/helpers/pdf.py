"""Read the text a reportlab PDF draws (for assertions on generated documents)."""

from __future__ import annotations

import base64
import re
import zlib


def pdf_text(document: bytes) -> str:
    """The text operators of a reportlab PDF (page streams are ASCII85 + Flate encoded)."""
    texts = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", document, re.DOTALL):
        try:
            texts.append(
                zlib.decompress(base64.a85decode(stream.strip(), adobe=True)).decode("latin-1")
            )
        except (ValueError, zlib.error):
            continue
    return "\n".join(texts).replace("\\(", "(").replace("\\)", ")")
