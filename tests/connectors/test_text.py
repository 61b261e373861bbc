"""Property tests of the text normalisers with hostile input: markup, scripts, bidi overrides,
zero-width characters and huge bodies. What the officer reads must be what the classifier scored,
and no markup may survive into it."""

from __future__ import annotations

import time
import unicodedata
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.http.client import Response
from connectors.lemmy.parse import parse_post
from connectors.rss.parse import entry_text
from connectors.telegram.parse import LinkPreview, Message, Poll, parse_page
from connectors.text import MAX_TEXT, clean_text, html_to_text
from connectors.youtube.parse import comment_post

ZWJ = "\u200d"
ELLIPSIS = " […]"
INVISIBLE = ["\u200b", "\u200c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
             "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\ufeff", "\u00ad",
             "\u2060", "\u180e", "\x00", "\x07", "\x1b", "\x7f"]
HOSTILE_MARKUP = [
    "<script>PAYLOAD()</script>", "<SCRIPT src=//x>PAYLOAD</SCRIPT>", "<scr<script>ipt>",
    "<script>PAYLOAD", "<style>PAYLOAD{}</style>", "<svg><script>PAYLOAD</script></svg>",
    "<template><p>PAYLOAD</p></template>", "<noscript>PAYLOAD</noscript>",
    "<iframe srcdoc='<script>PAYLOAD</script>'></iframe>", "<img src=x onerror=PAYLOAD()>",
    "<!-- <script>PAYLOAD</script> -->", "<math><mi><script>PAYLOAD</script></mi></math>",
    "<p>", "</p>", "<br>", "<div>", "</div>", "<b>", "</b>", "<a href='javascript:PAYLOAD'>",
    "</a>", "<pre>", "</pre>", "<li>", "<option>", "<ruby><rt>", "&amp;", "&nbsp;", "&#8238;",
    "&#x200b;", "&lt;b&gt;", "\n", "\r\n", "\t",
]
# Visible text: any characters except "<" and "&", which in HTML source start markup.
VISIBLE = st.text(st.characters(exclude_characters="<&", exclude_categories=["Cs"]), max_size=40)
PIECES = st.one_of(VISIBLE, st.sampled_from(HOSTILE_MARKUP), st.sampled_from(INVISIBLE))
HOSTILE_HTML = st.lists(PIECES, max_size=60).map("".join)
ANY_TEXT = st.lists(st.one_of(st.text(max_size=40), st.sampled_from([*INVISIBLE, "\u0301", "e"])),
                    max_size=60).map("".join)


def assert_clean(out: str, max_len: int = MAX_TEXT) -> None:
    assert unicodedata.is_normalized("NFC", out), repr(out)
    assert len(out) <= max_len + len(ELLIPSIS)
    for ch in out:
        cat = unicodedata.category(ch)
        assert ch == ZWJ or cat != "Cf", f"format character U+{ord(ch):04X} in {out!r}"
        assert ch == "\n" or cat != "Cc", f"control character U+{ord(ch):04X} in {out!r}"
    assert out == out.strip()


def assert_no_markup(out: str) -> None:
    assert "<script" not in out.lower()
    assert "PAYLOAD" not in out, out


@given(HOSTILE_HTML)
@settings(max_examples=300, deadline=None)
def test_html_to_text_drops_markup_and_invisible_characters(html: str) -> None:
    out = html_to_text(html)
    assert_clean(out)
    assert_no_markup(out)


@given(HOSTILE_HTML, st.integers(min_value=1, max_value=200))
@settings(max_examples=100, deadline=None)
def test_html_to_text_is_bounded(html: str, max_len: int) -> None:
    out = html_to_text(html * 5, max_len=max_len)
    assert_clean(out, max_len)


@given(ANY_TEXT, st.integers(min_value=1, max_value=500))
@settings(max_examples=300, deadline=None)
def test_clean_text_is_nfc_bounded_visible_and_idempotent(text: str, max_len: int) -> None:
    out = clean_text(text, max_len=max_len)
    assert_clean(out, max_len)
    if len(out) < max_len:
        assert clean_text(out, max_len=max_len) == out


def test_zero_width_joiner_survives_but_other_format_characters_do_not() -> None:
    family = "👩\u200d👩\u200d👧"
    assert clean_text(f"a\u200bb {family} \u202eevil\u202c") == f"ab {family} evil"
    assert clean_text("e\u200b\u0301") == "é"  # removing the ZWSP must not leave a non-NFC pair


