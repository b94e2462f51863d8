from vetrisys.core.pdf import render_pdf


def test_render_pdf_makes_a_pdf_document(tmp_path, settings):
    template_dir = tmp_path / "templates"
    template_dir.mkdir()
    (template_dir / "doc.html").write_text("<h1>Receta para {{ name }}</h1>", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir]}]

    document = render_pdf("doc.html", {"name": "Firulais"})

    assert document.startswith(b"%PDF-")
    assert document.rstrip().endswith(b"%%EOF")
