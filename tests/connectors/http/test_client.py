"""connectors.http: classification, retries, pacing, redaction and the shared parsers."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.base import (
    AuthFailed,
    MalformedResponse,
    PermanentError,
    RateLimited,
    RetryPolicy,
    SourceUnavailable,
)
from connectors.http.client import (
    Pacer,
    RateLimitState,
    Response,
    ratelimit_parser,
    redact_url,
    request,
)
from connectors.http.health import HealthLog
from connectors.http.parse import (
    is_newer,
    item_raw,
    parse_http_date,
    parse_iso8601_utc,
    parse_link_header,
    parse_retry_after,
)
from tests.connectors.conftest import FakeClock, FakePlatform, FakeSleep, Reply

SRC = "test:source"


async def test_ok_returns_body_headers_and_redacted_url(fake_platform, http_session):
    platform: FakePlatform = await fake_platform()
    platform.on("/x", Reply(body={"a": 1}, headers={"X-Thing": "yes"}))
    resp = await request(
        http_session, "GET", platform.url + "/x", source=SRC, params={"access_token": "tok-123456"}
    )
    assert resp.status == 200
    assert resp.json() == {"a": 1}
    assert resp.headers["x-thing"] == "yes"
    assert "tok-123456" not in resp.url and "access_token=<redacted>" in resp.url
    assert platform.requests[0].query["access_token"] == "tok-123456"


async def test_5xx_retried_with_jitter_then_recovers(fake_platform, http_session, fake_sleep):
    platform = await fake_platform()
    platform.script("/x", Reply(status=503), Reply(status=502))
    platform.on("/x", Reply(body=[]))
    resp = await request(
        http_session,
        "GET",
        platform.url + "/x",
        source=SRC,
        sleep=fake_sleep,
        retry=RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=30),
        rng=random.Random(1),
    )
    assert resp.status == 200
    assert platform.count("/x") == 3
    assert len(fake_sleep.calls) == 2
    # Full jitter: each delay within [0, base * 2**(n-1)].
    assert 0 <= fake_sleep.calls[0] <= 1.0 and 0 <= fake_sleep.calls[1] <= 2.0


async def test_5xx_exhausts_policy_then_source_unavailable(fake_platform, http_session, fake_sleep):
    platform = await fake_platform()
    platform.on("/x", Reply(status=500, body="boom"))
    with pytest.raises(SourceUnavailable, match=r"test:source.*3 attempts.*HTTP 500"):
        await request(
            http_session,
            "GET",
            platform.url + "/x",
            source=SRC,
            sleep=fake_sleep,
            retry=RetryPolicy(max_attempts=3),
        )
    assert platform.count("/x") == 3
    assert len(fake_sleep.calls) == 2


async def test_timeout_retried_then_source_unavailable_from_err(
    fake_platform, timeout_session, fake_sleep
):
    platform = await fake_platform()
    platform.on("/slow", Reply(hang=True))
    with pytest.raises(SourceUnavailable, match="test:source") as info:
        await request(
            timeout_session,
            "GET",
            platform.url + "/slow",
            source=SRC,
            sleep=fake_sleep,
            retry=RetryPolicy(max_attempts=2),
        )
    assert isinstance(info.value.__cause__, TimeoutError)
    assert platform.count("/slow") == 2


async def test_connection_refused_is_source_unavailable(http_session, fake_sleep, unused_tcp_port):
    with pytest.raises(SourceUnavailable) as info:
        await request(
            http_session,
            "GET",
            f"http://127.0.0.1:{unused_tcp_port}/x?key=SEKRIT-KEY",
            source=SRC,
            sleep=fake_sleep,
            retry=RetryPolicy(max_attempts=2),
        )
    assert isinstance(info.value.__cause__, aiohttp.ClientError)
    assert "SEKRIT-KEY" not in str(info.value)


async def test_truncated_transfer_is_retried_then_unavailable(
    fake_platform, http_session, fake_sleep
):
    platform = await fake_platform()
    platform.on("/x", Reply(body={"items": list(range(500))}, truncate=True))
    with pytest.raises(SourceUnavailable):
        await request(
            http_session,
            "GET",
            platform.url + "/x",
            source=SRC,
            sleep=fake_sleep,
            retry=RetryPolicy(max_attempts=2),
        )


async def test_truncated_json_body_is_malformed_naming_source(fake_platform, http_session):
    platform = await fake_platform()
    platform.on("/x", Reply(body=b'{"items": [1, 2', content_type="application/json"))
    resp = await request(http_session, "GET", platform.url + "/x", source=SRC)
    with pytest.raises(MalformedResponse, match=r"test:source.*not valid JSON"):
        resp.json()


@pytest.mark.parametrize(
    ("headers", "parser", "expected"),
    [
        ({"Retry-After": "17"}, None, 17.0),
        ({"Retry-After": "Sat, 14 Jun 2025 15:10:40 GMT"}, None, 40.0),
        ({}, None, 60.0),
        ({"Retry-After": "garbage"}, None, 60.0),
        ({"Retry-After": "5"}, lambda r: 99.0, 99.0),
        ({"Retry-After": "5"}, lambda r: None, 5.0),
    ],
)
async def test_429_raises_rate_limited(fake_platform, http_session, headers, parser, expected):
    platform = await fake_platform()
    platform.on("/x", Reply(status=429, headers=headers, body={"error": "slow down"}))
    clock = FakeClock(datetime(2025, 6, 14, 15, 10, 0, tzinfo=UTC).timestamp())
    with pytest.raises(RateLimited, match="test:source") as info:
        await request(
            http_session, "GET", platform.url + "/x", source=SRC, retry_after=parser, clock=clock
        )
    assert info.value.retry_after == pytest.approx(expected)
    assert platform.count("/x") == 1  # never retried blindly


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_failures(fake_platform, http_session, status):
    platform = await fake_platform()
    platform.on("/x", Reply(status=status, body={"error": "bad token SEKRIT-TOKEN"}))
    with pytest.raises(AuthFailed, match=rf"test:source.*HTTP {status}") as info:
        await request(
            http_session, "GET", platform.url + "/x", source=SRC, secrets=["SEKRIT-TOKEN"]
        )
    assert "SEKRIT-TOKEN" not in str(info.value)
    assert platform.count("/x") == 1


@pytest.mark.parametrize("status", [404, 410, 400, 422])
async def test_permanent_errors_with_excerpt(fake_platform, http_session, status):
    platform = await fake_platform()
    platform.on("/x", Reply(status=status, body="x" * 5000))
    with pytest.raises(PermanentError, match=rf"test:source.*HTTP {status}") as info:
        await request(http_session, "GET", platform.url + "/x", source=SRC)
    assert len(str(info.value)) < 600


def test_redact_url_hides_credentials():
    url = "https://u:pw@h.example/p?q=hate&access_token=A1&client_secret=B2&Key=C3&limit=5"
    shown = redact_url(url, ["A1-not-there"])
    assert "A1" not in shown and "B2" not in shown and "C3" not in shown and "pw" not in shown
    assert "q=hate" in shown and "limit=5" in shown


async def test_pacer_waits_for_reset_when_budget_spent(fake_platform, http_session, fake_sleep):
    platform = await fake_platform()
    clock = fake_sleep.clock
    reset = clock.now + 42
    platform.on(
        "/x",
        Reply(body=[], headers={"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(reset))}),
    )
    pacer = Pacer(ratelimit_parser("RateLimit-", reset="epoch"), sleep=fake_sleep, clock=clock)
    await request(http_session, "GET", platform.url + "/x", source=SRC, pacer=pacer)
    assert fake_sleep.calls == []
    await request(http_session, "GET", platform.url + "/x", source=SRC, pacer=pacer)
    assert fake_sleep.calls == [pytest.approx(42, abs=1)]


def test_pacer_long_wait_becomes_rate_limited():
    clock = FakeClock()
    pacer = Pacer(lambda h: RateLimitState(0, clock.now + 900), clock=clock, max_wait=60)
    pacer.observe("h", {})
    assert pacer.delay("h") == pytest.approx(900)


async def test_pacer_raises_instead_of_sleeping_long():
    clock = FakeClock()
    pacer = Pacer(lambda h: RateLimitState(0, clock.now + 900), clock=clock, max_wait=60)
    pacer.observe("h", {})
    with pytest.raises(RateLimited) as info:
        await pacer.wait("h", source=SRC)
    assert info.value.retry_after == pytest.approx(900)


def test_pacer_ignores_garbled_headers():
    pacer = Pacer(ratelimit_parser("X-RateLimit-", reset="iso"))
    pacer.observe("h", {"X-RateLimit-Remaining": "zero", "X-RateLimit-Reset": "soon"})
    assert pacer.state("h") is None


def test_ratelimit_parser_formats():
    clock = FakeClock(1000.0)
    iso = ratelimit_parser("X-RateLimit-", reset="iso")
    state = iso(
        {"X-RateLimit-Remaining": "299", "X-RateLimit-Reset": "2025-07-17T20:05:00.290188Z"}
    )
    assert state == RateLimitState(299.0, datetime(2025, 7, 17, 20, 5, 0, 290188, UTC).timestamp())
    delta = ratelimit_parser("X-Ratelimit-", reset="delta", clock=clock)
    assert delta({"x-ratelimit-remaining": "346.0", "x-ratelimit-reset": "320"}) == RateLimitState(
        346.0, 1320.0
    )
    assert delta({}) is None


def test_parse_link_header_mastodon():
    value = (
        '<https://m.example/api/v1/timelines/tag/x?max_id=11>; rel="next", '
        '<https://m.example/api/v1/timelines/tag/x?min_id=22>; rel="prev"'
    )
    assert parse_link_header(value) == {
        "next": "https://m.example/api/v1/timelines/tag/x?max_id=11",
        "prev": "https://m.example/api/v1/timelines/tag/x?min_id=22",
    }
    assert parse_link_header("") == {}
    assert parse_link_header("garbage, <x>") == {}


def test_dates():
    assert parse_http_date("Sat, 14 Jun 2025 15:10:40 GMT") == datetime(
        2025, 6, 14, 15, 10, 40, tzinfo=UTC
    )
    assert parse_http_date("nonsense") is None
    assert parse_iso8601_utc("2024-01-02T03:04:05+01:00") == datetime(
        2024, 1, 2, 2, 4, 5, tzinfo=UTC
    )
    for bad in ("2024-01-02T03:04:05", "yesterday", "", None, 12):
        with pytest.raises(MalformedResponse):
            parse_iso8601_utc(bad, source=SRC)
    assert parse_retry_after("-5") == 0.0


def test_is_newer_snowflakes_and_strings():
    assert is_newer("114870142396314555", "99999999999999999")
    assert not is_newer("9", "10")
    assert is_newer("10", None) and not is_newer(None, "1")
    assert is_newer("3kabc", "3kaaa")


def test_item_raw_deterministic_utf8():
    assert item_raw({"b": "é", "a": [1]}) == '{"a":[1],"b":"é"}'.encode()


def test_health_log_logs_transitions_once(caplog):
    health = HealthLog()
    with caplog.at_level(logging.DEBUG, logger="connectors.http"):
        assert health.failure("s", SourceUnavailable("s: down"))
        assert not health.failure("s", SourceUnavailable("s: down"))
        assert not health.failure("s", SourceUnavailable("s: down"))
        assert health.success("s")
        assert not health.success("s")
    infos = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert [r.getMessage().split(" ")[2] for r in infos] == ["is", "recovered"]


@given(st.text(max_size=300), st.binary(max_size=300))
def test_response_json_never_raises_anything_but_malformed(text, raw):
    for body in (text.encode("utf-8", "surrogatepass"), raw):
        resp = Response(200, {}, body, "https://h/x", source=SRC)
        try:
            resp.json()
        except MalformedResponse as err:
            assert SRC in str(err)


@given(st.lists(st.tuples(st.sampled_from(["access_token", "q", "KEY", "token"]), st.text())))
def test_redacted_url_never_contains_secret_values(pairs):
    from urllib.parse import urlencode

    secret = "S3CR3T-VALUE"
    query = urlencode(
        [(k, secret if k.lower() in ("access_token", "key", "token") else v) for k, v in pairs]
    )
    assert secret not in redact_url(f"https://h.example/p?{query}") or not pairs


def test_fake_sleep_advances_clock():
    sleep = FakeSleep()
    start = sleep.clock.now
    import asyncio

    asyncio.run(sleep(5))
    assert sleep.clock.now == start + 5


# --------------------------------------------------------------------------- Walk cursor

from connectors.http.walk import Walk  # noqa: E402


def test_walk_first_run_limit_sets_mark_even_at_zero():
    walk, keep = Walk().advance(["9", "8", "7"], "7", backfill_limit=0)
    assert keep == [False, False, False]
    assert walk == Walk(since="9")  # done, and the next run starts above 9
    walk, keep = Walk().advance(["9", "8", "7"], "7", backfill_limit=2)
    assert keep == [True, True, False] and walk.since == "9" and walk.page is None


def test_walk_keeps_old_mark_until_walk_reaches_it():
    start = Walk(since="5")
    mid, keep = start.advance(["12", "11", "10"], "10", backfill_limit=2)
    assert keep == [True] * 3  # the back-fill limit only bounds a first run
    assert (mid.since, mid.pending, mid.page) == ("5", "12", "10")
    resumed = Walk.load(mid.dump(), source="s")
    assert resumed == mid
    done, keep = resumed.advance(["9", "6", "5", "4"], "4", backfill_limit=2)
    assert keep == [True, True, False, False]
    assert done == Walk(since="12")


def test_walk_inclusive_keys_and_ranked_listings():
    walk = Walk(since="2026-01-01T00:00:00.000000Z")
    _, keep = walk.advance(
        ["2026-01-01T00:00:00.000000Z", "2025-12-31T00:00:00.000000Z"],
        None,
        backfill_limit=5,
        inclusive=True,
    )
    assert keep == [True, False]
    ranked = Walk(since="5")
    nxt, keep = ranked.advance(["3", "9", "1"], "p2", backfill_limit=5, stop_on_any_old=False)
    assert keep == [False, True, False] and nxt.page == "p2"
    end, _ = nxt.advance(["2", "4"], "p3", backfill_limit=5, stop_on_any_old=False)
    assert end == Walk(since="9")


def test_walk_unreadable_keys_kept_but_never_end_the_walk():
    walk, keep = Walk(since="5").advance([None, "7"], "7", backfill_limit=1)
    assert keep == [True, True] and walk.page == "7"


@pytest.mark.parametrize("cursor", ["not json", "[1, 2]", '"text"'])
def test_walk_rejects_garbage_cursor_naming_source(cursor):
    with pytest.raises(PermanentError, match="src: stored cursor"):
        Walk.load(cursor, source="src")


@given(
    st.lists(st.integers(min_value=1, max_value=10**18), unique=True, max_size=60),
    st.integers(min_value=1, max_value=7),
    st.integers(min_value=0, max_value=60),
)
def test_walk_crash_anywhere_loses_nothing(ids, page_size, crash_after):
    """Newest-first pages; the process may die after any page; every id is taken eventually."""
    listing = sorted(ids, reverse=True)
    since = None
    if listing:
        since = str(listing[-1] - 1)  # a mark below everything: all of them are owed
    cursor = Walk(since=since).dump() if since else None
    taken: list[int] = []
    pages_done = 0
    for _run in range(3):
        walk = Walk.load(cursor, source="p")
        while True:
            start = 0 if walk.page is None else listing.index(int(walk.page)) + 1
            page = listing[start : start + page_size]
            nxt = str(page[-1]) if start + page_size < len(listing) else None
            walk, keep = walk.advance([str(i) for i in page], nxt, backfill_limit=5)
            taken += [i for i, k in zip(page, keep, strict=True) if k]
            cursor = walk.dump()
            pages_done += 1
            if walk.page is None or pages_done == crash_after:
                break
    assert set(taken) == set(listing)


async def test_oversized_body_refused(fake_platform, http_session):
    platform = await fake_platform()
    platform.on("/x", Reply(body=b"x" * 300_000))
    with pytest.raises(MalformedResponse, match=r"test:source.*exceeds 100000 bytes"):
        await request(http_session, "GET", platform.url + "/x", source=SRC, max_body=100_000)
    resp = await request(http_session, "GET", platform.url + "/x", source=SRC)
    assert len(resp.body) == 300_000


def test_options_from_text():
    from connectors.base import bool_option, int_option

    assert int_option({"limit": " 25 "}, "limit", 40, 1, 40, source="s") == 25
    assert int_option({"limit": "400"}, "limit", 40, 1, 40, source="s") == 40
    assert int_option({}, "limit", 40, 1, 40, source="s") == 40
    with pytest.raises(PermanentError, match="s: option limit must be a whole number"):
        int_option({"limit": "many"}, "limit", 40, 1, 40, source="s")
    assert bool_option({"local": "false"}, "local", True, source="s") is False
    assert bool_option({"local": "Yes"}, "local", False, source="s") is True
    with pytest.raises(PermanentError, match="true or false"):
        bool_option({"local": "maybe"}, "local", False, source="s")
