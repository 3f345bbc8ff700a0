"""QR codes from qrcode's SVG path factory: the QR matrix, a white square, no id."""

from __future__ import annotations

import re

from policy_match.apps.publishing.qr import QUIET_ZONE, qr_svg


def test_the_svg_draws_every_dark_module_and_nothing_else() -> None:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    url = "https://example.gov.cn/policies/WH-GX-2024-001"
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    dark = {(x, y) for y, line in enumerate(code.get_matrix()) for x, d in enumerate(line) if d}
    svg = qr_svg(url)
    drawn = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H\d+V\d+H\d+z", svg)}
    assert drawn == dark


def test_the_svg_is_sized_inline_and_repeatable() -> None:
    svg = qr_svg("https://example.gov.cn/x", module=5)
    side = int(re.search(r'viewBox="0 0 (\d+) \1"', svg)[1])  # type: ignore[index]
    assert f'width="{side * 5}" height="{side * 5}"' in svg
    assert svg.startswith("<svg ") and "<?xml" not in svg
    assert ' id="' not in svg  # many codes on one page (the wall)
    assert 'fill="white"' in svg and 'shape-rendering="crispEdges"' in svg
