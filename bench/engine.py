"""Engine throughput and latency on SQLite, against one bare aiosqlite write transaction.

Drives the engine in-process (no adapter) through scripted quizzes and prints turns per second and
p50/p99 turn latency, beside the p50 of a bare write transaction measured in the same run. The last
line is one JSON object; --pg adds PostgreSQL figures.

With --pg it runs one and two replicas in alternating rounds (--rounds, default 3) and reports
the medians, with the scale as the median of each round's two-over-one ratio: the machine's speed
drifts between runs, and a single pair of runs swung from 1.1 to 1.7 here on one day.
It also reports the CPU each PostgreSQL turn cost, in the replicas' Python processes and
(when the server runs on this machine, read from /proc over the whole run, so connection set-up
and warm-up are included) in PostgreSQL itself. On a 2-core machine two replicas can scale only
as far as both fit: roughly 2 / (python_ms + server_ms) turns per ms against 1 / python_ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import subprocess
import uuid

import asyncpg
from sqlalchemy.engine import make_url

from bot.engine import DialogueEngine
from bot.features import build_engine
from bot.messages import ChoiceIn, CommandIn, ConversationRef, Inbound, Reply, TextIn
from content.index import PackIndex
from content.loader import load_default_pack
from storage.db import Database


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def open_bare(path: Path) -> aiosqlite.Connection:
    """A plain aiosqlite connection with the same pragmas the engine's SQLite uses."""
    conn = await aiosqlite.connect(path)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=FULL")
    await conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    await conn.commit()
    return conn


async def bare_write(conn: aiosqlite.Connection, i: int) -> float:
    """Latency (ms) of one bare write transaction: BEGIN; INSERT; COMMIT."""
    start = time.perf_counter()
    await conn.execute("BEGIN")
    await conn.execute("INSERT INTO t (v) VALUES (?)", (f"value {i}",))
    await conn.commit()
    return (time.perf_counter() - start) * 1000


def next_input(ref: ConversationRef, last: list[Reply], step: int) -> Inbound:
    """A learner's next message: start a quiz when none runs, else answer the open question."""
    mid = f"b{step}"
    question = next((r for r in reversed(last) if r.kind == "question"), None)
    if question is None:
        return CommandIn(ref=ref, message_id=mid, name="quiz", args="")
    if question.choices:
        choice = question.choices[step % len(question.choices)]
        return ChoiceIn(ref=ref, message_id=mid, payload=choice.payload)
    return TextIn(ref=ref, message_id=mid, text="model registry")


async def drive(engine: DialogueEngine, turns: int, learners: int, seed: int) -> list[float]:
    """Run `turns` turns spread over `learners` conversations; return per-turn latencies (ms)."""
    rng = random.Random(seed)
    refs = [ConversationRef("bench", "w", f"c{i}", f"u{i}") for i in range(learners)]
    last: dict[str, list[Reply]] = {r.key: [] for r in refs}
    times: list[float] = []
    for step in range(turns):
        ref = rng.choice(refs)
        inbound = next_input(ref, last[ref.key], step + seed * 1_000_000)
        start = time.perf_counter()
        last[ref.key] = await engine.handle(inbound)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def sqlite_run(turns: int, writes: int) -> dict[str, float]:
    """The SQLite figures: turns per second and latency against a bare write.

    The bare write transactions are interleaved with the turns (one each, alternately), so both
    are measured under the same load on a shared machine.
    """
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/engine.db")
        await db.upgrade()
        engine = build_engine(
            db=db,
            pack=PackIndex(load_default_pack()),
            rng=random.Random(1),
        )
        await drive(engine, 200, 20, seed=99)  # warm-up: caches, prepared statements
        bare = await open_bare(Path(tmp) / "bare.db")
        rng = random.Random(1)
        refs = [ConversationRef("bench", "w", f"c{i}", f"u{i}") for i in range(50)]
        last: dict[str, list[Reply]] = {r.key: [] for r in refs}
        turn_times: list[float] = []
        write_times: list[float] = []
        elapsed = 0.0
        for step in range(max(turns, writes)):
            if step < writes:
                write_times.append(await bare_write(bare, step))
            if step < turns:
                ref = rng.choice(refs)
                inbound = next_input(ref, last[ref.key], step + 1_000_000)
                start = time.perf_counter()
                last[ref.key] = await engine.handle(inbound)
                took = time.perf_counter() - start
                elapsed += took
                turn_times.append(took * 1000)
        await bare.close()
        await db.dispose()
    write_p50 = statistics.median(write_times)
    turn_p50 = statistics.median(turn_times)
    return {
        "turns": turns,
        "turns_per_s": round(turns / elapsed, 1),
        "turn_p50_ms": round(turn_p50, 3),
        "turn_p99_ms": round(percentile(turn_times, 99), 3),
        "write_tx_p50_ms": round(write_p50, 3),
        "write_tx_p99_ms": round(percentile(write_times, 99), 3),
        "p50_ratio": round(turn_p50 / write_p50, 2),
        "p99_ratio": round(percentile(turn_times, 99) / write_p50, 2),
    }


