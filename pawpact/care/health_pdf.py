"""A pet's health record as a PDF, in the reader's language (the agreement's fonts render Chinese)."""
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from pawpact.core.pdf import body_style, heading_style, pdf_render, text, title_style
from pawpact.customers.models import Pet

GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])


def _day(value) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


def _table(rows, body, widths):
    table = Table([[text(str(cell), body) for cell in row] for row in rows], colWidths=widths)
    table.setStyle(GRID)
    return table


def pet_health_pdf(pet: Pet, *, shop_name: str) -> bytes:
    title = title_style(size=16, leading=22, space_after=4 * mm)
    body = body_style(size=10, leading=15)
    heading = heading_style(body, space_before=5 * mm, space_after=2 * mm)
    profile = [
        [pgettext("pet", "Name"), pet.name], [_("Species"), pet.get_species_display()], [_("Breed"), pet.breed or "—"],
        [_("Sex"), pet.get_sex_display()], [_("Birthday"), _day(pet.birthday)],
        [_("Adoption date"), _day(pet.adoption_date)], [_("Microchip number"), pet.microchip or "—"],
        [_("Allergies"), pet.allergies or _("None known")],
    ]
    story = [text(_("Health record of %(pet)s") % {"pet": pet.name}, title), text(shop_name, body),
             _table(profile, body, [45 * mm, 120 * mm])]
    records = [[_("Date"), _("Kind"), pgettext("vaccine or medicine", "Product"), _("Next due"), _("Clinic or vet")]] + [
        [_day(r.done_on), r.get_kind_display(), r.product or "—", _day(r.next_due), r.clinic or "—"]
        for r in pet.health_records.all()
    ]
    story += [text(_("Vaccines, deworming and check-ups"), heading)]
    story += [_table(records, body, [25 * mm, 25 * mm, 45 * mm, 25 * mm, 45 * mm]) if len(records) > 1 else text(_("No records yet."), body)]
    weights = [[_("Date"), _("Weight (kg)")]] + [[_day(w.measured_on), f"{w.grams / 1000:.2f}"] for w in pet.weights.all()]
    story += [text(_("Weight"), heading)]
    story += [_table(weights, body, [40 * mm, 40 * mm]) if len(weights) > 1 else text(_("No weights yet."), body)]
    story += [Spacer(1, 6 * mm)]
    return pdf_render(story, title=_("Health record of %(pet)s") % {"pet": pet.name}, author=shop_name,
                      subject=pet.name, creator="Pawpact")
