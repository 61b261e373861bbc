"""Parsing Telegram's public channel web preview (``t.me/s/<channel>``) into messages.

The preview is HTML meant for browsers, so it is read with a real parser (selectolax's lexbor
backend) through the CSS classes Telegram's own widget uses. One ``.tgme_widget_message`` with a
``data-post="<channel>/<id>"`` is one post; an album (grouped media) is one post whose members
are listed; a forwarded message keeps who it was forwarded from; a reply keeps its parent.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from connectors.base import MalformedResponse, Unreadable
from connectors.http.parse import parse_iso8601_utc
from connectors.text import clean_text, html_to_text

log = logging.getLogger(__name__)

CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_POST_REF = re.compile(r"^([A-Za-z][A-Za-z0-9_]{3,31})/(\d{1,12})$")
_T_ME = ("t.me", "telegram.me", "www.t.me")


@dataclass(frozen=True, slots=True)
class LinkPreview:
    url: str
    site_name: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class Poll:
    question: str
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Message:
    channel: str
    message_id: int
    created_at: datetime
    text: str
    html: str
    channel_title: str = ""
    channel_id: str | None = None
    signature: str = ""
    forwarded_from: str = ""
    forwarded_from_url: str = ""
    reply_to: str | None = None  # "<channel>/<id>" of the parent message
    album: tuple[int, ...] = ()
    link_preview: LinkPreview | None = None
    poll: Poll | None = None

    @property
    def post_ref(self) -> str:
        return f"{self.channel}/{self.message_id}"

    def full_text(self) -> str:
        """What a reader sees: forward line, text, link preview card and poll."""
        parts: list[str] = []
        if self.forwarded_from:
            parts.append(f"Forwarded from {self.forwarded_from}")
        if self.text:
            parts.append(self.text)
        if self.link_preview is not None:
            card = (self.link_preview.site_name, self.link_preview.title,
                    self.link_preview.description)
            parts.append("\n".join(p for p in card if p))
        if self.poll is not None:
            lines = [f"Poll: {self.poll.question}"] + [f"- {o}" for o in self.poll.options]
            parts.append("\n".join(lines))
        return clean_text("\n\n".join(p for p in parts if p))


@dataclass(frozen=True, slots=True)
class ChannelPage:
    messages: tuple[Message, ...]
    unreadable: tuple[Unreadable, ...]  # message fragments that could not be read (kept)
    before: int | None  # the "load older" link's position, None at the channel's start
    is_preview: bool
    whole: bool = True  # the document reached its end (``</html>``)
    mentioned: frozenset[str] = frozenset()  # "channel/id" (lower case) named by a data-post

    def covered(self) -> set[int]:
        """Message ids this page accounts for: read, kept unreadable, or album members."""
        ids = {m.message_id for m in self.messages}
        ids.update(i for m in self.messages for i in m.album)
        ids.update(int(u.key.rsplit("/", 1)[1]) for u in self.unreadable
                   if u.key and _POST_REF.match(u.key))
        return ids


def _text(node: LexborNode | None) -> str:
    if node is None:
        return ""
    return html_to_text(node.html or "")


def _inside(node: LexborNode, stop: LexborNode, classes: tuple[str, ...]) -> bool:
    parent = node.parent
    while parent is not None and parent.mem_id != stop.mem_id:
        cls = (parent.attributes.get("class") or "").split()
        if any(c in cls for c in classes):
            return True
        parent = parent.parent
    return False


def _message_text(msg: LexborNode) -> str:
    # The reply quote and link preview carry text of their own; the post's text is the
    # outermost .tgme_widget_message_text that is not inside either (albums nest it twice).
    for node in msg.css(".tgme_widget_message_text"):
        if not _inside(node, msg, ("tgme_widget_message_reply", "tgme_widget_message_link_preview",
                                   "tgme_widget_message_text")):
            return _text(node)
    return ""


def post_ref(href: str | None) -> str | None:
    """``https://t.me/<channel>/<id>`` (or ``/s/...``) → ``<channel>/<id>``, else None."""
    if not href:
        return None
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.netloc and parts.netloc.lower() not in _T_ME:
        return None
    path = parts.path.strip("/")
    path = path[2:] if path.startswith("s/") else path
    return path if _POST_REF.match(path) else None


def _channel_id(data_view: str | None) -> str | None:
    # data-view is base64url JSON such as {"c":-1084368520,"p":70989,...}; "c" is the channel's
    # numeric id, which survives a change of username.
    if not data_view:
        return None
    try:
        padded = data_view + "=" * (-len(data_view) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, binascii.Error):
        return None
    c = data.get("c") if isinstance(data, dict) else None
    return str(c) if isinstance(c, int) and not isinstance(c, bool) else None


