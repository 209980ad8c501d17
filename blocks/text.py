"""Text objects and mrkdwn helpers for the block builders.

Slack parses mrkdwn in a message's top-level `text` (notifications, previews) and in every mrkdwn text
object: there `<!channel>` pings everyone, `<@U…>` a person and `<https://…|click>` is a link. So data
enters mrkdwn only escaped: through `esc`/`field`, or `compose` (a sentence of ours with data filled
in). The only tokens the product writes itself are mentions (`mention`) and channel links, from Slack
ids the input models checked. As a last line, every mrkdwn text object made here and every message's
`text` (`Message`) pass through `guard`, which neutralises any other `<…>` a builder let through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject, SectionBlock

from app.core.format import one_line, truncate
from app.core.models import SLACK_ID_RE

SECTION_TEXT_MAX = SectionBlock.text_max_length
# Any "<" in mrkdwn that does not start a mention (`mention`) or a channel link of ours.
_UNSAFE = re.compile(r"<(?!(?:@|#)[A-Z][A-Z0-9]{1,31}>)")


class Mrkdwn(str):
    """Text safe to give Slack as mrkdwn: our markup with every piece of data escaped."""


def esc(text: str | None) -> Mrkdwn:
    """Escape user text for mrkdwn (Slack's three control characters) and flatten it to one line."""
    return Mrkdwn(one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def field(text: str | None, limit: int) -> Mrkdwn:
    """User text, escaped and cut to `limit` characters (escaping counted)."""
    return Mrkdwn(_cut_escaped(esc(text), limit))


def _cut_escaped(text: str, limit: int) -> str:
    """Cut escaped text without leaving half an entity ("&l…") behind."""
    cut = truncate(text, limit)
    if cut == text:
        return cut
    amp = cut.rfind("&", max(len(cut) - 6, 0))
    return cut if amp == -1 or ";" in cut[amp:] else cut[:amp] + "…"


def compose(template: str, **data: object) -> Mrkdwn:
    """One of our sentences with data filled in, escaped: `compose("Created *{name}*.", name=account.name)`.

    Values already escaped (`esc`, `field`, `mention`, another `compose`) are used as they are; any other
    value is escaped in full. The template is ours: it never holds data.
    """
    return Mrkdwn(template.format(**{key: value if isinstance(value, Mrkdwn) else esc(str(value))
                                     for key, value in data.items()}))


def mention(user_id: str | None, nobody: str = "nobody") -> Mrkdwn:
    """`<@U…>` for a Slack user id; anything else is not one and is written as text."""
    if not user_id:
        return esc(nobody)
    return Mrkdwn(f"<@{user_id}>") if SLACK_ID_RE.match(user_id) else esc(user_id)


def channel_mention(channel_id: str | None) -> Mrkdwn:
    """`<#C…>` for a Slack channel id (Slack shows its name); anything else is written as text."""
    if channel_id and SLACK_ID_RE.match(channel_id):
        return Mrkdwn(f"<#{channel_id}>")
    return esc(channel_id or "a channel")


def guard(text: str) -> str:
    """mrkdwn with every `<` that does not start a mention or channel link of ours escaped: whatever a
    builder forgot, no broadcast, subteam, link or special command can be formed."""
    return _UNSAFE.sub("&lt;", text)


@dataclass(frozen=True)
class Message:
    """A message (or ephemeral answer): `text` is the notification and screen-reader fallback, mrkdwn
    that Slack parses like the blocks; it is guarded on construction."""

    text: str
    blocks: list[dict]

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", guard(self.text))


def plain(text: str, limit: int) -> PlainTextObject:
    return PlainTextObject(text=truncate(one_line(text), limit) or " ", emoji=True)


def mrkdwn(text: str) -> MarkdownTextObject:
    """A mrkdwn text object (guarded: see the module's docstring)."""
    return MarkdownTextObject(text=truncate(guard(text), SECTION_TEXT_MAX))


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
