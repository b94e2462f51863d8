from vetrisys.core.text import digits_only, normalize_search


def test_normalize_search_drops_accents_case_and_extra_spaces():
    assert normalize_search("  Muñoz   PÉREZ ") == "munoz perez"
    assert normalize_search("Ñandú") == "nandu"
    assert normalize_search("") == ""


def test_digits_only_keeps_digits():
    assert digits_only("+51 987-654-321") == "51987654321"
    assert digits_only("(01) 445 1234") == "014451234"
    assert digits_only("abc") == ""