def parse_message(msg: LexborNode, *, source: str) -> Message:
    """One ``.tgme_widget_message`` → ``Message``; MalformedResponse when it lacks id or time."""
    ref = msg.attributes.get("data-post") or ""
    match = _POST_REF.match(ref)
    if not match:
        raise MalformedResponse(f"{source}: message without a valid data-post ({ref!r:.60})")
    channel, number = match.group(1), int(match.group(2))
    time_node = msg.css_first(".tgme_widget_message_date time") or msg.css_first("time[datetime]")
    when = time_node.attributes.get("datetime") if time_node is not None else None
    created = parse_iso8601_utc(when, source=source, what=f"time of message {ref}")

    fwd = msg.css_first(".tgme_widget_message_forwarded_from_name")
    reply = msg.css_first("a.tgme_widget_message_reply")
    album = tuple(
        int(r.split("/")[1])
        for a in msg.css(".tgme_widget_message_grouped_wrap a[href]")
        if (r := post_ref(a.attributes.get("href"))) is not None
    )
    preview = msg.css_first("a.tgme_widget_message_link_preview")
    poll = msg.css_first(".tgme_widget_message_poll")
    wrap = msg.parent
    is_wrap = wrap is not None and "tgme_widget_message_wrap" in (
        wrap.attributes.get("class") or "").split()
    return Message(
        channel=channel,
        message_id=number,
        created_at=created,
        text=_message_text(msg),
        html=(wrap.html if is_wrap and wrap is not None else msg.html) or "",
        channel_title=_text(msg.css_first(".tgme_widget_message_owner_name")),
        channel_id=_channel_id(msg.attributes.get("data-view")),
        signature=_text(msg.css_first(".tgme_widget_message_from_author")),
        forwarded_from=_text(fwd),
        forwarded_from_url=(fwd.attributes.get("href") or "") if fwd is not None else "",
        reply_to=post_ref(reply.attributes.get("href")) if reply is not None else None,
        album=album,
        link_preview=None if preview is None else LinkPreview(
            url=preview.attributes.get("href") or "",
            site_name=_text(preview.css_first(".link_preview_site_name")),
            title=_text(preview.css_first(".link_preview_title")),
            description=_text(preview.css_first(".link_preview_description")),
        ),
        poll=None if poll is None else Poll(
            question=_text(poll.css_first(".tgme_widget_message_poll_question")),
            options=tuple(_text(o) for o in poll.css(".tgme_widget_message_poll_option_text")),
        ),
    )


_DATA_POST = re.compile(r"""data-post=["']?([A-Za-z][A-Za-z0-9_]{3,31})/(\d{1,12})""")
# t.me appends a comment after the document ("<!-- page generated in 141.46ms -->").
_END = re.compile(r"</html\s*>\s*(?:<!--.*?-->\s*)*$", re.IGNORECASE | re.DOTALL)


def parse_page(html: str, *, source: str) -> ChannelPage:
    """A preview page → its messages (oldest first, as Telegram lists them) and the position of
    the next older page. A page that is not a channel preview says so in ``is_preview``.

    The HTML parser quietly repairs a document that breaks off (Telegram lists oldest first, so
    that loses the *newest* messages) or breaks mid-way, so the page also says whether it
    reached ``</html>`` and which message ids its text names at all, for the connector to see
    what the parser did not."""
    tree = LexborHTMLParser(html)
    nodes = tree.css(".tgme_widget_message[data-post]")
    is_preview = bool(nodes) or tree.css_first(".tgme_channel_history") is not None
    messages: list[Message] = []
    unreadable: list[Unreadable] = []
    for node in nodes:
        try:
            messages.append(parse_message(node, source=source))
        except MalformedResponse as err:
            log.warning("%s: could not read Telegram message, kept to retry: %s", source, err)
            wrap = node.parent
            fragment = wrap.html if wrap is not None and "tgme_widget_message_wrap" in (
                wrap.attributes.get("class") or "").split() else node.html
            unreadable.append(Unreadable(
                (fragment or "").encode("utf-8"), str(err)[:500],
                key=node.attributes.get("data-post") or None, content_type="text/html"))
    more = tree.css_first(".tme_messages_more[data-before]")
    before: int | None = None
    if more is not None:
        raw = (more.attributes.get("data-before") or "").strip()
        before = int(raw) if raw.isdigit() else None
    mentioned = frozenset(f"{m.group(1).lower()}/{int(m.group(2))}"
                          for m in _DATA_POST.finditer(html))
    whole = _END.search(html[-4096:]) is not None
    return ChannelPage(tuple(messages), tuple(unreadable), before, is_preview, whole, mentioned)


def parse_fragment(html: str, *, source: str) -> Message:
    """One kept message fragment (its ``tgme_widget_message_wrap``) read again."""
    node = LexborHTMLParser(html).css_first(".tgme_widget_message[data-post]")
    if node is None:
        raise MalformedResponse(f"{source}: kept fragment holds no Telegram message")
    return parse_message(node, source=source)
