"""What a source's sweeps could not read: the "could not read" list on the source page, and the
audited acknowledgement that someone has looked (which clears "needs attention").

Acknowledging records who looked, when, and what they acknowledged; it deletes nothing: the
kept items stay on the list until a parser reads them (``hate-monitor sweep SOURCE
--retry-skipped``).
"""

from __future__ import annotations

from aiohttp import web

from monitor.sources import store
from monitor.storage.db import Database
from monitor.sweeps import unreadable
from review_ui import keys
from review_ui.access import DESK, Route
from review_ui.middlewares import DeskError, redirect
from review_ui.views.common import current_user, int_param

MAX_NOTE = 500


async def acknowledge(request: web.Request) -> web.StreamResponse:
    sid = int_param(request, "source_id")
    form = await request.post()
    note = str(form.get("note", ""))[:MAX_NOTE]
    db: Database = request.app[keys.DB]
    try:
        done = await db.run(unreadable.acknowledge_loss, db, sid,
                            actor=current_user(request).username, note=note)
    except store.UnknownSource as err:
        raise DeskError(404, str(err)) from err
    return redirect(f"/sources/{sid}?msg={'acknowledged' if done else 'nothing'}")


ROUTES: tuple[Route, ...] = (
    Route("POST", "/sources/{source_id}/acknowledge", acknowledge, DESK, "source_acknowledge"),
)
