"""What an upload is before it is parsed: gzip is opened, and JSON text in UTF-16 (or with a UTF-8 BOM) becomes
plain UTF-8, so that every loader reads the same bytes whatever the exporting tool wrapped them in.

The unpacked size is capped at the same limit a plain upload has (loaders.tabular.check_size): a small gzip
that would unpack into gigabytes ("gzip bomb") is refused before it is unpacked in full.
"""
from __future__ import annotations

import mmap
import zlib
from collections.abc import Callable

from loaders import tabular
from loaders.errors import fail

GZIP_MAGIC = b"\x1f\x8b"
BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"), (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8 с меткой BOM"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"), (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
HEAD_BYTES = 64 * 1024
_CHUNK = 4 * 1024 * 1024


def mappable(first: bytes) -> bool:
    """Whether a file that begins with these bytes may be read in place, mapped rather than copied into memory
    (storage.ingest.read_path): a JSON document in plain UTF-8 — no gzip, no BOM, no UTF-16 — which the JSON
    loaders read as it is. Anything else is read into bytes, as the other loaders expect."""
    return not is_gzip(first) and text_encoding(first)[:2] == ("utf-8", 0) and is_json(first)


def shedder(content: bytes | mmap.mmap) -> Callable[[], None]:
    """For a file read in place (an mmap): a function that lets go of the pages of it this process has read so
    far — they stay in the system's file cache and are read again if touched — so that a loader walking a big
    export holds a window of it at a time instead of the whole file. For bytes: nothing to let go."""
    if isinstance(content, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        return lambda: content.madvise(mmap.MADV_DONTNEED)
    return lambda: None


def count_byte(content: bytes | mmap.mmap, byte: bytes) -> int:
    """How many times `byte` occurs (a mapped file has no `count`: it is counted a slice at a time)."""
    if isinstance(content, bytes):
        return content.count(byte)
    return sum(content[start:start + _CHUNK].count(byte) for start in range(0, len(content), _CHUNK))


def is_gzip(content: bytes) -> bool:
    return content[:2] == GZIP_MAGIC


def _limit() -> int:
    return tabular.MAX_UPLOAD_BYTES  # read at call time: the limit of a plain upload


def gunzip(content: bytes, filename: str, limit: int | None = None) -> bytes:
    """The content of a gzip file (all its members), or LoadError: corrupt, cut short, or bigger than `limit`.
    Measured first without keeping anything (a "gzip bomb" costs its inflation time, not its size in memory),
    then unpacked."""
    limit = _limit() if limit is None else limit
    _inflate(content, filename, limit, keep=False)
    return _inflate(content, filename, limit, keep=True)


def _inflate(content: bytes, filename: str, limit: int, keep: bool) -> bytes:
    parts: list[bytes] = []
    size = 0
    data = content
    while data:
        stream = zlib.decompressobj(wbits=31)
        pending = data
        try:
            while pending and not stream.eof:
                chunk = stream.decompress(pending, min(_CHUNK, limit + 1 - size))
                size += len(chunk)
                if keep:
                    parts.append(chunk)
                if size > limit:
                    raise fail(f"архив gzip распаковывается больше чем в {limit / 2**20:.0f} МБ — это больше "
                               "допустимого размера файла; файл не принят", filename)
                pending = stream.unconsumed_tail
        except zlib.error:
            raise fail("архив gzip повреждён: распаковать его не удалось; выгрузите и сожмите файл заново",
                       filename) from None
        if not stream.eof:
            raise fail("архив gzip обрезан: файл обрывается на середине; скачайте или скопируйте его заново",
                       filename)
        data = stream.unused_data.lstrip(b"\x00")  # members may follow one another; some tools pad with zeros
        if data and not is_gzip(data):
            raise fail("после архива gzip в файле есть посторонние данные; сожмите выгрузку заново", filename)
    result = b"".join(parts)
    if keep and not result.strip():
        raise fail("архив gzip пустой: в нём нет данных", filename)
    return result


def head(content: bytes, size: int = HEAD_BYTES) -> bytes:
    """The first bytes of the content (unpacked if it is gzip) — enough to tell its format; b"" if the gzip is
    broken (the full read then explains why)."""
    if not is_gzip(content):
        return content[:size]
    try:
        return zlib.decompressobj(wbits=31).decompress(content[:size * 4], size)
    except zlib.error:
        return b""


def unpack(content: bytes, filename: str) -> bytes:
    """The file's bytes, gzip opened."""
    return gunzip(content, filename) if is_gzip(content) else content


def text_encoding(content: bytes) -> tuple[str, int, str]:
    """(codec, BOM length, label) of a text file: by its BOM, else UTF-16 without BOM recognised by the zero
    bytes around the first character of a JSON document, else UTF-8."""
    first = content[:4]  # a slice: a mapped file (storage.ingest.read_path) has no `startswith`
    for bom, codec, label in BOMS:
        if first.startswith(bom):
            return codec, len(bom), label
    if len(content) >= 2 and content[1:2] == b"\x00" and content[:1] in b"{[ \r\n\t":
        return "utf-16-le", 0, "UTF-16"
    if len(content) >= 2 and content[:1] == b"\x00" and content[1:2] in b"{[ \r\n\t":
        return "utf-16-be", 0, "UTF-16"
    return "utf-8", 0, "UTF-8"


def is_json(content: bytes) -> bool:
    """A JSON document, maybe gzip, maybe UTF-16 or with a BOM (by its first characters: json_head)."""
    return json_head(content).lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


def json_head(content: bytes) -> str:
    """The first characters of a (maybe UTF-16, maybe gzip) text, for format detection."""
    raw = head(content)
    codec, bom, _ = text_encoding(raw)
    return raw[bom:bom + 256].decode(codec, errors="ignore")


def utf8(content: bytes, filename: str) -> bytes:
    """JSON text as UTF-8 without a BOM (gzip opened, UTF-16/32 converted)."""
    content = unpack(content, filename)
    codec, bom, label = text_encoding(content)
    if codec == "utf-8":
        return content[bom:] if bom else content
    try:
        text = content[bom:].decode(codec)
    except UnicodeDecodeError as exc:
        raise fail(f"текст в кодировке {label} повреждён (байт {exc.start + bom + 1} из {len(content)}); "
                   "сохраните выгрузку заново в UTF-8", filename) from None
    return text.encode("utf-8")
