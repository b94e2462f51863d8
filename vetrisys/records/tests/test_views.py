"""The staff screens of medical records: who sees and writes what, the lock of a signed visit,
uploading a file into a visit, bounded queries and both languages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vetrisys.accounts.models import User
from vetrisys.billing.models import Charge
from vetrisys.patients.models import Attachment
from vetrisys.records import panels, services
from vetrisys.records.models import (
    Addendum,
    LabResult,
    Procedure,
    SoapNote,
    Visit,
    VisitAttachment,
    VisitDiagnosis,
    Vitals,
)
from vetrisys.records.services import clinical

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NAMES = ["admin", "manager_a", "vet_a", "receptionist_a", "vet_b", "outsider", "anonymous"]


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings: Any) -> Path:
    """Uploaded files go to a temporary directory, one per test."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _person(people: dict[str, User], name: str) -> User | None:
    return None if name == "anonymous" else people[name]


def _url(name: str, *args: Any) -> str:
    return reverse(f"records:{name}", args=args)


def _clinical_rows() -> tuple[int, ...]:
    return (
        Vitals.objects.count(),
        VisitDiagnosis.objects.count(),
        Procedure.objects.filter(removed_at__isnull=True).count(),
        LabResult.objects.count(),
        VisitAttachment.objects.count(),
        Attachment.objects.count(),
        Addendum.objects.count(),
        Charge.objects.exclude(status="cancelled").count(),
    )


# ---------------------------------------------------------------- who may see the pages

PAGE_STATUS: dict[str, dict[str, int]] = {
    "visit": {"admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 403,
              "vet_b": 200, "outsider": 404, "anonymous": 302},
    "visit_list": {"admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 403,
                   "vet_b": 200, "outsider": 404, "anonymous": 302},
    "visit_new": {"admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 403,
                  "vet_b": 200, "outsider": 404, "anonymous": 302},
    "terms": {"admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 403,
              "vet_b": 200, "outsider": 200, "anonymous": 302},
    "templates": {"admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 403,
                  "vet_b": 200, "outsider": 200, "anonymous": 302},
}  # fmt: skip


def _page_url(page: str, visit: Visit) -> str:
    return {
        "visit": _url("visit_detail", visit.pk),
        "visit_list": _url("patient_visits", visit.patient_id),
        "visit_new": _url("visit_new", visit.patient_id),
        "terms": _url("term_list"),
        "templates": _url("template_list"),
    }[page]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("page", list(PAGE_STATUS))
def test_page_permission_matrix(people, visit, page, name):
    services.soap_save(actor=people["vet_a"], visit=visit, subjective="Vomita desde ayer")
    response = _as(_person(people, name)).get(_page_url(page, visit))
    assert response.status_code == PAGE_STATUS[page][name]
    if page == "visit" and response.status_code != 200:
        assert "Vomita desde ayer" not in response.content.decode()


