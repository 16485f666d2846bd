from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from pawpact.core.pdf import FONT, body_style, cjk_font, heading_style, pdf_render, text, title_style


def test_the_cjk_font_is_registered_once_and_named():
    assert cjk_font() == FONT == "STSong-Light"
    assert cjk_font() == FONT
    assert pdfmetrics.getFont(FONT).fontName == FONT


def test_styles_use_the_cjk_font_and_the_heading_follows_the_body():
    body = body_style(size=9, leading=13)
    heading = heading_style(body, space_before=4 * mm, space_after=2 * mm)
    title = title_style(size=15, leading=20, space_after=3 * mm)
    assert (body.fontName, body.fontSize, body.leading, body.wordWrap) == (FONT, 9, 13, "CJK")
    assert (heading.fontName, heading.fontSize, heading.leading, heading.wordWrap) == (FONT, 11, 16, "CJK")
    assert (heading.spaceBefore, heading.spaceAfter) == (4 * mm, 2 * mm)
    assert (title.fontName, title.fontSize, title.leading, title.spaceAfter) == (FONT, 15, 20, 3 * mm)


def test_text_is_plain_text_not_markup():
    paragraph = text("猫 <b>& 狗</b>", body_style(size=9, leading=13))
    assert paragraph.text == "猫 &lt;b&gt;&amp; 狗&lt;/b&gt;"


def test_a_rendered_document_carries_its_metadata_and_font():
    pdf = pdf_render([text("宠物 / Pets", body_style(size=9, leading=13))], title="Pawpact test", author="Pawpact")
    assert pdf.startswith(b"%PDF")
    assert b"STSong-Light" in pdf
    assert b"Pawpact test" in pdf