def test_escaped_markup_is_text_not_markup() -> None:
    # "&lt;script&gt;" is what a reader sees as text; it stays text (views escape it).
    assert html_to_text("&lt;b&gt;bold&lt;/b&gt;") == "<b>bold</b>"


def test_html_whitespace_reads_like_a_browser() -> None:
    assert html_to_text("<p>one\ntwo</p>\n<p>three</p>") == "one two\nthree"
    assert html_to_text("<pre>a\nb</pre>") == "a\nb"
    assert html_to_text("x<br>y<br/>z") == "x\ny\nz"


def test_huge_and_deeply_nested_bodies_are_fast_and_bounded() -> None:
    bodies = [
        "<div>" * 200_000,
        "<option><div>" * 30_000,
        "<ruby><rt>" * 30_000,
        "<br" * 300_000,
        "<p>" + "word " * 400_000,
        ("<b>x</b>\u200b" * 100_000),
    ]
    for body in bodies:
        started = time.perf_counter()
        out = html_to_text(body)
        assert time.perf_counter() - started < 10, body[:20]
        assert_clean(out)


# --------------------------------------------------------------------------- the connectors'
# normalisers run the same guarantees over their composed text.


def message(**fields: Any) -> Message:
    base: dict[str, Any] = dict(channel="abcd", message_id=1, created_at=datetime.now(UTC),
                                text="", html="")
    base.update(fields)
    return Message(**base)


@given(HOSTILE_HTML, HOSTILE_HTML, st.lists(HOSTILE_HTML, max_size=4))
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_telegram_messages_are_clean(text: str, preview: str, options: list[str]) -> None:
    page = ('<section class="tgme_channel_history"><div class="tgme_widget_message" '
            'data-post="abcd/5"><div class="tgme_widget_message_text">' + text + '</div>'
            '<time datetime="2026-11-01T10:00:00+00:00"></time></div></section>')
    for parsed in parse_page(page, source="s").messages:
        assert_clean(parsed.full_text())
        assert_no_markup(parsed.full_text())
    composed = message(
        text=html_to_text(text), forwarded_from=html_to_text(preview),
        link_preview=LinkPreview("u", html_to_text(preview), "", html_to_text(text)),
        poll=Poll(html_to_text(preview), tuple(html_to_text(o) for o in options)),
    ).full_text()
    assert_clean(composed)
    assert_no_markup(composed)


@given(HOSTILE_HTML, HOSTILE_HTML, st.booleans())
@settings(max_examples=100, deadline=None)
def test_feed_entries_are_clean(title: str, body: str, plain_title: bool) -> None:
    entry = {"title": title, "title_detail": {"type": "text/plain" if plain_title else
                                              "text/html"},
             "content": [{"type": "text/html", "value": body}]}
    out = entry_text(entry)
    assert_clean(out)
    if not plain_title:
        assert_no_markup(out)
    else:
        assert "PAYLOAD" not in html_to_text(body)


@given(ANY_TEXT, HOSTILE_HTML)
@settings(max_examples=100, deadline=None)
def test_lemmy_markdown_is_clean_text(title: str, body: str) -> None:
    # Lemmy bodies are Markdown, shown as text: clean, but literal "<b>" stays what was written.
    item = {"post": {"id": 1, "name": title, "body": body, "published": "2026-11-01T10:00:00Z",
                     "ap_id": "https://l.example/post/1"},
            "creator": {"name": "a", "actor_id": "https://l.example/u/a"}}
    assert_clean(parse_post(item, host="h", languages={}, source="s")[2].text)


@given(HOSTILE_HTML)
@settings(max_examples=100, deadline=None)
def test_youtube_comments_are_clean(text: str) -> None:
    comment = {"id": "Ugx1", "snippet": {"authorDisplayName": "@a", "textDisplay": text,
                                         "publishedAt": "2026-11-01T10:00:00Z"}}
    response = Response(status=200, headers={}, body=b"{}", url="https://x.example")
    post = comment_post(comment, video_id="dQw4w9WgXcQ", channel_id=None, thread_id="Ugx1",
                        source="s", response=response)
    assert_clean(post.text)
    assert_no_markup(post.text)
