"""The `/ops` routes: login form, the dashboard, its refresh fragment, dead-letter pages.

Authentication (ADR 0100): the login form posts a client id and secret; the gateway runs its
own token endpoint logic (`AuthServer.token`: the same client check, rate limits and audit of
failures) and keeps the access token in a cookie `imet_ops` - HttpOnly, SameSite=Strict,
Path=/ops, Secure when the request came over https, Max-Age the token's lifetime. Every page
verifies the token again (signature, expiry, revoked clients) and admits admins and auditors
only; the dead-letter pages admins only (as `/api/v1/ops/dlq`). The token never appears in a
URL, a page or a log line. POSTs are refused from another site (Origin / Sec-Fetch-Site).
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Path, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from gateway.oauth import GRANT_TYPE, AuthServer, OAuthError, _form
from gateway.ops_dashboard import pages
from gateway.ops_dashboard.markup import Safe
from gateway.ops_dashboard.sources import Figures, Sources
from gateway.ops_dlq import DeadLetterOps, _parse
from gateway.revocations import RevocationList
from gateway.upstreams import UpstreamPool
from shared.auth.principal import Principal, Role
from shared.auth.tokens import AuthError, TokenVerifier
from shared.http.problems import ProblemException
from shared.messaging.dlq import DeadLetterFilter
from shared.observability import get_logger

BASE = pages.BASE
COOKIE = "imet_ops"
ALLOWED = frozenset({Role.ADMIN, Role.AUDITOR})
MAX_DLQ_ROWS = 200
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_STATIC = {"ops.css": "text/css; charset=utf-8", "ops.js": "text/javascript; charset=utf-8"}
log = get_logger("gateway.ops_dashboard")


def page(content: Safe, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(
        str(content), status_code=status, headers={**PAGE_HEADERS, **(headers or {})}
    )


def _redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303, headers=PAGE_HEADERS)


def _same_site(request: Request) -> bool:
    """A form post from this gateway's own pages (login CSRF, logout CSRF).

    Browsers that send `Sec-Fetch-Site` are believed; for others the Origin must name this
    host. (With `Referrer-Policy: no-referrer` Chromium sends `Origin: null` on a form post,
    so Origin alone cannot tell.)"""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def _static_files() -> dict[str, bytes]:
    folder = resources.files("gateway.ops_dashboard") / "static"
    return {name: (folder / name).read_bytes() for name in _STATIC}


class OpsDashboard:
    def __init__(self, auth: AuthServer, pool: UpstreamPool, dlq: DeadLetterOps) -> None:
        self.auth = auth
        self.sources = Sources(pool)
        self.dlq = dlq
        self.static = _static_files()

    async def session(self, request: Request) -> Principal | None:
        """The verified holder of the session cookie; None without a valid one."""
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        verifier: TokenVerifier | None = getattr(request.app.state, "verifier", None)
        revocations: RevocationList | None = getattr(request.app.state, "revocations", None)
        if verifier is None:
            return None
        try:
            principal = await verifier.averify(token)
            if revocations is not None:
                revocations.check(principal)
        except AuthError:
            return None
        return principal

    async def login(self, request: Request) -> Response:
        if not _same_site(request):
            return page(pages.message_page("Forbidden", "Sign in from this site's form."), 403)
        try:
            form = await _form(request)
        except OAuthError:
            return page(pages.login_page("The form could not be read."), 400)
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if not client_id or not secret:
            return page(pages.login_page("Enter the client id and the secret."), 400)
        verifier: TokenVerifier | None = getattr(request.app.state, "verifier", None)
        if verifier is None:
            return page(pages.message_page("Unavailable", "The gateway is starting."), 503)
        remote = request.client.host if request.client else "unknown"
        grant = {"grant_type": GRANT_TYPE, "client_id": client_id, "client_secret": secret}
        try:
            answer = await self.auth.token(grant, None, remote)
        except OAuthError as error:
            status = 401 if error.status == 401 else 400
            text = "Wrong client id or secret." if status == 401 else error.description
            return page(pages.login_page(text), status)
        except ProblemException as problem:  # 429: too many attempts
            return page(
                pages.login_page(problem.detail or problem.title),
                problem.status,
                {k: v for k, v in problem.headers.items() if k.lower() == "retry-after"},
            )
        token = str(answer["access_token"])
        try:
            principal = await verifier.averify(token)
        except AuthError as exc:  # the verifier does not trust this issuer: a broken deployment
            log.error("ops.login_unverifiable", error=type(exc).__name__)
            return page(pages.message_page("Unavailable", "The token could not be verified."), 503)
        if principal.roles.isdisjoint(ALLOWED):
            log.warning("ops.login_refused", client_id=principal.subject, reason="role")
            return page(
                pages.message_page(
                    "Forbidden", "The operations dashboard is for admins and auditors."
                ),
                403,
            )
        log.info("ops.login", client_id=principal.subject, roles=sorted(principal.roles))
        response = _redirect(BASE)
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(answer["expires_in"]),
            path=BASE,
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="strict",
        )
        return response

    async def viewer(self, request: Request, *, admin_only: bool = False) -> Principal | Response:
        """The signed-in admin or auditor, or the answer to give instead (sign in / 403)."""
        principal = await self.session(request)
        if principal is None:
            return _redirect(f"{BASE}/login")
        wanted = {Role.ADMIN} if admin_only else ALLOWED
        if principal.roles.isdisjoint(wanted):
            who = "admins" if admin_only else "admins and auditors"
            return page(
                pages.message_page("Forbidden", f"This page is for {who}.", viewer=principal), 403
            )
        return principal

    async def figures_of(self, request: Request) -> Figures:
        return await self.sources.gather(request.cookies[COOKIE], datetime.now(UTC))


def install_ops_dashboard(
    app: FastAPI, auth: AuthServer, pool: UpstreamPool, dlq: DeadLetterOps
) -> OpsDashboard:
    ops = OpsDashboard(auth, pool, dlq)
    hidden: dict[str, Any] = {"include_in_schema": False}

    @app.get(f"{BASE}/login", **hidden)
    async def login_form(request: Request) -> Response:
        if await ops.session(request) is not None:
            return _redirect(BASE)
        return page(pages.login_page())

    @app.post(f"{BASE}/login", **hidden)
    async def login(request: Request) -> Response:
        return await ops.login(request)

    @app.post(f"{BASE}/logout", **hidden)
    async def logout(request: Request) -> Response:
        if not _same_site(request):
            return page(pages.message_page("Forbidden", "Log out from this site's pages."), 403)
        response = _redirect(f"{BASE}/login")
        response.delete_cookie(
            COOKIE,
            path=BASE,
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="strict",
        )
        return response

    @app.get(BASE, **hidden)
    async def dashboard(request: Request) -> Response:
        viewer = await ops.viewer(request)
        if isinstance(viewer, Response):
            return viewer
        figures = await ops.figures_of(request)
        return page(pages.dashboard(figures, viewer, admin=Role.ADMIN in viewer.roles))

    @app.get(f"{BASE}/panels", **hidden)
    async def panels(request: Request) -> Response:
        viewer = await ops.viewer(request)
        if isinstance(viewer, Response):
            return viewer
        figures = await ops.figures_of(request)
        return page(pages.panels(figures, admin=Role.ADMIN in viewer.roles))

    @app.get(f"{BASE}/dlq", **hidden)
    async def dead_letters(
        request: Request, topic: Annotated[str, Query(min_length=1, max_length=249)]
    ) -> Response:
        viewer = await ops.viewer(request, admin_only=True)
        if isinstance(viewer, Response):
            return viewer
        try:
            letters = await ops.dlq.find(DeadLetterFilter(topic=topic))
        except ProblemException as problem:
            return page(
                pages.message_page(problem.title, problem.detail or "", viewer=viewer),
                problem.status,
            )
        log.info("dlq.listed", actor=viewer.subject, count=len(letters), via="ops")
        shown = [d.summary() for d in letters[:MAX_DLQ_ROWS]]
        return page(pages.dlq_list_page(topic, shown, len(letters), viewer))

    @app.get(BASE + "/dlq/{dlq_id}", **hidden)
    async def dead_letter(
        request: Request, dlq_id: Annotated[str, Path(max_length=300)]
    ) -> Response:
        viewer = await ops.viewer(request, admin_only=True)
        if isinstance(viewer, Response):
            return viewer
        try:
            letter = await ops.dlq.get(_parse(dlq_id))
        except ProblemException as problem:
            return page(
                pages.message_page(problem.title, problem.detail or "", viewer=viewer),
                problem.status,
            )
        log.info("dlq.shown", actor=viewer.subject, id=str(letter.id), via="ops")
        return page(pages.dlq_record_page(letter.detail(), viewer))

    @app.get(BASE + "/static/{name}", **hidden)
    async def static(name: str) -> Response:
        body = ops.static.get(name)
        if body is None:
            return Response(status_code=404, headers=PAGE_HEADERS)
        return Response(body, media_type=_STATIC[name], headers=PAGE_HEADERS)

    return ops
