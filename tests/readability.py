"""What a reader must never see: checks of a page's visible text, shared by the crawler
and the per-role browser tests.

* on a Dutch page, an English catalogue message whose Dutch translation differs;
* a slug (snake_case keys such as pots, categories, client kinds, statuses) or an audit
  action ("tender.created");
* raw cents ("€ 8640", "8640 cents");
* an ISO date in prose ("2026-12-08").
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib

NL_CATALOGUE = (
    Path(__file__).resolve().parent.parent / "werkstation/locale/nl/LC_MESSAGES/django.po"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
RAW_CENTS = re.compile(r"€\s?-?\d+(?![\d.,]*[.,]\d\d\b)|\b\d{3,}\s?cents?\b")
# English weekday and month abbreviations that Dutch writes otherwise ("za", "mrt").
ENGLISH_ABBREVIATIONS = frozenset(
    {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mar", "May", "Oct"}
)
SEGMENTS = re.compile(r"[:·|()/,;–]")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Django's "M" capitalises Dutch month abbreviations ("4 Dec"); Dutch writes "4 dec".
DUTCH_MONTH_CAPITALISED = re.compile(
    r"\b\d{1,2} (?:Jan|Feb|Mrt|Apr|Mei|Jun|Jul|Aug|Sep|Okt|Nov|Dec)\b"
)
# Words that read the same in both languages, or names, never count as English.
SAME_IN_BOTH = {
    "English",
    "Nederlands",
    "Start",
    "Status",
    "Stripe",
    "IBAN",
    "BIC",
    "PDF",
    "CSV",
    "KvK",
    "E-mail",
    "Werkstation",
}


class _Text(HTMLParser):
    """The text nodes a reader sees (no script, style, or attribute values)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "textarea", "pre", "code"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea", "pre", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            self.nodes.append(text)


def text_nodes(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes


@cache
def english_phrases() -> tuple[frozenset[str], tuple[str, ...]]:
    """Single English words (matched as a whole text node) and longer phrases (matched
    inside text) whose Dutch translation differs."""
    words, phrases = set(), set()
    for entry in polib.pofile(str(NL_CATALOGUE)):
        if entry.obsolete or not entry.msgstr or entry.msgstr.strip() == entry.msgid.strip():
            continue
        for piece in PLACEHOLDER.split(entry.msgid):
            chunk = piece.strip(" .,:;()·–-\n")
            if not chunk or chunk in SAME_IN_BOTH or chunk in entry.msgstr:
                continue
            if " " in chunk:
                if len(chunk) >= 12:
                    phrases.add(chunk)
            elif chunk == entry.msgid.strip(" .:") and len(chunk) >= 2:
                words.add(chunk)
    return frozenset(words | ENGLISH_ABBREVIATIONS), tuple(sorted(phrases, key=len, reverse=True))


def problems(html: str, *, language: str, audit_actions=()) -> list[str]:
    found = []
    nodes = text_nodes(html)
    text = " | ".join(nodes)
    for match in SNAKE.findall(text):
        found.append(f"slug {match!r}")
    for action in audit_actions:
        if re.search(rf"(?<![\w@.]){re.escape(action)}(?![\w.])", text):
            found.append(f"audit action {action!r}")
    for match in RAW_CENTS.findall(text):
        found.append(f"raw cents {match!r}")
    for match in ISO_DATE.findall(text):
        found.append(f"ISO date {match!r}")
    if language == "nl":
        for match in DUTCH_MONTH_CAPITALISED.findall(text):
            found.append(f"capitalised month {match!r}")
        words, phrases = english_phrases()
        for node in nodes:
            for segment in SEGMENTS.split(node):
                if segment.strip() in words:
                    found.append(f"English {segment.strip()!r}")
        for phrase in phrases:
            if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text):
                found.append(f"English {phrase!r}")
    return found
