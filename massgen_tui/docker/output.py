"""Command output kept within a size cap: the head and the tail, with what was cut said."""

from __future__ import annotations

import codecs
from collections import deque
from dataclasses import dataclass
from typing import Literal

Stream = Literal["stdout", "stderr"]


@dataclass(frozen=True)
class OutputChunk:
    """A piece of output as it arrives, decoded (UTF-8, invalid bytes replaced)."""

    stream: Stream
    text: str


class CappedOutput:
    """Keeps the first ``limit/2`` and last ``limit/2`` bytes of a stream and counts the rest."""

    def __init__(self, limit: int):
        self.limit = max(limit, 2)
        self.head_limit = self.limit // 2
        self.tail_limit = self.limit - self.head_limit
        self.head = bytearray()
        self.tail: deque[bytes] = deque()
        self.tail_size = 0
        self.total = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if not data:
            return
        self.tail.append(data)
        self.tail_size += len(data)
        while self.tail_size - len(self.tail[0]) >= self.tail_limit:
            self.tail_size -= len(self.tail.popleft())

    @property
    def cut(self) -> int:
        """Bytes dropped from the middle."""
        return max(0, self.total - len(self.head) - min(self.tail_size, self.tail_limit))

    def text(self) -> str:
        tail = b"".join(self.tail)
        if len(tail) > self.tail_limit:
            tail = tail[len(tail) - self.tail_limit:]
        cut = self.cut
        head = self.head.decode("utf-8", "replace")
        if not cut:
            return (bytes(self.head) + tail).decode("utf-8", "replace")
        return (head + f"\n[... {cut} bytes of output cut; kept the first {len(self.head)} "
                f"and last {len(tail)} of {self.total} ...]\n" + tail.decode("utf-8", "replace"))


class StreamDecoder:
    """Incremental UTF-8 decoding per stream, so multi-byte characters split across chunks survive."""

    def __init__(self) -> None:
        self.decoders = {"stdout": codecs.getincrementaldecoder("utf-8")("replace"),
                         "stderr": codecs.getincrementaldecoder("utf-8")("replace")}

    def decode(self, stream: Stream, data: bytes) -> str:
        return self.decoders[stream].decode(data)
