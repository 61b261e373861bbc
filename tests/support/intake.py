"""Fixtures for the moderator intake tests: people, images and a report factory."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from PIL import Image

from monitor.accounts.users import create_user
from monitor.config import Settings
from monitor.intake.reports import ReportInput
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from tests.support.fakes import FakeScorer
from tests.support.web import PASSWORD, Client, build_app


@pytest.fixture
def make_user(db: Database) -> Callable[..., User]:
    def make(username: str, role: str = "moderator", email: str | None = None) -> User:
        with db.write() as session:
            return create_user(session, username=username, role=role, password=PASSWORD,
                               actor="test", email=email)

    return make


@pytest.fixture
def mod_a(make_user: Callable[..., User]) -> User:
    return make_user("mod_a", email="a@example.org")


@pytest.fixture
def mod_b(make_user: Callable[..., User]) -> User:
    return make_user("mod_b")


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer1", role="officer")


def report(n: int = 1, **kw: str) -> ReportInput:
    values = {
        "url": f"https://www.facebook.com/groups/townsquare/posts/{n}",
        "text": "get out of our town, immigrants are vermin",
        "platform": "facebook",
        "group": "Town Square",
        "reason": "hostile to the refugee families who moved in last month",
    }
    values.update(kw)
    return ReportInput(**values)


def png_bytes(size: tuple[int, int] = (40, 30), *, text: dict[str, str] | None = None) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for k, v in (text or {}).items():
        info.add_text(k, v)
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def jpeg_bytes(size: tuple[int, int] = (40, 30), *, gps: bool = False) -> bytes:
    img = Image.new("RGB", size, (10, 10, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 28.0, 0.0)}  # GPSInfo: latitude
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif.tobytes())
    return buf.getvalue()


# --- web -----------------------------------------------------------------------------------



@pytest.fixture
async def web_client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]], settings: Settings,
    db: Database, fake_scorer: FakeScorer, monkeypatch: pytest.MonkeyPatch,
) -> Client:
    return await aiohttp_client(build_app(settings, db, fake_scorer))
