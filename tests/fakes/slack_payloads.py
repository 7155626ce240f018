"""Slack's requests to termcoach, built the way Slack builds them: for tests and benches alike.

Slash commands (form encoded), button presses (``block_actions``, a form field holding JSON),
events (JSON ``event_callback`` envelopes), and the two signature headers Slack adds to each,
computed with slack_sdk's own `SignatureVerifier`. The bodies are strings, ready to be posted to
``/slack/events``; a press is built from a message the fake Web API recorded
(`tests.fakes.slack_server.SlackCall`), so it carries the blocks termcoach really sent.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_server import SlackCall

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
APP_ID = "A0TERMCOACH"
COMMAND = "/termcoach"


def signed_headers(
    body: str,
    secret: str,
    *,
    content_type: str | None = None,
    timestamp: int | None = None,
    retry: int | None = None,
) -> dict[str, str]:
    """The headers of a request Slack sends: its signature, and a retry's number if any."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if retry:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return headers


def slash_command(
    text: str,
    *,
    team: str,
    channel: str,
    user: str,
    response_url: str,
    trigger_id: str,
    command: str = COMMAND,
) -> str:
    """A slash command as Slack posts it (form encoded); a ``D…`` channel is a DM."""
    return urllib.parse.urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": team.lower(),
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def find_button(call: SlackCall, which: int | str = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """(actions block, button) of a recorded message's button, by index or by label."""
    buttons = [
        (b, e)
        for b in call.blocks
        if b.get("type") == "actions"
        for e in b["elements"]
        if e.get("type") == "button"
    ]
    for i, (block, element) in enumerate(buttons):
        if which in (i, element["text"]["text"]):
            return block, element
    raise AssertionError(f"no button {which!r} in {call.method}: {call.all_text()}")


def press(
    call: SlackCall,
    which: int | str = 0,
    *,
    team: str,
    channel: str,
    user: str,
    response_url: str,
    trigger_id: str,
    message_ts: str,
    action_ts: str = "1700000000.000300",
) -> str:
    """A press on a button of a recorded message, as Slack posts it (``block_actions``).

    A message posted with ``chat.postMessage`` is public: the press names its channel and ts and
    carries a copy of it. An ephemeral one (``response_url``, ``chat.postEphemeral``) carries
    neither the message nor a real ts, as on Slack: `message_ts` stands in.
    """
    block, element = find_button(call, which)
    action = {
        "action_id": element["action_id"],
        "block_id": block["block_id"],
        "text": element["text"],
        "value": element["value"],
        "type": "button",
        "action_ts": action_ts,
    }
    return actions_body(
        _action_payload(
            call,
            action,
            team=team,
            channel=channel,
            user=user,
            response_url=response_url,
            trigger_id=trigger_id,
            message_ts=message_ts,
        )
    )


def select_payload(
    call: SlackCall,
    value: str,
    *,
    team: str,
    channel: str,
    user: str,
    response_url: str,
    trigger_id: str,
    message_ts: str = "1700000000.000200",
    action_ts: str = "1700000000.000300",
) -> dict[str, Any]:
    """A choice in a ``static_select`` menu of a recorded message, as Slack sends it.

    The action carries the chosen option as ``selected_option`` (no ``value`` of its own).
    """
    for block in call.blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("type") != "static_select":
                continue
            for option in element["options"]:
                if option["value"] == value:
                    action = {
                        "type": "static_select",
                        "action_id": element["action_id"],
                        "block_id": block["block_id"],
                        "selected_option": option,
                        "placeholder": element.get("placeholder"),
                        "action_ts": action_ts,
                    }
                    return _action_payload(
                        call,
                        action,
                        team=team,
                        channel=channel,
                        user=user,
                        response_url=response_url,
                        trigger_id=trigger_id,
                        message_ts=message_ts,
                    )
    raise AssertionError(f"no select option {value!r} in {call.method}: {call.all_text()}")


def _action_payload(
    call: SlackCall,
    action: dict[str, Any],
    *,
    team: str,
    channel: str,
    user: str,
    response_url: str,
    trigger_id: str,
    message_ts: str,
) -> dict[str, Any]:
    ephemeral = call.method in {"response_url", "chat.postEphemeral"}
    ts = message_ts
    if call.method == "chat.postMessage":
        assert call.response is not None
        ts = call.response["ts"]
        channel = call.response["channel"]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": trigger_id,
        "team": {"id": team, "domain": team.lower()},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "general"},
        "response_url": response_url,
        "actions": [action],
    }
    if not ephemeral:
        message = {"type": "message", "ts": ts, "text": call.text, "blocks": call.blocks}
        if call.params.get("thread_ts"):
            message["thread_ts"] = call.params["thread_ts"]
        payload["message"] = message
    return payload


def home_button(name: str, *, team: str, user: str, trigger_id: str) -> str:
    """A press on one of the App Home tab's buttons, as Slack posts it."""
    return actions_body(home_button_payload(name, team=team, user=user, trigger_id=trigger_id))


def home_button_payload(name: str, *, team: str, user: str, trigger_id: str) -> dict[str, Any]:
    """The payload of a press on an App Home button (``termcoach:home:<name>``)."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "api_app_id": APP_ID,
        "container": {"type": "view", "view_id": "V123"},
        "trigger_id": trigger_id,
        "team": {"id": team, "domain": team.lower()},
        "view": {"id": "V123", "type": "home"},
        "actions": [
            {
                "action_id": f"termcoach:home:{name}",
                "block_id": "home",
                "value": name,
                "type": "button",
                "action_ts": "1700000000.1",
            }
        ],
    }


def actions_body(payload: dict[str, Any]) -> str:
    """An interactivity payload as Slack posts it: one form field holding the JSON."""
    return "payload=" + urllib.parse.quote(json.dumps(payload))


def event_body(event: dict[str, Any], *, team: str, event_id: str) -> str:
    """An Events API envelope (``event_callback``) around `event`, as Slack posts it (JSON)."""
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
        }
    )


def dm_event(text: str, *, user: str, ts: str) -> dict[str, Any]:
    """A ``message.im`` event: `user` writes `text` in their DM with the bot (``D<user>``)."""
    return {
        "type": "message",
        "channel": "D" + user,
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }


def mention_event(text: str, *, user: str, channel: str, ts: str) -> dict[str, Any]:
    """An ``app_mention`` event in `channel` (`text` starts with the bot's mention)."""
    return {
        "type": "app_mention",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }
