"""The Swagger UI and Redoc pages, and every file they load, served by the gateway itself.

Nothing on a docs page comes from another origin (docs/adr/0058): the Swagger UI and Redoc
bundles are the files the `fastapi-offline` package ships (installed from PyPI with the
gateway, so the docs work offline), and the pages start them without inline script - the
Swagger UI configuration travels as a JSON data block that `swagger-init.js` (ours) reads.
So the docs pages' Content-Security-Policy can allow scripts from 'self' only.

Assets are an explicit table (name -> file or text, media type): nothing else is served, and
a name is never joined to a path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from typing import Any

from starlette.responses import HTMLResponse, Response

from gateway.docs.asyncapi_page import STYLE as ASYNCAPI_STYLE

ASSETS_PATH = "/docs/assets"
# Long enough to spare a reader the 2.7 MB again; the file names change with nothing but a
# gateway upgrade, after which a day-old copy of a bundle still renders the same document.
ASSET_CACHE_CONTROL = "public, max-age=86400"
_VENDOR = files("fastapi_offline") / "static"

_SWAGGER_INIT = """\
// Starts Swagger UI with the settings of the page's JSON block (no inline script: CSP).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-ui-config").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  window.ui = SwaggerUIBundle(config);
})();
"""
_REDOC_STYLE = "body { margin: 0; padding: 0; }\n"


@dataclass(frozen=True)
class Asset:
    media_type: str
    vendor_file: str | None = None
    text: str | None = None

    def body(self) -> bytes:
        if self.vendor_file is not None:
            return (_VENDOR / self.vendor_file).read_bytes()
        assert self.text is not None
        return self.text.encode()


ASSETS = {
    "swagger-ui-bundle.js": Asset("text/javascript", vendor_file="swagger-ui-bundle.js"),
    "swagger-ui.css": Asset("text/css", vendor_file="swagger-ui.css"),
    "redoc.standalone.js": Asset("text/javascript", vendor_file="redoc.standalone.js"),
    "favicon.png": Asset("image/png", vendor_file="favicon.png"),
    "swagger-init.js": Asset("text/javascript", text=_SWAGGER_INIT),
    "redoc.css": Asset("text/css", text=_REDOC_STYLE),
    "asyncapi.css": Asset("text/css", text=ASYNCAPI_STYLE),
}


def asset_url(root: str, name: str) -> str:
    if name not in ASSETS:
        raise KeyError(name)
    return f"{root}{ASSETS_PATH}/{name}"


class AssetFiles:
    """The bodies of `ASSETS`, read from the package once, on first use."""

    def __init__(self) -> None:
        self._bodies: dict[str, bytes] = {}

    def response(self, name: str) -> Response | None:
        asset = ASSETS.get(name)
        if asset is None:
            return None
        if name not in self._bodies:
            self._bodies[name] = asset.body()
        return Response(self._bodies[name], media_type=asset.media_type,
                        headers={"Cache-Control": ASSET_CACHE_CONTROL})  # fmt: skip


def _json_block(value: dict[str, Any]) -> str:
    # `<` escaped: no value can close the block (`</script>`) or open a comment.
    return json.dumps(value).replace("<", "\\u003c")


def swagger_ui_page(*, root: str, openapi_url: str, title: str) -> HTMLResponse:
    config = {
        "url": openapi_url,
        "layout": "BaseLayout",
        "deepLinking": True,
        "showExtensions": True,
        "showCommonExtensions": True,
        "persistAuthorization": True,
        "displayOperationId": True,
        # No badge image from validator.swagger.io: nothing on the page leaves this origin.
        "validatorUrl": None,
    }
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{asset_url(root, "swagger-ui.css")}">
<link rel="icon" href="{asset_url(root, "favicon.png")}">
</head><body>
<div id="swagger-ui"></div>
<script type="application/json" id="swagger-ui-config">{_json_block(config)}</script>
<script src="{asset_url(root, "swagger-ui-bundle.js")}"></script>
<script src="{asset_url(root, "swagger-init.js")}"></script>
</body></html>
""")


def redoc_page(*, root: str, openapi_url: str, title: str) -> HTMLResponse:
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{asset_url(root, "redoc.css")}">
<link rel="icon" href="{asset_url(root, "favicon.png")}">
</head><body>
<noscript>Redoc needs JavaScript; the document itself is at
<a href="{escape(openapi_url, quote=True)}">{escape(openapi_url)}</a>.</noscript>
<redoc spec-url="{escape(openapi_url, quote=True)}"></redoc>
<script src="{asset_url(root, "redoc.standalone.js")}"></script>
</body></html>
""")
