"""A CSV file as a stream of text lines: never decoded whole, no line longer than 64 KiB.

A CSV upload can be 50 MB, and the ledger and score imports read it inside the web request: a
file decoded whole (or a line read whole) costs several times its size in memory. So the file is
read a block at a time, cut after its last line break, and only those complete lines are decoded
and handed to the csv module. A line longer than `MAX_LINE_BYTES` is refused rather than
buffered: a table's row is never that long, and a file without line breaks is not a table.

The encoding is recognised from a bounded sample: UTF-8 with a BOM, else the first 64 KiB that
hold a non-ASCII byte decoded as UTF-8, else as GB18030 (valid UTF-8 Chinese text is almost never
valid GB18030 too). Cutting at line breaks is safe in both: neither uses the bytes of CR or LF
inside a multi-byte character. A later line that is not in the recognised encoding raises
`CsvLineProblem` when it is reached.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Generator, Iterator
from contextlib import closing

from django.utils.translation import gettext as _

from . import guards
from .headers import STRIP_CHARS
from .model import ENCODING, SpreadsheetRefused, format_size

LINE_TOO_LONG = "line_too_long"  # SpreadsheetRefused.code
MAX_LINE_BYTES = 64 * 1024
BLOCK_BYTES = 64 * 1024
SAMPLE_BYTES = 64 * 1024
ENCODINGS = ("utf-8", "gb18030")

# No character takes more than 4 bytes in UTF-8 or GB18030: a line of fewer characters than
# this cannot be too long, so only longer ones are encoded again to be measured.
_CHARS_SURELY_SHORT = MAX_LINE_BYTES // 4
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_LINE_ENDS = ("\n", "\r")


class CsvLineProblem(Exception):
    """A line that cannot be read: `code` is LINE_TOO_LONG or ENCODING, `line` its physical line number."""

    def __init__(self, code: str, line: int, encoding: str) -> None:
        super().__init__(code, line)
        self.code = code
        self.line = line
        self.encoding = encoding

    def refusal(self, file_name: str, row: int) -> SpreadsheetRefused:
        """The refusal naming the file and the row (as Excel counts rows) the line belongs to."""
        params = {"file": file_name, "row": row, "limit": format_size(MAX_LINE_BYTES), "encoding": self.encoding}
        if self.code == LINE_TOO_LONG:
            message = _(
                "“%(file)s”: row %(row)s is longer than %(limit)s, the longest row a CSV file may have. A file "
                "without line breaks is not a table: save it from Excel as “CSV UTF-8” and upload it again."
            )
        else:
            message = _(
                "“%(file)s”: row %(row)s is not in the text encoding of the file's beginning (%(encoding)s). "
                "Save the whole file from Excel as “CSV UTF-8” and upload it again."
            )
        return SpreadsheetRefused(message % params, file_name=file_name, code=self.code)


def unrecognised_encoding(file_name: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _(
            "The text encoding of “%(file)s” was not recognised (UTF-8 or GB18030/GBK expected). Save it from Excel "
            "as “CSV UTF-8” and upload it again."
        )
        % {"file": file_name},
        file_name=file_name,
        code=ENCODING,
    )


class CsvText:
    """The text of a CSV source, read as a stream; each call of `lines()` starts over."""

    def __init__(self, src: guards.Source, file_name: str) -> None:
        self._src = src
        self.file_name = file_name
        self.encoding, self._start = _detect_encoding(src, file_name)

    def lines(self) -> Iterator[str]:
        """The physical lines with their line breaks (CR, LF or CRLF), as csv.reader wants them.

        Raises CsvLineProblem at a line longer than MAX_LINE_BYTES or not in the encoding, after
        yielding every line before it. Each block is read from this generator's own position,
        so two of them never disturb each other on a shared file object.
        """
        encoding = self.encoding
        number = 0  # lines yielded
        carry = b""  # the start of a line whose end has not been read yet
        with self._src.open() as fh:
            position = self._start
            while True:
                fh.seek(position)
                data = fh.read(BLOCK_BYTES)
                position += len(data)
                buffer = carry + data
                if data:
                    portion, carry = _complete_lines(buffer)
                else:
                    portion, carry = buffer, b""
                try:
                    text = portion.decode(encoding)
                except UnicodeDecodeError as exc:
                    # Hand over the good lines before the bad one, so that its row number is exact.
                    good = _split(portion[: exc.start].decode(encoding))
                    if good and not good[-1].endswith(_LINE_ENDS):
                        good.pop()
                    number = yield from _checked(good, number, encoding)
                    raise CsvLineProblem(ENCODING, number + 1, encoding) from exc
                number = yield from _checked(_split(text), number, encoding)
                if len(carry.rstrip(b"\r")) > MAX_LINE_BYTES:
                    raise CsvLineProblem(LINE_TOO_LONG, number + 1, encoding)
                if not data:
                    return

    def head(self, chars: int) -> str:
        """The text's first `chars` characters (fewer when a line in them cannot be read)."""
        parts: list[str] = []
        size = 0
        with closing(self.lines()) as lines:
            try:
                for line in lines:
                    parts.append(line)
                    size += len(line)
                    if size >= chars:
                        break
            except CsvLineProblem:
                pass  # reading the rows raises it again, with the row it belongs to
        return "".join(parts)[:chars]

    def has_text(self) -> bool:
        """Whether any line holds more than spaces and invisible characters."""
        with closing(self.lines()) as lines:
            try:
                return any(line.strip(STRIP_CHARS) for line in lines)
            except CsvLineProblem:
                return True

    def newline_count(self) -> int:
        """The number of LF bytes in the file (an estimate of its rows), counted block by block."""
        count = 0
        with self._src.open() as fh:
            for block in iter(lambda: fh.read(BLOCK_BYTES), b""):
                count += block.count(b"\n")
        return count


