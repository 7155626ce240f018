"""The mock-up scripts in docs/mockups still run: capture a flow per platform, render the HTML.

No screenshots here (Chromium is a docs tool, not a test dependency): the HTML must show the
daily post's text and its buttons, as the bot sent them.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.telegram_support import local_dns_only

MOCKUPS = Path(__file__).resolve().parents[1] / "docs" / "mockups"

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"mockups_{name}", MOCKUPS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    local_dns_only(monkeypatch)


class _Text(HTMLParser):
    """The words a browser shows (style sheets left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.words += data.split()


def _words(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(parser.words)


def _first_post(data: dict[str, Any]) -> dict[str, Any]:
    """The first message the bot sent after the daily pass (the note that says it runs)."""
    events = data["events"]
    start = next(i for i, e in enumerate(events) if e.get("action") == "note")
    methods = ("chat.postMessage", "sendMessage")
    return next(e for e in events[start:] if e.get("method") in methods)["params"]


def _labels(data: dict[str, Any], post: dict[str, Any]) -> list[str]:
    if data["platform"] == "slack":
        return [
            e["text"]["text"]
            for b in post["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["type"] == "button"
        ]
    return [b["text"] for row in post["reply_markup"]["inline_keyboard"] for b in row]


async def test_capture_and_render_the_daily_post_on_both_platforms(tmp_path: Path) -> None:
    capture, render = _load("capture"), _load("render")
    written = await capture.capture(tmp_path, ["slack-daily", "telegram-daily"])
    assert sorted(p.name for p in written) == ["slack-daily.json", "telegram-daily.json"]
    made = render.render(tmp_path, pictures=False)
    assert sorted(p.name for p in made) == ["slack-daily.html", "telegram-daily.html"]

    for name in ("slack-daily", "telegram-daily"):
        data = json.loads((tmp_path / f"{name}.json").read_text())
        page = (tmp_path / f"{name}.html").read_text()
        post = _first_post(data)
        labels = _labels(data, post)
        assert labels, post
        for label in labels:
            assert f">{render.esc(label)}<" in page, (name, label)
        # The post's first words, as the client shows them (no markup left over).
        words = html.unescape(re.sub(r"<[^>]+>|[*_]", "", post["text"])).split()[:4]
        assert " ".join(words) in _words(page), (name, words)
        # Someone pressed a button of the post, and the flow recorded it.
        assert any(e.get("action") == "press" for e in data["events"]), name


def test_mrkdwn_and_telegram_html_render_like_the_clients() -> None:
    render = _load("render")
    shown = render.mrkdwn("*Term* _noun_ `code` <https://x.test|link> &lt;b&gt; ~old~")
    assert "<b>Term</b>" in shown and "<i>noun</i>" in shown and "<s>old</s>" in shown
    assert '<code class="sk-code">code</code>' in shown and ">link</a>" in shown
    assert "&lt;b&gt;" in shown  # an escaped tag stays text
    shown = render.telegram_html("<b>x</b> <blockquote expandable>a\nb</blockquote> <x>")
    assert "<b>x</b>" in shown and "expandable closed" in shown
    assert '<span class="raw">&lt;x&gt;</span>' in shown  # unknown markup shows raw
