import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from vetrisys.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from vetrisys.core.views import domain_errors, error_text, staff_view


def _raising(error):
    def view(request):
        raise error

    return view


def test_domain_errors_answer_404_and_403():
    request = RequestFactory().get("/")

    with pytest.raises(Http404, match=r"^Owner not found\.$"):
        domain_errors(_raising(NotFound("Owner not found.")))(request)
    with pytest.raises(PermissionDenied, match=r"^Not yours\.$"):
        domain_errors(_raising(NotAllowed("Not yours.")))(request)


def test_staff_view_sends_anonymous_people_to_the_login_page():
    request = RequestFactory().get("/patients/")
    request.user = AnonymousUser()

    response = staff_view(lambda request: HttpResponse("ok"))(request)

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/patients/",
    )


def test_error_text_puts_the_field_messages_after_the_message():
    invalid = ValidationFailed(
        "Check the form.", fields={"dose": ["Required."], "quantity": ["> 0"]}
    )

    assert error_text(invalid) == "Check the form. Required.; > 0"
    assert error_text(Conflict("Signed.")) == "Signed."
