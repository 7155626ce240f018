"""One client for an OpenAI-compatible chat endpoint (OpenAI, Azure, Ollama, vLLM, llama.cpp).

The persona and the LLM judge share it. Every call has a timeout and no hidden retries; any
failure returns None and the caller falls back to the offline way. The client library is
imported only when an endpoint is configured.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # The client library takes about a second to import; only a configured endpoint needs it.
    from openai import AsyncOpenAI

log = logging.getLogger(__name__)


class LlmClient:
    """Chat completions on one model, with a timeout per call."""

    def __init__(self, client: AsyncOpenAI, model: str, timeout_s: float) -> None:
        self.client = client
        self.model = model
        self.timeout_s = timeout_s

    @classmethod
    def connect(cls, base_url: str, api_key: str, model: str, timeout_s: float) -> LlmClient:
        """A client for the endpoint of the ``TERMCOACH_LLM_*`` settings."""
        from openai import AsyncOpenAI  # noqa: PLC0415  (heavy; only when configured)

        client = AsyncOpenAI(
            base_url=base_url,
            api_key=api_key,
            timeout=timeout_s,
            # A retry doubles the wait inside a chat turn; the offline coach is the fallback.
            max_retries=0,
        )
        return cls(client, model, timeout_s)

    async def complete(
        self,
        system: str,
        user: str,
        *,
        max_tokens: int,
        temperature: float = 0.7,
        schema: dict[str, Any] | None = None,
        purpose: str = "LLM",
    ) -> str | None:
        """The model's reply text, or None on any failure (logged, never raised)."""
        extra: dict[str, Any] = {}
        if schema is not None:
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "feedback", "schema": schema},
            }
        try:
            # The client has its own timeout; this one also bounds connection set-up and a
            # server that trickles bytes.
            response = await asyncio.wait_for(
                self.client.chat.completions.create(
                    model=self.model,
                    messages=[
                        {"role": "system", "content": system},
                        {"role": "user", "content": user},
                    ],
                    max_tokens=max_tokens,
                    temperature=temperature,
                    **extra,
                ),
                timeout=self.timeout_s + 1,
            )
            content = response.choices[0].message.content
        except Exception as exc:  # any failure means "use the offline way"
            log.warning("%s unavailable (%s); using the offline coach", purpose, type(exc).__name__)
            return None
        return content if isinstance(content, str) else None
