"""Fill the Spanish catalog from a JSON file of translations, then recompile the catalogs.

    .venv/bin/python scripts/po_fill.py translations.json

The JSON maps an English msgid to its Spanish text, or to a list of three forms for a plural
entry; an entry with a context is keyed "context|msgid". `makemessages` runs first so that new
strings are in the catalog, and the whole run holds a lock so that two people filling at once do
not overwrite each other's work. Prints what is still untranslated.
"""

from __future__ import annotations

import ast
import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "vetrisys"
ES_PO = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"
LOCK = Path(os.environ.get("TMPDIR", "/tmp")) / "vetrisys-po.lock"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _django(*args: str) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vetrisys.config.settings"}
    subprocess.run([sys.executable, "-m", "django", *args], cwd=PACKAGE, env=env, check=True)


def _fill(blocks: list[list[str]], table: dict[str, object]) -> list[str]:
    missing: list[str] = []
    for block in blocks:
        fields: dict[str, str] = {}
        key: str | None = None
        first_msgstr: int | None = None
        for number, line in enumerate(block):
            if line.startswith("#"):
                continue
            if line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
                continue
            name, _, rest = line.partition(" ")
            key = name
            fields[key] = ast.literal_eval(rest)
            if name.startswith("msgstr") and first_msgstr is None:
                first_msgstr = number
        msgid = fields.get("msgid")
        if not msgid or first_msgstr is None:
            continue
        lookup = f"{fields['msgctxt']}|{msgid}" if "msgctxt" in fields else msgid
        plural = "msgid_plural" in fields
        done = all(v for k, v in fields.items() if k.startswith("msgstr"))
        value = table.get(lookup)
        if value is None:
            if not done or any("fuzzy" in line for line in block if line.startswith("#,")):
                missing.append(lookup)
            continue
        if plural:
            forms = value if isinstance(value, list) else [value, value, value]
            new = [f"msgstr[{i}] {_quote(str(form))}" for i, form in enumerate(forms)]
        else:
            new = [f"msgstr {_quote(str(value))}"]
        head = [line for line in block[:first_msgstr] if not line.startswith("#, fuzzy")]
        head = [
            line.replace("fuzzy, ", "").replace(", fuzzy", "") if line.startswith("#,") else line
            for line in head
        ]
        head = [line for line in head if not line.startswith("#| ")]
        block[:] = head + new
    return missing


def main() -> int:
    table = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")) if len(sys.argv) > 1 else {}
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _django("makemessages", "-l", "es", "-l", "en", "--no-obsolete", "--no-wrap")
        blocks = [b.splitlines() for b in ES_PO.read_text(encoding="utf-8").split("\n\n")]
        missing = _fill(blocks, table)
        ES_PO.write_text("\n\n".join("\n".join(b) for b in blocks), encoding="utf-8")
        _django("compilemessages", "-l", "es", "-l", "en")
    for msgid in missing:
        sys.stdout.write(f"untranslated: {msgid!r}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
