"""Shared fixtures: a migrated SQLite database per test, the real pack, a fake clock, the engine."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.engine import DialogueEngine
from bot.features import build_engine
from content.index import PackIndex
from content.loader import load_default_pack
from storage.db import Database
from termcoach.settings import Settings
from tests.chatflow import Chat
from tests.pg import PgTestDatabase, unavailable_reason

# Fixtures kept in their own modules, for every test module.
pytest_plugins = ("tests.slack_fixtures",)

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    # Tests talk only to fakes on this machine; anything else is a bug that would hang in CI.
    if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        host = address[0]
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            ip = None
        if host != "localhost" and (ip is None or not ip.is_loopback):
            raise RuntimeError(f"test tried to reach the network: {host}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_internet() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Undo what a CLI run inside a test did to logging.

    `setup_logging` replaces the root handlers with one on the stderr of that moment, which
    CliRunner closes afterwards: a later test's log record (aiosqlite's worker thread logs at
    DEBUG) would then fail with "I/O operation on closed file".
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    others = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in others.items():
        logging.getLogger(name).setLevel(old)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated once with Alembic; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.upgrade()
        await db.dispose()

    asyncio.run(migrate())
    return path


# Modules whose tests run on both backends (storage, engine, quiz and scheduler behaviour).
PG_MODULES = ("test_engine", "test_storage", "test_daily", "test_quiz", "test_srs", "test_replica")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the storage, engine, quiz and scheduler tests on SQLite and on PostgreSQL."""
    if "db_url" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module.startswith(PG_MODULES) and module != "test_engine_properties":
        metafunc.parametrize("backend", ["sqlite", "postgresql"])


@pytest.fixture
def backend() -> str:
    """The database backend of this test (parametrized for the modules in PG_MODULES)."""
    return "sqlite"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[PgTestDatabase | str]:
    """This run's PostgreSQL database, or the reason there is none."""
    reason = unavailable_reason()
    if reason:
        yield reason
        return
    database = PgTestDatabase()
    asyncio.run(database.create())
    yield database
    asyncio.run(database.drop())


@pytest.fixture
def db_url(
    backend: str,
    sqlite_template: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> str:
    """URL of a fresh, migrated database for this test (SQLite file copy or emptied PostgreSQL)."""
    if backend == "postgresql":
        pg = request.getfixturevalue("pg_database")
        if isinstance(pg, str):
            pytest.skip(pg)
        asyncio.run(pg.truncate())
        return pg.url
    path = tmp_path / "termcoach.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many PostgreSQL tests really ran (not skipped)."""
    passed = terminalreporter.stats.get("passed", [])
    failed = terminalreporter.stats.get("failed", [])
    skipped = terminalreporter.stats.get("skipped", [])

    def on_pg(nodeid: str) -> bool:
        return "postgresql" in nodeid or "test_replica" in nodeid

    ran = sum(1 for r in passed + failed if on_pg(r.nodeid))
    skip = sum(1 for r in skipped if on_pg(r.nodeid))
    terminalreporter.write_line(f"PostgreSQL tests run: {ran} (skipped: {skip})")


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A migrated database for this test."""
    database = Database(db_url)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
def pack() -> PackIndex:
    """The shipped content pack."""
    return PackIndex(load_default_pack())


@pytest.fixture
def clock() -> FakeClock:
    """A clock that moves only when a test says so."""
    return FakeClock()


@pytest.fixture
def settings() -> Settings:
    """Settings with no platform credentials, whatever the environment holds."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=None,
        slack_bot_token=None,
        slack_app_token=None,
        llm_base_url=None,
    )


@pytest.fixture
def engine(db: Database, pack: PackIndex, clock: FakeClock, settings: Settings) -> DialogueEngine:
    """The real engine on a fresh database, with a fixed random seed."""
    return build_engine(
        db=db, pack=pack, clock=clock, rng=random.Random(7), config=settings.engine_config
    )


@pytest.fixture
def chat(engine: DialogueEngine) -> Chat:
    """A conversation with the engine as user ``alice`` (see `tests.chatflow.Chat`)."""
    return Chat(engine)
