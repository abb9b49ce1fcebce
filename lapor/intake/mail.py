"""Reading an inbound e-mail: sender, subject, plain text (from text/plain, else from the
HTML part), attachments, and the ids it replies to. Pure: no database.

Parsing uses the standard library's ``email`` package with the modern policy (RFC 5322/6532,
encoded words, any charset). HTML-only mail is turned into text by a small converter on
``html.parser`` that keeps the words and line breaks and drops markup, scripts and styles;
nothing of the HTML is ever rendered.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from html import unescape
from html.parser import HTMLParser

MESSAGE_ID_MAX = 300
_ID = re.compile(r"<[^<>\s]{1,298}>")
_PREFIXES = re.compile(r"^\s*((re|fw|fwd|bls|balas|tr|aw|wg)\s*(\[\d+\])?\s*:\s*)+",
                       re.IGNORECASE)
# Where a quoted original starts in a reply (English and Indonesian mail clients).
_QUOTE_HEADER = re.compile(
    r"^\s*(on\s.+\swrote:|pada\s.+\smenulis:|-{2,}\s*original message\s*-{2,}|"
    r"-{2,}\s*pesan asli\s*-{2,}|from:\s.+|dari:\s.+)\s*$", re.IGNORECASE)
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                         "blockquote", "pre", "table", "ul", "ol", "hr", "section", "article"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML body: words and paragraph breaks, no markup."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in unescape("".join(parser.parts)).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_quoted(text: str) -> str:
    """A reply's own words: stop at the quoted original, drop ``>`` lines."""
    kept: list[str] = []
    for line in text.splitlines():
        if _QUOTE_HEADER.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def clean_subject(subject: str) -> str:
    return _PREFIXES.sub("", " ".join(subject.split())).strip()


def message_id_of(raw: bytes) -> str:
    """The Message-ID from the headers alone, or a stand-in derived from the bytes."""
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    value = str(headers.get("Message-ID", "") or "")
    match = _ID.search(value)
    if match is not None:
        return match.group(0)[:MESSAGE_ID_MAX]
    return f"<{hashlib.sha256(raw).hexdigest()}@lapor.no-message-id>"


@dataclass
class Attachment:
    filename: str
    data: bytes


@dataclass
class ParsedMail:
    sender: str = ""
    sender_name: str = ""
    subject: str = ""
    text: str = ""
    html_only: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    replies_to: list[str] = field(default_factory=list)
    auto_submitted: bool = False


def _address(message: EmailMessage) -> tuple[str, str]:
    try:
        header = message["From"]
        addresses: tuple[Address, ...] = getattr(header, "addresses", ()) if header else ()
    except (ValueError, IndexError, TypeError):  # a malformed header: no usable sender
        return "", ""
    if not addresses:
        return "", ""
    return addresses[0].addr_spec.strip().lower(), (addresses[0].display_name or "").strip()


def _text_of(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # unknown charset, broken encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def parse(raw: bytes) -> ParsedMail:
    """Everything the intake needs from one message (never raises on odd mail)."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # noqa: S101  (policy.default gives one)
    parsed = ParsedMail()
    parsed.sender, parsed.sender_name = _address(message)
    parsed.subject = clean_subject(str(message.get("Subject", "") or ""))
    refs = f"{message.get('In-Reply-To', '') or ''} {message.get('References', '') or ''}"
    parsed.replies_to = list(dict.fromkeys(_ID.findall(refs)))[:20]
    # RFC 3834: never answer (nor file) an automatic reply, a bounce or a list.
    auto = str(message.get("Auto-Submitted", "no") or "no").strip().lower()
    parsed.auto_submitted = auto != "no" or bool(message.get("X-Autoreply")) or \
        str(message.get("Precedence", "")).lower() in ("bulk", "junk", "list")
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        parsed.text = _text_of(plain)  # type: ignore[arg-type]
    else:
        html = message.get_body(preferencelist=("html",))
        if html is not None:
            parsed.text = html_to_text(_text_of(html))  # type: ignore[arg-type]
            parsed.html_only = True
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and data:
            parsed.attachments.append(Attachment(filename=part.get_filename() or "lampiran",
                                                 data=data))
    parsed.text = parsed.text.replace("\r\n", "\n").strip()
    return parsed
