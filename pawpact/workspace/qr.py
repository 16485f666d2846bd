"""QR codes for signing links, drawn by segno as inline SVG (no image files, no network)."""
import segno


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#1f2933")
