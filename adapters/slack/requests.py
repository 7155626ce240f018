"""What bolt never sees: unsigned, stale or unreadable requests, refused with 401 or 400.

bolt logs an unsigned request's whole body at INFO, and answers a non-numeric timestamp header
or a broken JSON body with a 500 and an ERROR traceback. `refuse` runs first: only a request
signed with our secret, with a body bolt can parse, goes on; nothing of the others is logged.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response


async def refuse(request: Request, verifier: SignatureVerifier) -> Response | None:
    """401 for a request not signed by Slack, 400 for an unreadable one, else None."""
    body = await request.body()
    timestamp = request.headers.get("x-slack-request-timestamp", "")
    signature = request.headers.get("x-slack-signature", "")
    if not timestamp.isdigit() or not signature:
        return PlainTextResponse("unsigned", status_code=401)
    if not verifier.is_valid(body, timestamp, signature):
        return PlainTextResponse("invalid signature", status_code=401)
    try:
        text = body.decode("utf-8")
        if request.headers.get("content-type", "").startswith("application/json"):
            if not isinstance(json.loads(text), dict):
                raise ValueError("a Slack event is a JSON object")
        else:
            payload = parse_qs(text).get("payload")
            if payload and not isinstance(json.loads(payload[0]), dict):
                raise ValueError("a Slack payload is a JSON object")
    except ValueError:
        return PlainTextResponse("malformed body", status_code=400)
    return None
