"""Installing termcoach in many workspaces: its scopes, bolt's installation and state stores.

The stores keep installations and one-time OAuth states in our tables, through the
`storage.slack_installs` repository.

Bot tokens are encrypted at rest with Fernet under ``TERMCOACH_SECRET_KEY`` (`TokenCipher`); they
are decrypted only to authorize a request or send a message, and never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from datetime import UTC, datetime

from cachetools import TTLCache
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from storage import slack_installs
from storage.db import Database
from storage.slack_installs import InstallationRow

log = logging.getLogger("termcoach.slack.install")

# The bot scopes termcoach asks for, and nothing more (deploy/slack-manifest.yaml lists the same):
# commands (the slash command), chat:write (post, ephemeral, update), app_mentions:read and
# im:history (the two message events), im:write (open the DM an App Home button starts in),
# files:write (the progress chart of `stats chart`).
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "files:write",
    "im:history",
    "im:write",
)

# A workspace's installation is read on every request in multi-workspace mode; a short cache
# keeps that off the database. Deletions on this replica clear it at once; another replica's
# cache lives at most this long, and a removed token then only earns a logged invalid_auth.
FIND_CACHE_SECONDS = 30.0
FIND_CACHE_SIZE = 1024


class TokenCipher:
    """Fernet encryption of bot tokens, keyed by ``TERMCOACH_SECRET_KEY``.

    The setting may list several keys, comma-separated, newest first: tokens are encrypted with
    the first and decrypted with whichever fits, so a key is rotated by putting the new one in
    front and dropping the old one once `rotate` re-encrypted every token. A valid Fernet key is
    used as is; any other secret is stretched to one with HKDF-SHA256.
    """

    def __init__(self, secret: str) -> None:
        """Use the keys in `secret` (TERMCOACH_SECRET_KEY); an empty one is refused."""
        keys = [k.strip() for k in secret.split(",") if k.strip()]
        if not keys:
            raise ValueError("TERMCOACH_SECRET_KEY is empty")
        self._fernets = [Fernet(self.derive_key(k)) for k in keys]
        self._fernet = MultiFernet(self._fernets)
        self.state_key = hashlib.sha256(b"termcoach-oauth-state:" + keys[0].encode()).digest()

    @staticmethod
    def derive_key(secret: str) -> bytes:
        """The Fernet key for `secret`."""
        raw = secret.encode()
        try:
            if len(base64.urlsafe_b64decode(raw)) == 32:
                return raw
        except ValueError:
            pass
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"termcoach-slack-tokens")
        return base64.urlsafe_b64encode(hkdf.derive(raw))

    def encrypt(self, token: str) -> bytes:
        """Encrypt a token with the newest key."""
        return self._fernet.encrypt(token.encode())

    def readable(self, blob: bytes) -> bool:
        """True when one of the keys decrypts `blob` (logs nothing)."""
        try:
            self._fernet.decrypt(blob)
        except InvalidToken:
            return False
        return True

    def is_current(self, blob: bytes) -> bool:
        """True when `blob` is encrypted with the newest key."""
        try:
            self._fernets[0].decrypt(blob)
        except InvalidToken:
            return False
        return True

    def rotate(self, blob: bytes) -> bytes:
        """`blob` encrypted again with the newest key (raises InvalidToken if no key fits)."""
        return self._fernet.rotate(blob)

    def decrypt(self, blob: bytes) -> str | None:
        """Decrypt a token; None (and a log line) when no key fits or the data is damaged."""
        try:
            return self._fernet.decrypt(blob).decode()
        except InvalidToken:
            log.error(
                "cannot decrypt a stored Slack bot token: TERMCOACH_SECRET_KEY changed since "
                "the workspace installed termcoach. Put the old key after the new one "
                "(TERMCOACH_SECRET_KEY=new,old), or reinstall from /slack/install"
            )
            return None


def _scopes(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return ",".join(str(v) for v in value)  # type: ignore[attr-defined]


class SqlInstallationStore(AsyncInstallationStore):
    """bolt's `AsyncInstallationStore` over our ``slack_installations`` table (bot tokens only)."""

    def __init__(self, db: Database, cipher: TokenCipher, client_id: str = "") -> None:
        """Store installations in `db`, tokens encrypted with `cipher`."""
        self.db = db
        self.cipher = cipher
        self.client_id = client_id
        self._cache: TTLCache[tuple[str, str], Bot] = TTLCache(
            maxsize=FIND_CACHE_SIZE, ttl=FIND_CACHE_SECONDS
        )

    @property
    def logger(self) -> logging.Logger:
        """The store's logger (bolt asks for it)."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Store (or replace) the workspace's bot installation."""
        if not installation.bot_token or not installation.team_id:
            log.warning("ignoring a Slack installation without a bot token or team id")
            return
        await self._upsert(
            enterprise_id=installation.enterprise_id or "",
            team_id=installation.team_id,
            team_name=installation.team_name,
            bot_user_id=installation.bot_user_id,
            bot_id=installation.bot_id,
            bot_token=installation.bot_token,
            bot_scopes=_scopes(installation.bot_scopes),
            installer_user_id=installation.user_id,
        )
        log.info("Slack workspace %s installed termcoach", installation.team_id)

    async def async_save_bot(self, bot: Bot) -> None:
        """Store (or replace) a bot installation."""
        await self._upsert(
            enterprise_id=bot.enterprise_id or "",
            team_id=bot.team_id or "",
            team_name=bot.team_name,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=_scopes(bot.bot_scopes),
            installer_user_id=None,
        )

    async def _upsert(
        self,
        *,
        enterprise_id: str,
        team_id: str,
        team_name: str | None,
        bot_user_id: str | None,
        bot_id: str | None,
        bot_token: str,
        bot_scopes: str,
        installer_user_id: str | None,
    ) -> None:
        self._cache.pop((enterprise_id, team_id), None)
        row = InstallationRow(
            enterprise_id=enterprise_id,
            team_id=team_id,
            team_name=team_name,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            bot_token_encrypted=self.cipher.encrypt(bot_token),
            bot_scopes=bot_scopes,
            installer_user_id=installer_user_id,
            installed_at=datetime.now(UTC),
        )
        async with self.db.session() as session:
            await slack_installs.save_installation(session, row)

    async def _find(self, enterprise_id: str | None, team_id: str | None) -> InstallationRow | None:
        async with self.db.session() as session:
            return await slack_installs.find_installation(session, enterprise_id, team_id)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The workspace's bot installation, with its token decrypted."""
        key = (enterprise_id or "", team_id or "")
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        row = await self._find(enterprise_id, team_id)
        if row is None:
            return None
        token = self.cipher.decrypt(row.bot_token_encrypted)
        if token is None:
            return None
        bot = Bot(
            enterprise_id=row.enterprise_id or None,
            team_id=row.team_id,
            team_name=row.team_name,
            bot_token=token,
            bot_id=row.bot_id or "",
            bot_user_id=row.bot_user_id or "",
            bot_scopes=row.bot_scopes,
            installed_at=row.installed_at.timestamp(),
            is_enterprise_install=False,
        )
        self._cache[key] = bot
        return bot

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The workspace's installation (we keep bot tokens only, so any user gets the same)."""
        bot = await self.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None:
            return None
        return Installation(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            team_name=bot.team_name,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            user_id=user_id or "",
            installed_at=bot.installed_at,
        )

    async def check_keys(self) -> list[str]:
        """Workspaces whose stored token no key decrypts; re-encrypts the others' old ones.

        Run at start: a wrong ``TERMCOACH_SECRET_KEY`` shows at once (and fails readiness)
        instead of every event of those workspaces being dropped in silence.
        """
        unreadable: list[str] = []
        async with self.db.session() as session:
            for enterprise, team, blob in await slack_installs.encrypted_tokens(session):
                if not self.cipher.readable(blob):
                    unreadable.append(team)
                elif not self.cipher.is_current(blob):
                    new = self.cipher.rotate(blob)
                    await slack_installs.replace_token(session, enterprise, team, new)
                    log.info("Slack workspace %s: bot token re-encrypted with the newest key", team)
        return unreadable

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Remove the workspace's bot token (``tokens_revoked``, ``app_uninstalled``)."""
        self._cache.pop((enterprise_id or "", team_id or ""), None)
        async with self.db.session() as session:
            await slack_installs.delete_installation(session, enterprise_id, team_id)
        log.info("Slack workspace %s removed termcoach; its bot token was deleted", team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Delete the installation; a user's revoked token is not stored, so only a full one."""
        if user_id is None:
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Delete everything stored for the workspace."""
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


class SqlOAuthStateStore(AsyncOAuthStateStore):
    """One-time OAuth ``state`` values: signed, so issuing one writes nothing.

    ``/slack/install`` is public; a state is ``<expiry>-<nonce>-<hmac>``, checked by its
    signature and expiry when the redirect comes back, and only then recorded (in
    ``oauth_states``) so it works once. Every replica signs with the same key (derived from
    ``TERMCOACH_SECRET_KEY``).
    """

    def __init__(
        self, db: Database, expiration_seconds: int = 600, key: bytes | None = None
    ) -> None:
        """Keep used states in `db`; each is valid for `expiration_seconds`."""
        self.db = db
        self.expiration_seconds = expiration_seconds
        self._key = key or secrets.token_bytes(32)

    @property
    def logger(self) -> logging.Logger:
        """The store's logger (bolt asks for it)."""
        return log

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:32]

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        """A new signed state, valid for `expiration_seconds`."""
        expires = int(datetime.now(UTC).timestamp()) + self.expiration_seconds
        body = f"{expires}-{secrets.token_hex(16)}"
        return f"{body}-{self._sign(body)}"

    async def async_consume(self, state: str) -> bool:
        """True once for a state we signed that has not expired."""
        body, _, signature = state.rpartition("-")
        expiry, _, nonce = body.partition("-")
        if not (body and nonce and expiry.isdigit()):
            return False
        if not hmac.compare_digest(signature, self._sign(body)):
            return False
        now = datetime.now(UTC)
        expires = datetime.fromtimestamp(int(expiry), UTC)
        if expires < now:
            return False
        async with self.db.session() as session:
            return await slack_installs.use_state(session, body[:200], expires, now)
