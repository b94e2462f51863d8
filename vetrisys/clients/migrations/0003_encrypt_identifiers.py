"""Encrypt the owners' identifiers at rest (AES-256-GCM, core.crypto) and find them through
keyed hashes: the whole document number and email (and the email's two halves), the E.164
number, and every ending of 4+ digits of a phone (a table of its own, instead of the reversed
digits). Existing rows are encrypted here; going back is not supported (restore a backup).
"""

import django.db.models.deletion
from django.db import migrations, models

import vetrisys.core.fields

BATCH = 2000


def drop_email_trigram_index(apps, schema_editor):
    """The trigram index of 0002 on the plain email is of no use on ciphertext."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS client_email_trgm")


def _rows(connection, table, columns):
    """Every row of `table` (id first), in batches by id, as the database gives them."""
    quote = connection.ops.quote_name
    select = f"SELECT {', '.join(quote(c) for c in ['id', *columns])} FROM {quote(table)}"
    last = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(f"{select} ORDER BY id LIMIT {BATCH}")
            else:
                cursor.execute(f"{select} WHERE id > %s ORDER BY id LIMIT {BATCH}", [last])
            batch = cursor.fetchall()
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def _sealed(field, value):
    """(plain text, stored envelope) of a column's value, plain or already encrypted."""
    from vetrisys.core import crypto

    value = value or ""
    context = field.encryption_context()
    if crypto.is_encrypted(value):
        return crypto.decrypt(value, context=context), value
    return value, crypto.encrypt(value, context=context)