def _complete_lines(buffer: bytes) -> tuple[bytes, bytes]:
    """(the complete lines at the start of buffer, the rest); a CR at the very end may start a CRLF."""
    end = len(buffer)
    if buffer.endswith(b"\r"):
        end -= 1
    cut = max(buffer.rfind(b"\n", 0, end), buffer.rfind(b"\r", 0, end)) + 1
    return buffer[:cut], buffer[cut:]


def _split(text: str) -> list[str]:
    # Line breaks as csv sees them (CR, LF, CRLF); str.splitlines() would also split at VT, FF, U+2028.
    return io.StringIO(text, newline="").readlines() if text else []


def _checked(lines: list[str], number: int, encoding: str) -> Generator[str, None, int]:
    """Yield the lines, refusing one that is too long; return the number of lines yielded so far."""
    if lines and max(map(len, lines)) > _CHARS_SURELY_SHORT:
        for line in lines:
            if len(line) > _CHARS_SURELY_SHORT and len(line.rstrip("\r\n").encode(encoding)) > MAX_LINE_BYTES:
                raise CsvLineProblem(LINE_TOO_LONG, number + 1, encoding)
            number += 1
            yield line
        return number
    yield from lines
    return number + len(lines)


def _detect_encoding(src: guards.Source, file_name: str) -> tuple[str, int]:
    """(encoding, offset of the text): UTF-8 after a BOM, else decided on a bounded sample."""
    with src.open() as fh:
        head = fh.read(SAMPLE_BYTES)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8", len(codecs.BOM_UTF8)
        sample = head
        if head.isascii():
            sample = _non_ascii_sample(fh) if len(head) == SAMPLE_BYTES else b""
        at_end = not fh.read(1)
    if not sample:
        return "utf-8", 0  # plain ASCII: every candidate reads it alike
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            # Not final unless the file ends there: the sample may cut a character in two.
            decoder.decode(sample, final=at_end)
        except UnicodeDecodeError:
            continue
        return encoding, 0
    raise unrecognised_encoding(file_name)


def _non_ascii_sample(fh) -> bytes:
    """SAMPLE_BYTES from the first non-ASCII byte on (b"" if there is none), reading block by block."""
    for block in iter(lambda: fh.read(BLOCK_BYTES), b""):
        found = _NON_ASCII.search(block)
        if found:
            sample = block[found.start() :]
            return sample + fh.read(max(0, SAMPLE_BYTES - len(sample)))
    return b""
