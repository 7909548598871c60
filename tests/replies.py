"""Answers the test servers give besides a snapshot's recorded ones."""

import dataclasses

from archiver.demo import Reply

JSON = "application/json; charset=UTF-8"


@dataclasses.dataclass(frozen=True)
class ApiReply(Reply):
    """A Reply with headers of its own: those an API pages by, a Retry-After, a
    Content-Encoding."""

    headers: tuple = ()


@dataclasses.dataclass(frozen=True)
class ShortReply(Reply):
    """A Reply whose Content-Length says more than its body: the connection closes first."""

    declared_length: int = 0


@dataclasses.dataclass(frozen=True)
class StreamedReply(Reply):
    """A Reply sent without a Content-Length: its end is where the server closes the connection,
    as it does after every answer (HTTP/1.0)."""
