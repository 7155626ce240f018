"""Configuration from the environment (and an optional ``.env``), via pydantic-settings.

Every setting is documented in ``.env.example``. Secrets are `SecretStr` so they never print.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import EngineConfig


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """All of termcoach's settings; platform adapters start only when their credentials are set."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default="sqlite+aiosqlite:///termcoach.db", validation_alias=_env("TERMCOACH_DATABASE_URL")
    )
    content_path: Path | None = Field(default=None, validation_alias=_env("TERMCOACH_CONTENT_PATH"))
    replicas: int = Field(default=1, ge=1, validation_alias=_env("TERMCOACH_REPLICAS"))
    log_level: str = Field(default="INFO", validation_alias=_env("TERMCOACH_LOG_LEVEL"))
    log_format: str = Field(default="text", validation_alias=_env("TERMCOACH_LOG_FORMAT"))
    http_host: str = Field(default="0.0.0.0", validation_alias=_env("TERMCOACH_HTTP_HOST"))
    http_port: int = Field(default=8080, validation_alias=_env("TERMCOACH_HTTP_PORT"))
    secret_key: SecretStr | None = Field(
        default=None, validation_alias=_env("TERMCOACH_SECRET_KEY")
    )
    default_timezone: str = Field(default="UTC", validation_alias=_env("TERMCOACH_TIMEZONE"))

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=_env("TELEGRAM_BOT_TOKEN")
    )
    telegram_webhook_url: str | None = Field(
        default=None, validation_alias=_env("TELEGRAM_WEBHOOK_URL")
    )
    telegram_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("TELEGRAM_WEBHOOK_SECRET")
    )
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", validation_alias=_env("TELEGRAM_API_BASE_URL")
    )

    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_BOT_TOKEN")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_APP_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_client_id: str | None = Field(default=None, validation_alias=_env("SLACK_CLIENT_ID"))
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_CLIENT_SECRET")
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/", validation_alias=_env("SLACK_API_URL")
    )
    slack_admins: str = Field(default="", validation_alias=_env("TERMCOACH_SLACK_ADMINS"))

    llm_base_url: str | None = Field(default=None, validation_alias=_env("TERMCOACH_LLM_BASE_URL"))
    llm_model: str | None = Field(default=None, validation_alias=_env("TERMCOACH_LLM_MODEL"))
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("TERMCOACH_LLM_API_KEY")
    )
    llm_timeout_s: float = Field(default=8.0, validation_alias=_env("TERMCOACH_LLM_TIMEOUT"))

    metrics_port: int = Field(
        default=9464, ge=0, le=65535, validation_alias=_env("TERMCOACH_METRICS_PORT")
    )
    metrics_host: str | None = Field(default=None, validation_alias=_env("TERMCOACH_METRICS_HOST"))
    db_connect_timeout_s: float = Field(
        default=5.0, gt=0, validation_alias=_env("TERMCOACH_DB_CONNECT_TIMEOUT")
    )
    db_command_timeout_s: float = Field(
        default=10.0, gt=0, validation_alias=_env("TERMCOACH_DB_COMMAND_TIMEOUT")
    )
    ready_timeout_s: float = Field(
        default=3.0, gt=0, validation_alias=_env("TERMCOACH_READY_TIMEOUT")
    )
    outbox_lease_s: float = Field(
        default=15.0, ge=1, validation_alias=_env("TERMCOACH_OUTBOX_LEASE")
    )
    outbox_poll_s: float = Field(default=1.0, gt=0, validation_alias=_env("TERMCOACH_OUTBOX_POLL"))
    platform_timeout_s: float | None = Field(
        default=None, gt=0, validation_alias=_env("TERMCOACH_PLATFORM_TIMEOUT")
    )
    flood_burst: int = Field(default=30, ge=1, validation_alias=_env("TERMCOACH_FLOOD_BURST"))
    flood_rate: float = Field(default=2.0, gt=0, validation_alias=_env("TERMCOACH_FLOOD_RATE"))

    scheduler_interval_s: int = Field(
        default=30, ge=1, le=30, validation_alias=_env("TERMCOACH_SCHEDULER_INTERVAL")
    )

    @property
    def telegram_enabled(self) -> bool:
        """True when a Telegram bot token is configured."""
        return self.telegram_bot_token is not None and bool(
            self.telegram_bot_token.get_secret_value()
        )

    @property
    def slack_enabled(self) -> bool:
        """True when Slack can run: a bot token, or OAuth client credentials."""
        token = self.slack_bot_token.get_secret_value() if self.slack_bot_token else ""
        return bool(token) or bool(self.slack_client_id and self.slack_client_secret)

    @property
    def llm_enabled(self) -> bool:
        """True when an OpenAI-compatible endpoint, model and key are all configured."""
        return bool(self.llm_base_url and self.llm_model and self.llm_api_key)

    @property
    def engine_config(self) -> EngineConfig:
        """The part of the settings the engine reads."""
        return EngineConfig(default_timezone=self.default_timezone)