def encrypt_existing_rows(apps, schema_editor):
    """Encrypt what 0002 stored in plain text and fill the hash columns and phone endings."""
    from vetrisys.core import crypto

    connection = schema_editor.connection
    quote = connection.ops.quote_name
    client_model = apps.get_model("clients", "Client")
    encrypted = [
        "document_number",
        "email",
        "address",
        "emergency_contact_name",
        "emergency_contact_phone",
    ]
    hashes = ["document_hash", "email_hash", "email_local_hash", "email_domain_hash"]
    fields = {name: client_model._meta.get_field(name) for name in [*encrypted, *hashes]}
    assignments = ", ".join(f"{quote(name)} = %s" for name in [*encrypted, *hashes])
    update = f"UPDATE {quote(client_model._meta.db_table)} SET {assignments} WHERE id = %s"
    for batch in _rows(connection, client_model._meta.db_table, ["organization_id", *encrypted]):
        params = []
        for row_id, organization_id, *values in batch:
            plain, stored = {}, []
            for name, value in zip(encrypted, values, strict=True):
                plain[name], envelope = _sealed(fields[name], value)
                stored.append(envelope)
            digests = [
                fields[name].hash_for(plain[fields[name].source], organization_id)
                for name in hashes
            ]
            params.append([*stored, *digests, row_id])
        with connection.cursor() as cursor:
            cursor.executemany(update, params)

    phone_model = apps.get_model("clients", "ClientPhone")
    suffix_table = quote(apps.get_model("clients", "ClientPhoneSuffix")._meta.db_table)
    phone_fields = {
        name: phone_model._meta.get_field(name)
        for name in ["number", "e164", "national_digits", "e164_hash"]
    }
    update = (
        f"UPDATE {quote(phone_model._meta.db_table)} SET number = %s, e164 = %s, "
        "national_digits = %s, e164_hash = %s WHERE id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {suffix_table} LIMIT 1")
        rerun = cursor.fetchone() is not None
    for batch in _rows(
        connection, phone_model._meta.db_table, ["organization_id", *list(phone_fields)[:3]]
    ):
        params, endings = [], []
        for row_id, organization_id, *values in batch:
            plain, stored = [], []
            for name, value in zip(["number", "e164", "national_digits"], values, strict=True):
                text, envelope = _sealed(phone_fields[name], value)
                plain.append(text)
                stored.append(envelope)
            e164 = plain[1]
            params.append(
                [*stored, phone_fields["e164_hash"].hash_for(e164, organization_id), row_id]
            )
            digits = e164.lstrip("+")
            endings += [
                [
                    organization_id,
                    row_id,
                    crypto.blind_hash(
                        digits[-length:],
                        purpose="clients.clientphonesuffix.hash",
                        scope=organization_id,
                    ),
                ]
                for length in range(4, len(digits) + 1)
            ]
        with connection.cursor() as cursor:
            cursor.executemany(update, params)
            if rerun:  # endings written by an earlier run
                ids = [p[-1] for p in params]
                placeholders = ", ".join(["%s"] * len(ids))
                cursor.execute(
                    f"DELETE FROM {suffix_table} WHERE phone_id IN ({placeholders})", ids
                )
            cursor.executemany(
                f"INSERT INTO {suffix_table} (organization_id, phone_id, hash) VALUES (%s, %s, %s)",
                endings,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("clients", "0002_search_indexes_postgresql"),
    ]

    operations = [
        migrations.RunPython(drop_email_trigram_index, elidable=False),
        migrations.CreateModel(
            name="ClientPhoneSuffix",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("hash", models.CharField(max_length=32)),
            ],
            options={
                "verbose_name": "phone ending",
                "verbose_name_plural": "phone endings",
            },
        ),
        migrations.AddField(
            model_name="clientphonesuffix",
            name="organization",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.organization",
            ),
        ),
        migrations.AddField(
            model_name="clientphonesuffix",
            name="phone",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="suffixes",
                to="clients.clientphone",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="client",
            name="client_unique_document_per_org",
        ),
        migrations.RemoveConstraint(
            model_name="clientphone",
            name="client_phone_unique_number",
        ),
        migrations.RemoveIndex(
            model_name="client",
            name="client_org_email",
        ),
        migrations.RemoveField(
            model_name="clientphone",
            name="digits_reversed",
        ),
        migrations.AddField(
            model_name="client",
            name="document_hash",
            field=vetrisys.core.fields.BlindIndexField(source="document_number"),
        ),
        migrations.AddField(
            model_name="client",
            name="email_domain_hash",
            field=vetrisys.core.fields.BlindIndexField(source="email", transform="email_domain"),
        ),
        migrations.AddField(
            model_name="client",
            name="email_hash",
            field=vetrisys.core.fields.BlindIndexField(source="email"),
        ),
        migrations.AddField(
            model_name="client",
            name="email_local_hash",
            field=vetrisys.core.fields.BlindIndexField(source="email", transform="email_local"),
        ),
        migrations.AddField(
            model_name="clientphone",
            name="e164_hash",
            field=vetrisys.core.fields.BlindIndexField(source="e164"),
        ),
        migrations.AlterField(
            model_name="client",
            name="address",
            field=vetrisys.core.fields.EncryptedCharField(
                blank=True, max_length=300, verbose_name="address"
            ),
        ),
        migrations.AlterField(
            model_name="client",
            name="document_number",
            field=vetrisys.core.fields.EncryptedCharField(
                blank=True, max_length=20, verbose_name="document number"
            ),
        ),
        migrations.AlterField(
            model_name="client",
            name="email",
            field=vetrisys.core.fields.EncryptedEmailField(
                blank=True, max_length=254, verbose_name="email"
            ),
        ),
        migrations.AlterField(
            model_name="client",
            name="emergency_contact_name",
            field=vetrisys.core.fields.EncryptedCharField(
                blank=True, max_length=200, verbose_name="emergency contact"
            ),
        ),
        migrations.AlterField(
            model_name="client",
            name="emergency_contact_phone",
            field=vetrisys.core.fields.EncryptedCharField(
                blank=True, max_length=20, verbose_name="emergency contact phone"
            ),
        ),
        migrations.AlterField(
            model_name="clientphone",
            name="e164",
            field=vetrisys.core.fields.EncryptedCharField(
                editable=False, max_length=16, verbose_name="number (international)"
            ),
        ),
        migrations.AlterField(
            model_name="clientphone",
            name="national_digits",
            field=vetrisys.core.fields.EncryptedCharField(editable=False, max_length=15),
        ),
        migrations.AlterField(
            model_name="clientphone",
            name="number",
            field=vetrisys.core.fields.EncryptedCharField(max_length=40, verbose_name="number"),
        ),
        migrations.RunPython(encrypt_existing_rows, elidable=False),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(fields=["organization", "email_hash"], name="client_org_email_hash"),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                fields=["organization", "email_local_hash"], name="client_org_email_local"
            ),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                fields=["organization", "email_domain_hash"], name="client_org_email_domain"
            ),
        ),
        migrations.AddIndex(
            model_name="clientphone",
            index=models.Index(
                fields=["organization", "e164_hash"], name="client_phone_org_number"
            ),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.UniqueConstraint(
                condition=models.Q(("document_hash", ""), _negated=True),
                fields=("organization", "document_hash"),
                name="client_unique_document_per_org",
            ),
        ),
        migrations.AddConstraint(
            model_name="clientphone",
            constraint=models.UniqueConstraint(
                fields=("client", "e164_hash"), name="client_phone_unique_number"
            ),
        ),
        migrations.AddIndex(
            model_name="clientphonesuffix",
            index=models.Index(fields=["organization", "hash"], name="client_phone_suffix_lookup"),
        ),
    ]
