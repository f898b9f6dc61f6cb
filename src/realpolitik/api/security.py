"""Write authorisation, the Host and request-size guards, security headers, and error
responses that never echo input or leak a traceback.

The guards are pure ASGI middleware so they act before FastAPI reads or parses anything,
and the 500 handler never lets a traceback reach the client (it is logged instead).
"""

from __future__ import annotations

import json
import logging
import math
import secrets
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from realpolitik.api.deps import ApiState, get_state

log = logging.getLogger("realpolitik.api")
bearer = HTTPBearer(auto_error=False, description="The token in REALPOLITIK_API_TOKEN.")


def require_writer(
    state: Annotated[ApiState, Depends(get_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Refuse writes unless a token is configured and the request carries it."""
    expected = state.settings.token
    if not expected:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "writes are disabled: set REALPOLITIK_API_TOKEN")
    given = credentials.credentials if credentials else ""
    if not secrets.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or invalid bearer token",
                            headers={"WWW-Authenticate": "Bearer"})


async def _send_json(send: Send, code: int, body: dict[str, str],
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body, ensure_ascii=True).encode("utf-8")
    await send({"type": "http.response.start", "status": code,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


class BodyLimitMiddleware:
    """Reject request bodies over ``max_bytes`` with 413, declared or streamed (chunked).

    A body is read whole (at most ``max_bytes``) before the app sees it and replayed to
    it, so no handler ever parses an oversized body.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        chunked = b"transfer-encoding" in headers
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _send_json(send, 400, {"detail": "invalid Content-Length"})
                return
            if size > self.max_bytes:
                await self._too_large(send)
                return
            if size == 0 and not chunked:
                await self.app(scope, receive, send)
                return
        elif not chunked:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await _send_json(send, 413, {"detail": f"request body over {self.max_bytes} bytes"},
                         [(b"connection", b"close")])


class InternalErrorMiddleware:
    """Answer any unhandled exception with 500 {"detail": "internal error"}; log the trace."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await _send_json(send, 500, {"detail": "internal error"})


# ------------------------------------------------------------ validation errors
def _error_item(error: dict[str, Any]) -> dict[str, Any]:
    """One validation problem without the offending input (it may be huge, NaN, or not
    encodable as UTF-8) and with a plainer message for non-JSON numbers."""
    value = error.get("input")
    msg = str(error.get("msg", "invalid value"))
    if isinstance(value, float) and not math.isfinite(value):
        msg = "NaN and Infinity are not valid JSON values"
    return {"loc": [str(part) for part in error.get("loc", ())], "msg": msg,
            "type": str(error.get("type", "value_error"))}


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    """422 listing where and why the request is invalid; safe for any input."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    body = json.dumps({"detail": [_error_item(e) for e in errors]}, ensure_ascii=True)
    return Response(body, status_code=422, media_type="application/json")


# --------------------------------------------------------------- Host and headers
def host_name(header: str) -> str:
    """The host part of a Host header, lower-cased: ``[::1]:8000`` -> ``[::1]``."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[:end + 1] if end > 0 else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostAllowListMiddleware:
    """Answer 400 to a request whose Host header is not an allowed name (DNS rebinding:
    a page on evil.example resolving to 127.0.0.1 sends ``Host: evil.example``)."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = frozenset(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        name = host_name(headers.get(b"host", b"").decode("latin-1"))
        if name not in self.allowed:
            await _send_json(send, 400, {"detail": "unknown Host header; allowed hosts are "
                                         "set with REALPOLITIK_ALLOWED_HOSTS or --allow-host"})
            return
        await self.app(scope, receive, send)


# Our pages load only their own scripts and styles; plotly.js sets inline styles on the
# SVG it draws, so styles (never scripts) may be inline.
DASHBOARD_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                 "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                 "object-src 'none'; base-uri 'none'; form-action 'self'; "
                 "frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    """Add nosniff, frame denial, the referrer and cross-origin policies and a
    Content-Security-Policy to every response; a route that sets its own CSP (the API docs
    page) keeps it."""

    def __init__(self, app: ASGIApp, csp: str = DASHBOARD_CSP) -> None:
        self.app = app
        self.csp = csp.encode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", self.csp))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
