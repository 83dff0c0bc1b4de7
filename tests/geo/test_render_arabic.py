"""Arabic drawn in the PNG/PDF exports: matplotlib (3.11+) joins the letters and lays the line right to left
by itself, and the font it uses has every glyph, so a title in Arabic reads as typed."""

from __future__ import annotations

import warnings

from geo.render import RenderRequest, render


def test_an_arabic_title_draws_with_every_glyph_found():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)" before drawing a box
        picture = render(RenderRequest([], [], title="هجمات على قاعدة عين الأسد", subtitle="آذار ٢٠٢١",
                                       fmt="png", width_px=400, height_px=300, dpi=100))
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"

