"""The Spanish catalog is complete, keeps the placeholders of English, and its .mo is current.

Parsed with the standard library only, so the check runs where gettext tools are missing.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import vetrisys

LOCALE = Path(vetrisys.__file__).resolve().parent / "locale"
ES_PO = LOCALE / "es" / "LC_MESSAGES" / "django.po"
ES_MO = LOCALE / "es" / "LC_MESSAGES" / "django.mo"

# %(name)s / %(n)d, a bare %s / %d, a literal %%, and {name} / {0} / {}.
PLACEHOLDER = re.compile(r"%\([^)]+\)[a-zA-Z]|%[sdif%]|\{[^{}\s]*\}")
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def _unquote(text: str) -> str:
    # A PO string is a C string literal; these escapes read the same in Python.
    value = ast.literal_eval(text)
    assert isinstance(value, str)
    return value


def parse_po(path: Path) -> list[Entry]:
    """Entries of a PO file (obsolete #~ entries skipped); msgstr without index is msgstr[0]."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None and current.msgid is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                finish()
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if current is None:
            current = Entry(line=number)
        match = KEYWORD.match(line)
        if match:
            keyword, index, quoted = match.groups()
            value = _unquote(quoted)
            if keyword == "msgctxt":
                current.msgctxt, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                current.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                current.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                slot = int(index) if index is not None else 0
                current.msgstr[slot], target = value, ("msgstr", slot)
            continue
        assert line.startswith('"'), f"{path}:{number}: cannot parse {raw!r}"
        assert target is not None, f"{path}:{number}: a continuation without a keyword"
        value = _unquote(line)
        name, slot = target
        if name == "msgstr":
            current.msgstr[slot] += value
        else:
            setattr(current, name, (getattr(current, name) or "") + value)
    finish()
    return entries


def _plural_count(header: str) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", header)
    assert match, "the header has no Plural-Forms"
    return int(match.group(1))


@pytest.fixture(scope="module")
def catalog() -> tuple[Entry, list[Entry]]:
    entries = parse_po(ES_PO)
    assert entries, f"{ES_PO} is empty"
    assert entries[0].msgid == "", "the catalog starts with its header"
    return entries[0], entries[1:]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_message_is_translated(catalog: tuple[Entry, list[Entry]]) -> None:
    header, entries = catalog
    assert len(entries) > 100
    nplurals = _plural_count(header.msgstr[0])
    missing = []
    for entry in entries:
        slots = range(nplurals) if entry.msgid_plural is not None else range(1)
        if any(not entry.msgstr.get(slot) for slot in slots):
            missing.append(entry.label)
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_nothing_is_fuzzy(catalog: tuple[Entry, list[Entry]]) -> None:
    header, entries = catalog
    fuzzy = [entry.label for entry in [header, *entries] if "fuzzy" in entry.flags]
    assert not fuzzy, "fuzzy:\n" + "\n".join(fuzzy)


def test_translations_keep_the_placeholders(catalog: tuple[Entry, list[Entry]]) -> None:
    _, entries = catalog
    wrong = []
    for entry in entries:
        assert entry.msgid is not None
        for slot, text in sorted(entry.msgstr.items()):
            source = entry.msgid if slot == 0 or entry.msgid_plural is None else entry.msgid_plural
            if _placeholders(text) != _placeholders(source):
                wrong.append(f"{entry.label} [{slot}]: {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_the_compiled_catalog_matches_the_po(catalog: tuple[Entry, list[Entry]]) -> None:
    _, entries = catalog
    with ES_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries:
        assert entry.msgid is not None
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                got = compiled.gettext(entry.msgid)
            else:
                got = compiled.pgettext(entry.msgctxt, entry.msgid)
            if got != entry.msgstr[0]:
                stale.append(f"{entry.label}: .mo has {got!r}")
            continue
        # Spanish: 1 → [0], 1 000 000 → [1], any other count → [2].
        for n, slot in ((1, 0), (1_000_000, 1), (2, 2)):
            if slot not in entry.msgstr:
                continue
            if entry.msgctxt is None:
                got = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            else:
                got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            if got != entry.msgstr[slot]:
                stale.append(f"{entry.label} (n={n}): .mo has {got!r}")
    assert not stale, "the .mo is older than the .po; run compilemessages:\n" + "\n".join(stale)
