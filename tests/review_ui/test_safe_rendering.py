"""What a capture carries is shown safely everywhere: one safe-link helper for the item and case
pages (no javascript:/data: links), and every author handle and post text isolated for
bidirectional text (a handle with U+202E cannot reorder what follows it)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from monitor.cases import lifecycle as cases
from monitor.ingest.pipeline import process_posts_sync
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from review_ui.render import make_env
from tests.support.fakes import FakeScorer, make_post
from tests.support.web import Client, login

TEMPLATES = Path(__file__).resolve().parents[2] / "review_ui" / "templates"
RLO = "\u202e"


def test_original_link_only_links_web_addresses() -> None:
    link = make_env().filters["original_link"]
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>",
                "https://", "vbscript:x", ""):
        html = str(link(bad))
        assert "<a " not in html and "not linked" in html, bad
    ok = str(link("https://example.social/@a/1?x=<b>", "original-link"))
    assert ok.startswith('<a href="https://example.social/@a/1?x=&lt;b&gt;"')
    assert 'id="original-link"' in ok and 'rel="noopener noreferrer nofollow"' in ok


def test_templates_use_the_helpers() -> None:
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r'href="\{\{ [\w.]*capture\.url', text), path
        assert not re.search(r"\{\{ [\w.]*author_handle \}\}", text), path
        for tag in re.findall(r'<[^>]*class="post-text[^"]*"[^>]*>', text):
            assert 'dir="auto"' in tag, (path, tag)


async def test_case_page_does_not_link_a_javascript_capture_url(
    client: Client, db: Database, fake_scorer: FakeScorer
) -> None:
    post = dataclasses.replace(make_post(900, "vermin, get out", author=f"evil{RLO}moc.x"),
                               url="javascript:alert(document.cookie)")
    ids = process_posts_sync(db, fake_scorer, [post], weights=PriorityWeights(),
                             origin="import", actor="t").queue_item_ids
    with db.write() as s:
        officer = User(username="o9", role="officer", password_hash="x", display_name="o9")
        s.add(officer)
        s.flush()
        case = cases.create_case(s, actor=officer, item_ids=ids, reason="threat",
                                 allowed_strands=["race"], case_years=6)
        reference = case.reference
    await login(client, "admin")
    for url in (f"/cases/{reference}", f"/items/{ids[0]}"):
        html = await (await client.get(url)).text()
        assert 'href="javascript:' not in html, url
        assert "not linked" in html, url
        assert f'<bdi dir="auto">evil{RLO}moc.x</bdi>' in html, url
