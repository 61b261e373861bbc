"""Time to alert: from a sweep fetching a threat to its urgent webhook arriving at a receiver
on 127.0.0.1, with the queue idle and with a 10,000-post back-fill being imported meanwhile.

The sweep runs as the scheduler runs it: ``sweep_source`` (fetch a page, score it in the
fetching batch, store it) then the runner's after-sweep hook, ``alerts.dispatch`` for the
queue items the sweep touched. The back-fill is ``hate-monitor import``'s path
(``ingest.stream``) in a thread on the same database and the same model, as a worker doing a
first import would be. The clock starts when the connector hands over the page.

    .venv/bin/python bench/bench_alerts.py [--trials 10] [--backfill 10000] [--database-url URL]
    .venv/bin/python bench/bench_alerts.py --deferred

``--deferred``: the scaled path (``scoring.deferred = true``). Sweeps store their posts unscored,
a worker's scoring loop (``ingest.backlog.scoring_loop``) claims and scores them and hands each
batch to the alert dispatcher, as ``hate-monitor worker`` does; the back-fill is 10,000 posts of
a month-old history stored unscored into the same backlog, so the threat competes with it for
the worker.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import aiohttp
from aiohttp import web
from bench_pipeline import fresh_database, posts_for, synthetic_texts  # bench/ is on sys.path

from connectors.base import Page, SourceSpec
from connectors.post import Post
from models import load_classifier
from models.types import Scorer
from monitor.alerts.config import AlertConfig, WebhookConfig
from monitor.alerts.dispatch import dispatch
from monitor.config import load_settings
from monitor.ingest.backlog import backlog_size, scoring_loop, store_unscored
from monitor.ingest.stream import process_stream_sync
from monitor.review.priority import PriorityWeights
from monitor.sources.basis import Basis
from monitor.sources.store import add_source
from monitor.storage.db import Database
from monitor.sweeps.sweep import sweep_source

THREAT = "I'm going to burn down that mosque on Church Street with the Muslims inside"
ORDINARY = "The bin collection has moved to Thursday this week, see the council page"


class OnePage:
    """A connector that serves one page (a threat among ordinary posts) and notes when."""

    name = "bench"

    def __init__(self, trial: int, size: int = 20) -> None:
        t0 = datetime.now(UTC) - timedelta(minutes=5)
        self.posts = tuple(
            Post(platform="benchsweep", post_id=f"{trial}-{i}", url=f"https://b.example/{i}",
                 author_handle=f"u{i}", created_at=t0,
                 text=(THREAT if i == 0 else f"{ORDINARY} ({trial}.{i})") + f" #{trial}",
                 raw=b"{}")
            for i in range(size)
        )
        self.fetched_at = 0.0

    async def pages(self, session: aiohttp.ClientSession, source: SourceSpec,
                    cursor: str | None, *, backfill_limit: int) -> AsyncIterator[Page]:
        self.fetched_at = time.perf_counter()
        yield Page(self.posts, (cursor or "") + "x")


class Receiver:
    def __init__(self) -> None:
        self.arrived: list[float] = []
        self.event = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        self.arrived.append(time.perf_counter())
        self.event.set()
        return web.Response(text="ok")


def backfill(db: Database, scorer: Scorer, n: int, done: threading.Event,
             stop: threading.Event, stored: list[int], deferred: bool = False) -> None:
    """Import ``n`` posts in batches of 256; stops early (between batches) once ``stop``.
    ``deferred``: store them unscored for the worker instead (a sweep's back-fill of history)."""
    posts = posts_for(synthetic_texts(n, seed=11))  # dated November: history, the bulk lane
    try:
        if deferred:
            for i in range(0, n, 256):
                if stop.is_set():
                    break
                stored.append(store_unscored(db, posts[i:i + 256], origin="sweep",
                                             actor="bench-backfill").new)
            return
        for result in process_stream_sync(
            db, scorer, (posts[i:i + 256] for i in range(0, n, 256) if not stop.is_set()),
            weights=PriorityWeights(), origin="import", actor="bench-backfill",
        ):
            stored.append(result.new)
    finally:
        done.set()


def alert_config(url: str) -> AlertConfig:
    return AlertConfig(webhook=WebhookConfig(url=url, secret="bench-secret"))  # noqa: S106


async def trials(db: Database, scorer: Scorer, n: int, url: str, receiver: Receiver, *,
                 first: int = 0, stop_when: threading.Event | None = None,
                 deferred: bool = False) -> list[float]:
    settings = load_settings(None, env={}).with_overrides(database__url=db.url,
                                                          scoring__deferred=deferred)
    cfg = alert_config(url)
    out: list[float] = []
    async with aiohttp.ClientSession() as http:
        for trial in range(first, first + n):  # distinct posts: each trial's threat is new
            if stop_when is not None and stop_when.is_set():
                break
            conn = OnePage(trial)
            receiver.event.clear()
            result = await sweep_source(db, scorer, http, "bench", settings=settings,
                                        connector=conn, force=True)  # type: ignore[arg-type]
            if not deferred:  # deferred: the worker's scoring loop dispatches (main_async)
                # The runner's after-sweep hook (monitor.ops.worker.after_sweep).
                await dispatch(db, http, cfg, base_url="http://127.0.0.1",
                               item_ids=result.queue_item_ids)
                if not result.queue_item_ids:
                    raise RuntimeError(f"trial {trial}: the sweep stored nothing new")
            await asyncio.wait_for(receiver.event.wait(), timeout=600)
            out.append(receiver.arrived[-1] - conn.fetched_at)
    return out


def report(name: str, xs: list[float]) -> None:
    if not xs:
        print(f"{name:34s} no trials")
        return
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
    print(f"{name:34s} n={len(xs):3d}  p50 {statistics.median(xs):6.2f} s  "
          f"p95 {p95:6.2f} s  max {xs[-1]:6.2f} s")


async def main_async(args: argparse.Namespace) -> None:
    scorer = load_classifier()
    scorer.predict([THREAT, ORDINARY])  # warm-up
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/hook"
    try:
        with fresh_database(args.database_url) as db:
            today = date.today()
            with db.write() as s:
                add_source(s, name="bench", connector="mastodon", target="tag:bench",
                           actor="bench", basis=Basis("BENCH/1", "benchmark", "bench",
                                                      today - timedelta(days=1),
                                                      today + timedelta(days=30)))
            worker_stop = asyncio.Event()
            worker: asyncio.Task[None] | None = None
            http = aiohttp.ClientSession()
            if args.deferred:  # what ``hate-monitor worker`` runs beside its scheduler
                async def on_scored(item_ids: list[int]) -> None:
                    await dispatch(db, http, alert_config(url), base_url="http://127.0.0.1",
                                   item_ids=item_ids)

                worker = asyncio.create_task(scoring_loop(
                    db, scorer, stop=worker_stop, worker_id="bench-worker", batch_size=64,
                    idle_sleep=0.2, on_scored=on_scored))
            idle = await trials(db, scorer, args.trials, url, receiver, deferred=args.deferred)
            done, stop = threading.Event(), threading.Event()
            stored: list[int] = []
            fill = threading.Thread(target=backfill, args=(db, scorer, args.backfill, done, stop,
                                                           stored, args.deferred))
            fill.start()
            await asyncio.sleep(args.lead_s)  # let the back-fill get going first
            # Deferred: storing the back-fill is quick; the busy part is the worker scoring it.
            busy = await trials(db, scorer, args.trials, url, receiver, first=args.trials,
                                stop_when=None if args.deferred else done,
                                deferred=args.deferred)
            still = backlog_size(db) if args.deferred else not done.is_set()
            stop.set()
            fill.join()
            worker_stop.set()
            if worker is not None:
                await worker
            await http.close()
    finally:
        await runner.cleanup()
    if args.deferred:
        print(f"scoring.deferred: threat in a page of 20, scored by a worker's scoring loop; "
              f"a {args.backfill}-post back-fill of history stored unscored, {still} captures "
              f"still waiting for the worker when the last trial ended")
    else:
        print(f"threat in a page of 20, webhook to 127.0.0.1; a {args.backfill}-post back-fill "
              f"(import path) {'was still running at' if still else 'ENDED before'} the last "
              f"trial ({sum(stored)} posts stored by then)")
    report("idle queue", idle)
    report(f"during a {args.backfill}-post back-fill", busy)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--backfill", type=int, default=10_000)
    ap.add_argument("--lead-s", type=float, default=5.0,
                    help="seconds the back-fill runs before the first busy trial")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--deferred", action="store_true",
                    help="scoring.deferred: sweeps store unscored, a worker scores and alerts")
    asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    main()
