"""Turning platform HTML into plain text safely.

Post content is hostile input. We parse it with a real HTML parser and keep only text: scripts,
styles and templates are dropped whole, block elements become line breaks, and invisible
characters that hide words from a reader (zero-width, bidi overrides) are removed so that what the
officer reads is what the classifier scored.
"""

from __future__ import annotations

import re
import unicodedata

from selectolax.lexbor import LexborHTMLParser as HTMLParser

_DROP = ("script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "head")
_BLOCK = re.compile(
    r"<\s*(br|/p|/div|/li|/blockquote|/h[1-6]|/tr|/pre)\b[^<>]{0,2000}>", flags=re.IGNORECASE
)
# Zero-width and bidirectional formatting characters (Unicode category Cf) except ZWJ, which
# joins emoji sequences that carry meaning.
_ZWJ = "\u200d"
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Line breaks in HTML source are spaces to a browser; only <br> and block ends break lines.
# Preformatted blocks keep theirs.
_PRE_TAG = re.compile(r"<(/?)pre\b[^<>]{0,2000}>", flags=re.IGNORECASE)
_SOURCE_BREAKS = re.compile(r"[\r\n]+")
# Elements that close an open <p> (and a few with implied end tags: ruby, option) make the parser
# search the whole stack of open elements, so thousands of nested <div>s take minutes (hostile
# input). Their line breaks are already marked by _BLOCK (<pre>'s kept by
# _collapse_source_breaks), so they are parsed as <span>s: linear time, the same text.
_P_CLOSERS = re.compile(
    r"<(/?)\s*(?:div|p|section|article|aside|blockquote|center|details|dialog|dir|dl|dd|dt|"
    r"fieldset|figcaption|figure|footer|header|hgroup|main|menu|nav|ol|ul|summary|address|"
    r"h[1-6]|listing|search|pre|rb|rp|rt|rtc|option|optgroup|select|datalist)\b",
    flags=re.IGNORECASE,
)
MAX_TEXT = 100_000
# Markup beyond this is not parsed: the text is capped at MAX_TEXT anyway, and parse time grows
# with the input.
MAX_HTML = 2_000_000


def strip_invisible(text: str) -> str:
    return "".join(
        ch
        for ch in text
        if ch == _ZWJ or ch in "\n\t" or unicodedata.category(ch) not in ("Cf", "Cc")
    )


def clean_text(text: str, *, max_len: int = MAX_TEXT) -> str:
    """Normalise plain text: NFC, no invisible characters, tidy whitespace, bounded length."""
    # Invisible characters go before composing: a zero-width space between "e" and a combining
    # accent would otherwise block NFC and leave a non-NFC pair once it is removed.
    text = strip_invisible(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    if len(text) > max_len:
        text = text[:max_len].rstrip() + " […]"
    return text


def _collapse_source_breaks(html: str) -> str:
    out: list[str] = []
    depth = pos = 0
    for match in _PRE_TAG.finditer(html):
        chunk = html[pos : match.start()]
        out.append(chunk if depth else _SOURCE_BREAKS.sub(" ", chunk))
        out.append(match.group(0))
        depth = max(0, depth + (-1 if match.group(1) else 1))
        pos = match.end()
    tail = html[pos:]
    out.append(tail if depth else _SOURCE_BREAKS.sub(" ", tail))
    return "".join(out)


def html_to_text(html: str, *, max_len: int = MAX_TEXT) -> str:
    """Visible text of an HTML fragment, as the reader of the post would see it."""
    if not html:
        return ""
    html = _collapse_source_breaks(html[:MAX_HTML])
    # Line breaks for block ends survive the parse as text.
    html = _BLOCK.sub(lambda m: m.group(0) + "\n", html)
    html = _P_CLOSERS.sub(r"<\1span", html)
    tree = HTMLParser(f"<div>{html}</div>")
    for tag in _DROP:
        for node in tree.css(tag):
            node.decompose()
    root = tree.body or tree.root
    text = root.text(separator="", strip=False) if root is not None else ""
    return clean_text(text, max_len=max_len)
