"""An erasure survives the restore of a backup made before it."""

from __future__ import annotations

import pytest

from vetrisys.audit.models import AuditEvent
from vetrisys.backups.services import backup_restore, backup_to_path
from vetrisys.clients.models import Client, ClientPhone
from vetrisys.privacy.models import ErasureRecord
from vetrisys.privacy.services import client_erase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup_settings(settings, tmp_path):
    settings.BACKUP_KEY = "6b" * 32
    settings.BACKUP_KEY_PATH = tmp_path / "var" / "backup.key"
    settings.VAR_DIR = tmp_path / "var"
    (tmp_path / "var").mkdir(exist_ok=True)
    return tmp_path


def test_restoring_an_older_backup_erases_the_owner_again(ana, admin, backup_settings):
    short = ana.pk.hex[-8:]
    older = backup_to_path(backup_settings / "before-erasure.vsbackup")
    erasure = client_erase(actor=admin, client=ana, reason="Solicitud escrita")

    result = backup_restore(older.path)

    assert result.erasures_reapplied == 1
    ana = Client.objects.get(pk=ana.pk)
    assert (ana.full_name, ana.document_number, ana.email) == (f"Erased client {short}", "", "")
    assert ClientPhone.objects.filter(client=ana).count() == 0
    again = ErasureRecord.objects.get()
    assert (again.pk, again.erased_at, again.reason) == (erasure.pk, erasure.erased_at, "")
    assert again.reapplied_at is not None
    event = AuditEvent.objects.get(action="client.erase_reapplied")
    assert (event.target_id, event.changes["erasure"]) == (str(ana.pk), str(erasure.pk))

    # and a second restore of the same backup does it again, once
    assert backup_restore(older.path).erasures_reapplied == 1
    assert ErasureRecord.objects.count() == 1


def test_restoring_a_backup_made_after_the_erasure_applies_nothing_again(
    ana, admin, backup_settings
):
    client_erase(actor=admin, client=ana, reason="Solicitud escrita")
    newer = backup_to_path(backup_settings / "after-erasure.vsbackup")

    assert backup_restore(newer.path).erasures_reapplied == 0
    assert ErasureRecord.objects.get().reason == "Solicitud escrita"
