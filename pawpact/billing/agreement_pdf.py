"""A PDF copy of a signed agreement: the stored text, then the signature block.

The SHA-256 is also written into the document's metadata, so the copy can be matched
to its record without parsing page content.
"""
from django.utils import timezone
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, Spacer

from pawpact.billing.models import Contract
from pawpact.core.pdf import body_style, heading_style, pdf_render, text, title_style


def agreement_pdf(contract: Contract) -> bytes:
    """The signed agreement as PDF bytes. Only signed contracts have one."""
    if not contract.agreement_text or not contract.signed_at:
        raise ValueError("Only a signed contract has an agreement PDF.")
    title = title_style(size=15, leading=20, space_after=4 * mm)
    body = body_style(size=9.5, leading=14)
    heading = heading_style(body, space_before=3 * mm)
    # The digest in a Latin font: 64 hex characters must wrap anywhere, and stay searchable.
    digest = ParagraphStyle("digest", fontName="Courier", fontSize=8.5, leading=12, wordWrap="CJK")

    lines = contract.agreement_text.splitlines()
    story = [text(lines[0], title)]
    for line in lines[1:]:
        if not line.strip():
            story.append(Spacer(1, 2 * mm))
        else:
            story.append(text(line, heading if _is_heading(line) else body))

    signed_at = timezone.localtime(contract.signed_at).isoformat(timespec="seconds")
    story += [
        Spacer(1, 6 * mm),
        HRFlowable(width="100%"),
        text("签署记录 / Signature record", heading),
        text(f"签署人 Signed by: {contract.signed_by_name}", body),
        text(f"签署时间 Signed at: {signed_at}", body),
        text(f"IP 地址 IP address: {contract.signed_ip or '-'}", body),
        text(f"设备 Device: {contract.signed_user_agent or '-'}", body),
        text("文本 SHA-256 of the text:", body),
        Paragraph(contract.agreement_sha256, digest),
    ]
    return pdf_render(
        story,
        title=lines[0],
        author=contract.signed_by_name,
        subject=f"SHA-256 {contract.agreement_sha256}",
        keywords=[str(contract.uuid), contract.agreement_sha256],
        creator="Pawpact",
    )


def _is_heading(line: str) -> bool:
    # Clause headings look like "三、扣款日历 / Debit calendar".
    return "、" in line[:4] and " / " in line
