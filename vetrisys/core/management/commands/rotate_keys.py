"""`vetrisys rotate-keys`: re-encrypt every encrypted column under the current key.

Runs in batches, each its own transaction, and only rewrites a value that is still what was
read (`WHERE id = … AND column = old`), so it is safe while the clinic works, can be stopped
and run again (values already under the current key are skipped), and reports its counts.
`--check` only counts the values under each key (exit 1 while some use an old key);
`--rehash` recomputes every lookup hash after ENCRYPTION_HASH_KEY changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

from vetrisys.core import crypto
from vetrisys.core.fields import EncryptedMixin, blind_index_fields, encrypted_fields

BATCH = 1000


@dataclass
class Tally:
    """What a pass over the encrypted columns found and did."""

    by_key: Counter[str] = field(default_factory=Counter)
    rewritten: int = 0
    skipped_changed: int = 0  # rewritten meanwhile by the application: already current


def encrypted_models() -> list[type[models.Model]]:
    """Every installed model with at least one encrypted column."""
    return [model for model in apps.get_models() if encrypted_fields(model)]


def _batches(model: type[models.Model], columns: list[str], size: int) -> Iterator[list[Any]]:
    """Rows (id first, then `columns` as stored) in batches by primary key."""
    quote = connection.ops.quote_name
    pk = quote(str(model._meta.pk.column))
    select = (
        f"SELECT {pk}, {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)}"
    )
    last = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(f"{select} ORDER BY {pk} LIMIT %s", [size])
            else:
                cursor.execute(f"{select} WHERE {pk} > %s ORDER BY {pk} LIMIT %s", [last, size])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _fields(model: type[models.Model]) -> list[EncryptedMixin]:
    return [cast(EncryptedMixin, f) for f in encrypted_fields(model)]


def count_keys(model: type[models.Model], *, batch: int = BATCH) -> Counter[str]:
    """How many stored values of `model` each key id encrypted."""
    fields = _fields(model)
    found: Counter[str] = Counter()
    for rows in _batches(model, [f.column for f in fields], batch):
        for row in rows:
            for stored in row[1:]:
                key_id = crypto.key_id_of(stored or "")
                if key_id is not None:
                    found[key_id] += 1
    return found


def rotate_model(model: type[models.Model], *, batch: int = BATCH) -> Tally:
    """Re-encrypt the values of `model` that are not under the current key."""
    fields = _fields(model)
    current = crypto.keyring().current_id
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(str(model._meta.pk.column))
    tally = Tally()
    for rows in _batches(model, [f.column for f in fields], batch):
        updates: dict[str, list[list[Any]]] = {}
        for row_id, *values in rows:
            for encrypted, stored in zip(fields, values, strict=True):
                key_id = crypto.key_id_of(stored or "")
                if key_id is None:
                    continue
                tally.by_key[key_id] += 1
                if key_id == current:
                    continue
                context = encrypted.encryption_context()
                try:
                    plain = crypto.decrypt(stored, context=context)
                except crypto.DecryptionError as error:
                    raise CommandError(f"{error} (row {row_id})", returncode=1) from None
                updates.setdefault(encrypted.column, []).append(
                    [crypto.encrypt(plain, context=context), row_id, stored]
                )
        with transaction.atomic(), connection.cursor() as cursor:
            for column, params in updates.items():
                column_sql = quote(column)
                for new, row_id, old in params:
                    cursor.execute(
                        f"UPDATE {table} SET {column_sql} = %s "
                        f"WHERE {pk} = %s AND {column_sql} = %s",
                        [new, row_id, old],
                    )
                    if cursor.rowcount:
                        tally.rewritten += 1
                    else:
                        tally.skipped_changed += 1
    return tally


def rehash_model(model: type[models.Model], *, batch: int = BATCH) -> int:
    """Recompute the lookup hashes of `model` (and what it derives, e.g. phone endings) from
    the decrypted values; answers how many rows changed."""
    hashes = blind_index_fields(model)
    refresh = getattr(model, "refresh_derived_hashes", None)
    if not hashes and refresh is None:
        return 0
    changed = 0
    last = None
    rows = model._base_manager.order_by("pk")
    while True:
        page = list((rows if last is None else rows.filter(pk__gt=last))[:batch])
        if not page:
            return changed
        stale = []
        for row in page:
            different = False
            for index in hashes:
                value = index.compute(row)
                if getattr(row, index.attname) != value:
                    setattr(row, index.attname, value)
                    different = True
            if different:
                stale.append(row)
        with transaction.atomic():
            if stale:
                model._base_manager.bulk_update(stale, [index.name for index in hashes])
            if refresh is not None:
                refresh(page)
        changed += len(stale)
        last = page[-1].pk


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value under the current key (ENCRYPTION_KEYS' first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="only count the values under each key; exit 1 while any uses an old key",
        )
        parser.add_argument(
            "--rehash",
            action="store_true",
            help="also recompute every lookup hash (after ENCRYPTION_HASH_KEY changed)",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH)

    def handle(self, *args: Any, **options: Any) -> None:
        ring = crypto.keyring()
        batch = max(1, options["batch_size"])
        current = ring.current_id
        old_total = 0
        for model in encrypted_models():
            label = model._meta.label
            try:
                if options["check"]:
                    found = count_keys(model, batch=batch)
                    old = sum(count for key_id, count in found.items() if key_id != current)
                    old_total += old
                    keys = ", ".join(
                        f"{key_id}: {count}" for key_id, count in sorted(found.items())
                    )
                    self.stdout.write(f"{label}: {keys or 'no values'} ({old} under old keys)")
                    continue
                tally = rotate_model(model, batch=batch)
            except crypto.DecryptionError as error:
                raise CommandError(str(error), returncode=1) from None
            already = tally.by_key[current]
            self.stdout.write(
                f"{label}: {tally.rewritten} values re-encrypted under {current}, "
                f"{already} already under it"
                + (f", {tally.skipped_changed} changed meanwhile" if tally.skipped_changed else "")
            )
            if options["rehash"]:
                self.stdout.write(f"{label}: {rehash_model(model, batch=batch)} rows rehashed")
        if old_total:
            raise CommandError(
                f"{old_total} values are still encrypted under old keys: run rotate-keys.",
                returncode=1,
            )
        self.stdout.write(f"every value is encrypted under the current key, {current}")
