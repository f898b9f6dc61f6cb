"""Write authorisation, the request-size guard and the catch-all error response.

The guards are pure ASGI middleware so they act before FastAPI reads or parses anything,
and the 500 handler never lets a traceback reach the client (it is logged instead).
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, status
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
    data = json.dumps(body).encode("utf-8")
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
