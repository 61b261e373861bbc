"""A tiny SMTP server for tests: enough of RFC 5321 for aiosmtplib to hand over a message."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class SmtpSink:
    messages: list[bytes] = field(default_factory=list)
    fail_first: int = 0  # answer 451 (temporary) to the first N DATA commands
    server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        say("220 sink ESMTP")
        try:
            while line := await reader.readline():
                verb = line.decode(errors="replace").strip().split(" ")[0].upper()
                if verb in ("EHLO", "HELO"):
                    say("250 sink")
                elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                    say("250 OK")
                elif verb == "DATA":
                    say("354 go ahead")
                    await writer.drain()
                    body = b""
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        body += chunk
                    if self.fail_first > 0:
                        self.fail_first -= 1
                        say("451 try again later")
                    else:
                        self.messages.append(body)
                        say("250 queued")
                elif verb == "QUIT":
                    say("221 bye")
                    await writer.drain()
                    break
                else:
                    say("502 not implemented")
                await writer.drain()
        finally:
            writer.close()
