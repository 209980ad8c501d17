"""Text objects and mrkdwn helpers for the block builders."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject, SectionBlock

from app.core.format import one_line, truncate

SECTION_TEXT_MAX = SectionBlock.text_max_length


def esc(text: str | None) -> str:
    """Escape user text for mrkdwn (Slack's three control characters) and flatten it to one line."""
    return one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def field(text: str | None, limit: int) -> str:
    """User text, escaped and cut to `limit` characters (escaping counted)."""
    return truncate(esc(text), limit)


def plain(text: str, limit: int) -> PlainTextObject:
    return PlainTextObject(text=truncate(one_line(text), limit) or " ", emoji=True)


def mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=truncate(text, SECTION_TEXT_MAX))


def section(text: str, **kwargs) -> SectionBlock:
    return SectionBlock(text=mrkdwn(text), **kwargs)


def fit_lines(lines: Sequence[str], limit: int = SECTION_TEXT_MAX, more: str = "…and {n} more") -> str:
    """Join as many lines as fit in `limit` characters; say how many were left out."""
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        rest = len(lines) - index
        tail = len(more.format(n=rest)) + 1 if rest > 1 else 0
        if size + len(line) + 1 + tail > limit:
            kept.append(more.format(n=rest))
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def chunk_lines(lines: Sequence[str], max_chunks: int, limit: int = SECTION_TEXT_MAX, more: str = "…and {n} more") -> list[str]:
    """Split lines into at most `max_chunks` texts of `limit` characters; the last says what did not fit."""
    chunks: list[str] = []
    start = 0
    while start < len(lines) and len(chunks) < max_chunks:
        last = len(chunks) == max_chunks - 1
        text = fit_lines(lines[start:], limit, more) if last else _fill(lines[start:], limit)
        chunks.append(text)
        start += text.count("\n") + 1
    return chunks


def _fill(lines: Sequence[str], limit: int) -> str:
    kept, size = [], 0
    for line in lines:
        line = truncate(line, limit)
        if kept and size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)