async def pg_worker(url: str, seconds: float, concurrency: int, worker: int) -> str:
    """One replica: drive `concurrency` conversations at once for `seconds`.

    Returns "turns cpu_seconds warmup_turns": turns and this process's CPU time in the measured
    window, and the turns of the one-second warm-up before it.
    """
    db = Database(url, pool_size=concurrency, max_overflow=0)
    engine = build_engine(
        db=db,
        pack=PackIndex(load_default_pack()),
        rng=random.Random(worker),
    )
    done = 0
    deadline = 0.0

    async def learner(i: int) -> None:
        nonlocal done
        ref = ConversationRef("bench", "w", f"r{worker}-c{i}", f"r{worker}-u{i}")
        last: list[Reply] = []
        step = 0
        while time.perf_counter() < deadline:
            last = await engine.handle(
                next_input(ref, last, worker * 10_000_000 + i * 100_000 + step)
            )
            step += 1
            done += 1

    deadline = time.perf_counter() + 1.0  # warm-up
    await asyncio.gather(*(learner(i) for i in range(concurrency)))
    warm, done = done, 0
    cpu_start = time.process_time()
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(learner(i) for i in range(concurrency)))
    cpu = time.process_time() - cpu_start
    await db.dispose()
    return f"{done} {cpu:.4f} {warm}"


