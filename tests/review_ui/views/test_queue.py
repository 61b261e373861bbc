"""Queue queries: ranking, filters, keyset pages, duplicate groups, claims (no HTTP)."""

from __future__ import annotations

from datetime import timedelta

from monitor.review import queue
from monitor.storage.db import Database
from monitor.storage.types import utcnow
from tests.support.desk import fill_queue, make_users
from tests.support.fakes import FakeScorer
from tests.support.web import Client, login


def _page(db: Database, after: str | None = None, limit: int = 3, **query: str
          ) -> queue.QueuePage:
    filters, errors = queue.parse_filters(query)
    assert not errors, errors
    with db.read() as s:
        return queue.list_queue(s, filters, after=after, limit=limit)


def test_keyset_pages_cover_everything_once_in_priority_order(
    db: Database, fake_scorer: FakeScorer
) -> None:
    texts = [f"post {i} " + ("immigrants are scum vermin kill" if i % 3 == 0 else "hello")
             for i in range(10)]
    fill_queue(db, fake_scorer, texts)
    seen: list[queue.QueueRow] = []
    cursor = None
    while True:
        page = _page(db, after=cursor)
        seen += page.rows
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 10 and len({r.item_id for r in seen}) == 10
    keys = [(r.priority, r.item_id) for r in seen]
    assert keys == sorted(keys, reverse=True)


def test_filters_and_their_errors(db: Database, fake_scorer: FakeScorer) -> None:
    fill_queue(db, fake_scorer, ["muslims are scum", "gay people are filth", "hello there",
                                 "[fr] bonjour tout le monde"])
    assert {r.top_strand for r in _page(db, limit=50, strand="religion").rows} == {"religion"}
    assert all(r.p_hate >= 0.5 for r in _page(db, limit=50, min_score="0.5").rows)
    assert len(_page(db, limit=50, min_score="0.55", max_score="0.6").rows) == 0
    unsupported = [r for r in _page(db, limit=50).rows if not r.language_supported]
    assert len(unsupported) == 1
    f, errors = queue.parse_filters({"severity": "nasty", "min_score": "2", "since": "x",
                                     "strand": "race"})
    assert set(errors) == {"severity", "min_score", "since"} and f.strand == "race"
    assert queue.parse_filters(f.to_query())[0] == f
    # A strand the desk does not offer (a typo in a bookmark) is named, not an empty queue.
    f, errors = queue.parse_filters({"strand": "religon"}, strands=("race", "religion"))
    assert f.strand is None and errors == {"strand": "strand must be one of race, religion"}
    assert queue.parse_filters({"strand": "religion"}, strands=("race", "religion"))[0].strand \
        == "religion"


def test_duplicates_group_into_one_row(db: Database, fake_scorer: FakeScorer) -> None:
    fill_queue(db, fake_scorer, ["Go home, scum"] * 4 + ["something else"])
    rows = _page(db, limit=50).rows
    assert sorted(r.group_size for r in rows) == [1, 4]


def test_claim_is_exclusive_until_it_expires(db: Database, fake_scorer: FakeScorer) -> None:
    make_users(db)
    [item] = fill_queue(db, fake_scorer, ["hello"])
    now = utcnow()
    with db.write() as s:
        assert queue.claim(s, item, 1, now=now)
        assert not queue.claim(s, item, 2, now=now)
        assert queue.claim(s, item, 1, now=now)  # renewing your own claim works
        assert queue.claim(s, item, 2, now=now + timedelta(minutes=queue.CLAIM_MINUTES + 1))
    with db.write() as s:
        assert queue.claim_next(s, 1, queue.QueueFilters(), now=now) is None


async def test_queue_page_shows_row_fields_and_keeps_filters(
    client: Client, db: Database, fake_scorer: FakeScorer
) -> None:
    fill_queue(db, fake_scorer, ["[fr] bonjour"], start=900)
    await login(client, "officer")
    html = await (await client.get("/queue")).text()
    assert "language not supported" in html
    assert "threat" in html and "mastodon" in html
    html = await (await client.get("/queue?strand=race&min_score=0.5")).text()
    assert 'value="race" selected' in html and 'value="0.5"' in html
    assert "/items/" in html and "strand=race" in html
    # Threats whose target group cannot be inferred are a strand the officer can filter on.
    unknown = await client.get("/queue?strand=unknown")
    assert unknown.status == 200 and 'value="unknown" selected' in await unknown.text()


def test_racing_officers_each_get_a_different_item(
    db: Database, fake_scorer: FakeScorer
) -> None:
    """Eight officers ask for the next item at the same moment, from eight threads."""
    import threading

    from monitor.accounts import users

    with db.write() as s:
        ids = [users.create_user(s, username=f"o{n}", role="officer",
                                 password="a-long-password", actor="t").id or 0
               for n in range(8)]
    fill_queue(db, fake_scorer, [f"post {n}" for n in range(8)])
    got: dict[int, int | None] = {}
    barrier = threading.Barrier(len(ids))

    def take(uid: int) -> None:
        barrier.wait()
        with db.write() as s:
            got[uid] = queue.claim_next(s, uid, queue.QueueFilters(), now=utcnow())

    threads = [threading.Thread(target=take, args=(uid,)) for uid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = list(got.values())
    assert None not in claimed and len(set(claimed)) == len(ids)


async def test_previous_and_next_follow_queue_order(
    client: Client, db: Database, populated: list[int]
) -> None:
    await login(client, "officer")
    page = _page(db, limit=50)
    order = [r.item_id for r in page.rows]
    r = await client.get(f"/next?after={order[1]}", allow_redirects=False)
    assert r.headers["Location"].startswith(f"/items/{order[2]}")
    r = await client.get(f"/next?after={order[1]}&dir=prev", allow_redirects=False)
    assert r.headers["Location"].startswith(f"/items/{order[0]}")


def test_moving_on_releases_the_item_left_behind(db: Database, fake_scorer: FakeScorer) -> None:
    make_users(db)
    fill_queue(db, fake_scorer, ["one", "two", "three"])
    now = utcnow()
    with db.write() as s:
        first = queue.claim_next(s, 1, queue.QueueFilters(), now=now)
        second = queue.claim_next(s, 1, queue.QueueFilters(), now=now, after_item=first)
        assert first is not None and second is not None and first != second
        assert queue.claim(s, first, 2, now=now)  # free again for a colleague
