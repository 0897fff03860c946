"""A zip written as a stream of byte chunks, the same bytes every time for the same entries.

Determinism: fixed timestamps (1980-01-01, the zip epoch), fixed permissions (0644, Unix), entry
order as given, no extra fields, deflate at zlib's default level or stored. Streaming: the zip is
written to an unseekable sink (so sizes and CRCs go into data descriptors after each entry), and
file entries are copied in 1 MiB chunks: memory stays bounded whatever the knowledge files weigh.
Because the sink is always unseekable, a download and a file on disk get identical bytes.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import BinaryIO

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # regular file, rw-r--r--
CHUNK_SIZE = 1024 * 1024


class _Sink:
    """Write-only, unseekable: collects what zipfile writes until the generator hands it out."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _info(name: str, *, compress: bool, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.create_system = 3  # Unix, whatever the platform that builds it
    info.external_attr = FILE_MODE << 16
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.file_size = size  # only a hint: zipfile picks zip64 from it; the real size is counted
    return info


class DeterministicZip:
    """Build a zip entry by entry; every method yields the bytes ready so far."""

    def __init__(self):
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w")  # type: ignore[arg-type]

    def add_bytes(self, name: str, data: bytes, *, compress: bool = True) -> Iterator[bytes]:
        with self._zip.open(_info(name, compress=compress, size=len(data)), "w") as entry:
            entry.write(data)
        yield self._sink.drain()

    def add_file(self, name: str, fileobj: BinaryIO, *, size: int, compress: bool = True) -> Iterator[bytes]:
        with self._zip.open(_info(name, compress=compress, size=size), "w") as entry:
            while chunk := fileobj.read(CHUNK_SIZE):
                entry.write(chunk)
                data = self._sink.drain()
                if data:
                    yield data
        yield self._sink.drain()

    def close(self) -> Iterator[bytes]:
        self._zip.close()
        yield self._sink.drain()