def test_the_visit_page_shows_the_note_and_audits_the_read(vet_b, visit, vet_a):
    services.soap_save(actor=vet_a, visit=visit, subjective="Vomita desde ayer")
    response = _as(vet_b).get(_url("visit_detail", visit.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Vomita desde ayer" in body
    # Another location's vet reads the history but does not write to it.
    assert "data-vitals-form" not in body
    assert "data-upload-form" not in body


def test_anonymous_is_sent_to_the_login_page(visit):
    response = HttpClient().get(_url("visit_detail", visit.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# ---------------------------------------------------------------- who may write

WRITE_STATUS = {
    "admin": 302, "manager_a": 302, "vet_a": 302, "receptionist_a": 403, "vet_b": 403,
    "outsider": 404, "anonymous": 302,
}  # fmt: skip


def _allowed(name: str) -> bool:
    return name in ("admin", "manager_a", "vet_a")


@pytest.mark.parametrize("name", NAMES)
def test_soap_save_permission_matrix(people, visit, name):
    response = _as(_person(people, name)).post(
        _url("soap_save", visit.pk), {"subjective": "Vomita", "version": "1"}
    )
    expected = {**WRITE_STATUS, "admin": 200, "manager_a": 200, "vet_a": 200}[name]
    assert response.status_code == expected
    soap = SoapNote.objects.get(visit=visit)
    if _allowed(name):
        assert response.json()["version"] == 2
        assert (soap.subjective, soap.version) == ("Vomita", 2)
    else:
        assert (soap.subjective, soap.version) == ("", 1)


@pytest.mark.parametrize("name", NAMES)
def test_vitals_permission_matrix(people, visit, name):
    response = _as(_person(people, name)).post(
        _url("vitals_add", visit.pk), {"weight_kg": "12.5", "temperature_c": "38.6"}
    )
    assert response.status_code == WRITE_STATUS[name]
    rows = list(Vitals.objects.values_list("weight_kg", "temperature_c"))
    assert rows == ([(Decimal("12.500"), Decimal("38.6"))] if _allowed(name) else [])
    if _allowed(name):
        assert response["Location"] == _url("visit_detail", visit.pk) + "#vitals"


@pytest.mark.parametrize("name", NAMES)
def test_diagnosis_permission_matrix(people, visit, name):
    response = _as(_person(people, name)).post(
        _url("diagnosis_add", visit.pk), {"code": "DX-EAR-001", "status": "confirmed"}
    )
    assert response.status_code == WRITE_STATUS[name]
    rows = list(VisitDiagnosis.objects.values_list("term__code", "status"))
    assert rows == ([("DX-EAR-001", "confirmed")] if _allowed(name) else [])


@pytest.mark.parametrize("name", NAMES)
def test_procedure_permission_matrix(people, visit, consult_service, name):
    response = _as(_person(people, name)).post(
        _url("procedure_add", visit.pk), {"product": str(consult_service.pk), "quantity": "2"}
    )
    assert response.status_code == WRITE_STATUS[name]
    procedures = list(Procedure.objects.values_list("product_id", "quantity"))
    charges = list(Charge.objects.values_list("product_id", "quantity", "status"))
    if _allowed(name):
        assert procedures == [(consult_service.pk, Decimal("2.000"))]
        assert charges == [(consult_service.pk, Decimal("2.000"), "pending")]
    else:
        assert (procedures, charges) == ([], [])


SIGN_STATUS = {**WRITE_STATUS, "manager_a": 403}


@pytest.mark.parametrize("name", NAMES)
def test_sign_permission_matrix(people, visit, name):
    response = _as(_person(people, name)).post(_url("visit_sign", visit.pk))
    assert response.status_code == SIGN_STATUS[name]
    visit.refresh_from_db()
    signed = SIGN_STATUS[name] == 302 and name != "anonymous"
    assert (visit.status, visit.signed_by_id) == (
        ("signed", people[name].pk) if signed else ("open", None)
    )


@pytest.mark.parametrize("name", NAMES)
def test_addendum_permission_matrix(people, vet_a, visit, name):
    services.visit_sign(actor=vet_a, visit=visit)
    response = _as(_person(people, name)).post(
        _url("addendum_add", visit.pk), {"text": "Llamó el dueño: come bien."}
    )
    assert response.status_code == WRITE_STATUS[name]
    rows = list(Addendum.objects.values_list("text", "author_id"))
    expected = [("Llamó el dueño: come bien.", people[name].pk)] if _allowed(name) else []
    assert rows == expected


def test_an_invalid_form_answers_422_on_the_page_and_saves_nothing(vet_a, visit):
    response = _as(vet_a).post(_url("vitals_add", visit.pk), {"body_condition_score": "12"})
    assert response.status_code == 422
    assert "Some fields are not valid." in response.content.decode()
    assert Vitals.objects.count() == 0


# ---------------------------------------------------------------- the lock of a signed visit


def test_every_form_of_a_signed_visit_answers_409_and_changes_nothing(
    vet_a, visit, consult_service
):
    services.soap_save(actor=vet_a, visit=visit, subjective="Antes")
    procedure = services.procedure_add(actor=vet_a, visit=visit, product=consult_service)
    services.visit_sign(actor=vet_a, visit=visit)
    before = _clinical_rows()
    http = _as(vet_a)
    posts: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("vitals_add", (visit.pk,), {"weight_kg": "10"}),
        ("diagnosis_add", (visit.pk,), {"free_text": "Gastritis"}),
        ("procedure_add", (visit.pk,), {"product": str(consult_service.pk)}),
        ("procedure_remove", (visit.pk, procedure.pk), {"reason": "x"}),
        ("lab_result_add", (visit.pk,), {"test_name": "Hto", "value": "45"}),
        (
            "attachment_upload",
            (visit.pk,),
            {"file": SimpleUploadedFile("rx.pdf", PDF), "kind": "lab"},
        ),
        ("visit_sign", (visit.pk,), {}),
    ]
    for name, args, data in posts:
        response = http.post(_url(name, *args), data)
        assert response.status_code == 409, name
        assert "This visit is signed; add an addendum instead." in response.content.decode()
    soap = http.post(_url("soap_save", visit.pk), {"subjective": "Después"})
    assert soap.status_code == 409
    assert soap.json()["code"] == "visit_signed"
    assert SoapNote.objects.get(visit=visit).subjective == "Antes"
    assert _clinical_rows() == before
    assert list(Charge.objects.values_list("status", flat=True)) == ["pending"]


def test_removing_a_procedure_from_the_page_cancels_its_charge(vet_a, visit, consult_service):
    procedure = services.procedure_add(actor=vet_a, visit=visit, product=consult_service)
    response = _as(vet_a).post(
        _url("procedure_remove", visit.pk, procedure.pk), {"reason": "No se hizo"}
    )
    assert response.status_code == 302
    assert list(Charge.objects.values_list("status", "cancelled_reason")) == [
        ("cancelled", "No se hizo")
    ]


# ---------------------------------------------------------------- uploading into the visit


def test_a_file_uploaded_on_the_visit_is_linked_to_it(vet_a, visit, rocky, media_root):
    response = _as(vet_a).post(
        _url("attachment_upload", visit.pk),
        {"file": SimpleUploadedFile("hemograma.pdf", PDF), "kind": "lab",
         "description": "Hemograma"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == _url("visit_detail", visit.pk) + "#attachments"
    attachment = Attachment.objects.get()
    assert (attachment.patient_id, attachment.kind, attachment.description) == (
        rocky.pk,
        "lab",
        "Hemograma",
    )
    assert (attachment.original_name, attachment.content_type) == (
        "hemograma.pdf",
        "application/pdf",
    )
    assert list(VisitAttachment.objects.values_list("visit_id", "attachment_id")) == [
        (visit.pk, attachment.pk)
    ]
    assert len(list(media_root.rglob("*.pdf"))) == 1
    page = _as(vet_a).get(_url("visit_detail", visit.pk)).content.decode()
    assert "Hemograma" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "This type of file is not accepted."),
        (PDF + b"x" * 2048, "The file is too large (0 MB); the limit is 0 MB."),
    ],
)
def test_a_refused_file_answers_422_and_stores_nothing(
    settings, vet_a, visit, media_root, content, message
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = _as(vet_a).post(
        _url("attachment_upload", visit.pk),
        {"file": SimpleUploadedFile("x.pdf", content), "kind": "lab"},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert (Attachment.objects.count(), VisitAttachment.objects.count()) == (0, 0)
    assert list(media_root.rglob("*.*")) == []


def test_a_failed_link_leaves_neither_file_nor_row(monkeypatch, vet_a, visit, media_root):
    def broken_link(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(clinical, "attachment_link", broken_link)
    with pytest.raises(RuntimeError):
        services.attachment_upload_to_visit(
            actor=vet_a, visit=visit, file=SimpleUploadedFile("x.pdf", PDF), kind="lab"
        )
    assert (Attachment.objects.count(), VisitAttachment.objects.count()) == (0, 0)
    assert list(media_root.rglob("*.*")) == []


@pytest.mark.parametrize(("name", "status"), [("receptionist_a", 403), ("vet_b", 403)])
def test_who_may_not_upload_into_the_visit(people, visit, media_root, name, status):
    response = _as(people[name]).post(
        _url("attachment_upload", visit.pk),
        {"file": SimpleUploadedFile("x.pdf", PDF), "kind": "lab"},
    )
    assert response.status_code == status
    assert (Attachment.objects.count(), VisitAttachment.objects.count()) == (0, 0)
    assert list(media_root.rglob("*.*")) == []


# ---------------------------------------------------------------- bounded queries


def _fill(vet: User, visit: Visit, product: Any, rows: int) -> None:
    for n in range(rows):
        services.vitals_add(actor=vet, visit=visit, temperature_c=f"38.{n}", weight_kg="12")
        services.diagnosis_add(actor=vet, visit=visit, free_text=f"Diagnóstico {n}")
        services.procedure_add(actor=vet, visit=visit, product=product)
        services.lab_result_add(actor=vet, visit=visit, test_name=f"Prueba {n}", value="1")
    services.visit_sign(actor=vet, visit=visit)
    for n in range(rows):
        services.addendum_add(actor=vet, visit=visit, text_value=f"Adenda {n}")


def _queries(http: HttpClient, url: str) -> int:
    http.get(url)  # the session and the permission caches warm up
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def without_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's own queries: the panels other apps hang on it pin theirs."""
    monkeypatch.setattr(panels, "_PANELS", {})
    monkeypatch.setattr(panels, "_SECTIONS", {})


VISIT_PAGE_QUERIES = 25


@pytest.mark.usefixtures("without_panels")
@pytest.mark.parametrize("rows", [1, 6])
def test_the_visit_page_runs_the_same_queries_for_few_and_many_rows(
    vet_a, visit, consult_service, rows
):
    _fill(vet_a, visit, consult_service, rows)
    assert _queries(_as(vet_a), _url("visit_detail", visit.pk)) == VISIT_PAGE_QUERIES


VISIT_LIST_QUERIES = 14


@pytest.mark.parametrize("visits", [3, 10])
def test_the_visit_list_runs_the_same_queries_for_3_and_10_visits(world, vet_a, rocky, visits):
    for n in range(visits):
        opened = services.visit_open(
            actor=vet_a, location=world.location_a, patient=rocky, vet=vet_a, reason=f"Motivo {n}"
        )
        if n % 2:
            services.visit_sign(actor=vet_a, visit=opened)
    http = _as(vet_a)
    assert _queries(http, _url("patient_visits", rocky.pk)) == VISIT_LIST_QUERIES
    body = http.get(_url("patient_visits", rocky.pk)).content.decode()
    assert body.count('href="/records/visits/') == visits


# ---------------------------------------------------------------- languages


@pytest.mark.parametrize(
    ("language", "owner", "files", "upload"),
    [("en", "Owner:", ">Files</h2>", ">Upload</button>"),
     ("es", "Propietario:", ">Archivos</h2>", ">Subir</button>")],
)  # fmt: skip
def test_the_visit_page_speaks_the_readers_language(vet_a, visit, language, owner, files, upload):
    vet_a.language = language
    vet_a.save()
    response = _as(vet_a).get(_url("visit_detail", visit.pk))
    body = response.content.decode()
    assert response["Content-Language"] == language
    assert (owner in body, files in body, upload in body) == (True, True, True)