def postgres_cpu_seconds() -> float | None:
    """CPU time used so far by local PostgreSQL processes (ended backends included), or None.

    Read from /proc: the postmaster's children-time fields hold the backends that have exited.
    Only meaningful when the server runs on this machine.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    found = False
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "comm").read_text().startswith("postgres"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found = True
        ticks += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK") if found else None


def _median_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 3) if known else None


@dataclass
class ReplicaRun:
    """Turns per second of a replica set, with the CPU each turn cost (ms) where measurable."""

    turns_per_s: float
    python_cpu_ms: float
    postgres_cpu_ms: float | None


def pg_replicas(url: str, replicas: int, seconds: float, concurrency: int) -> ReplicaRun:
    """Turns per second of `replicas` processes sharing one PostgreSQL database."""

    pg_before = postgres_cpu_seconds()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--pg-worker",
                url,
                "--seconds",
                str(seconds),
                "--concurrency",
                str(concurrency),
                "--worker",
                str(w),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(replicas)
    ]
    total = warm = 0
    cpu = 0.0
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds * 10 + 60)
        turns, used, warmup = out.strip().splitlines()[-1].split()
        total += int(turns)
        cpu += float(used)
        warm += int(warmup)
    pg_after = postgres_cpu_seconds()
    # PostgreSQL's CPU is read over the whole run, so it is shared over warm-up turns too.
    pg_ms = None
    if pg_before is not None and pg_after is not None and total + warm:
        pg_ms = round((pg_after - pg_before) / (total + warm) * 1000, 3)
    return ReplicaRun(
        turns_per_s=total / seconds,
        python_cpu_ms=round(cpu / total * 1000, 3) if total else 0.0,
        postgres_cpu_ms=pg_ms,
    )


async def pg_prepare(admin: str) -> str:
    """A fresh, migrated PostgreSQL database for the bench; returns its URL."""

    name = f"termcoach_bench_{uuid.uuid4().hex[:8]}"
    dsn = make_url(admin).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    await db.upgrade()
    await db.dispose()
    return url


async def pg_drop(admin: str, url: str) -> None:
    """Drop the bench database."""

    dsn = make_url(admin).set(drivername="postgresql").render_as_string(hide_password=False)
    name = make_url(url).database
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


def main() -> None:
    """Parse arguments, run, print a table then the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=3000)
    parser.add_argument("--writes", type=int, default=3000)
    parser.add_argument(
        "--pg",
        nargs="?",
        const="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
        help="also measure PostgreSQL with one and two replicas (server URL)",
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--rounds", type=int, default=3, help="PostgreSQL: alternating one/two-replica rounds"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--pg-worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pg_worker:
        print(asyncio.run(pg_worker(args.pg_worker, args.seconds, args.concurrency, args.worker)))
        return
    result: dict[str, float] = asyncio.run(sqlite_run(args.turns, args.writes))
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.pg:
        url = asyncio.run(pg_prepare(args.pg))
        ones: list[ReplicaRun] = []
        twos: list[ReplicaRun] = []
        try:
            # One and two replicas alternate, so a shared machine's speed, which drifts by tens
            # of percent within a minute here, weighs on both alike; each pair gives a ratio.
            for _ in range(args.rounds):
                ones.append(pg_replicas(url, 1, args.seconds, args.concurrency))
                twos.append(pg_replicas(url, 2, args.seconds, args.concurrency))
        finally:
            asyncio.run(pg_drop(args.pg, url))
        ratios = [
            t.turns_per_s / o.turns_per_s for o, t in zip(ones, twos, strict=True) if o.turns_per_s
        ]
        print("pg scale per round:", ", ".join(f"{r:.2f}" for r in ratios))
        one = ReplicaRun(
            statistics.median(r.turns_per_s for r in ones),
            statistics.median(r.python_cpu_ms for r in ones),
            _median_or_none([r.postgres_cpu_ms for r in ones]),
        )
        two = ReplicaRun(
            statistics.median(r.turns_per_s for r in twos),
            statistics.median(r.python_cpu_ms for r in twos),
            _median_or_none([r.postgres_cpu_ms for r in twos]),
        )
        result["pg_rounds"] = args.rounds
        result["pg_turns_per_s_1"] = round(one.turns_per_s, 1)
        result["pg_turns_per_s_2"] = round(two.turns_per_s, 1)
        result["pg_scale_2_over_1"] = round(statistics.median(ratios), 2) if ratios else 0.0
        # Where the CPU goes: two replicas can only scale while Python and PostgreSQL together
        # fit on the machine's cores (see the module docstring).
        result["pg_python_cpu_ms_per_turn_1"] = one.python_cpu_ms
        result["pg_python_cpu_ms_per_turn_2"] = two.python_cpu_ms
        if one.postgres_cpu_ms is not None and two.postgres_cpu_ms is not None:
            result["pg_server_cpu_ms_per_turn_1"] = one.postgres_cpu_ms
            result["pg_server_cpu_ms_per_turn_2"] = two.postgres_cpu_ms
            # One replica is held by its own core (1 / python ms); two share all the cores with
            # PostgreSQL. This bound is what the measured scale can reach at these costs.
            cores = os.cpu_count() or 1
            spent = two.python_cpu_ms + two.postgres_cpu_ms
            if spent and cores >= 2:
                bound = min(2.0, cores * one.python_cpu_ms / spent)
                result["pg_scale_cpu_bound"] = round(bound, 2)
    for key, value in result.items():
        print(f"{key:>18}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
