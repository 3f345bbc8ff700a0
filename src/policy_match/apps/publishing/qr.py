"""QR codes of a 公布网址, as SVG: drawn by ``qrcode``'s SVG path factory.

Error correction M (a smudged printed wall sheet still scans) and a quiet zone of four
modules. One module is one unit of the ``viewBox``, so the picture scales to any size
without blurring; ``width``/``height`` give a default size in CSS pixels. The factory's
``id`` is dropped: a page with many codes (the 惠企政策墙) must not repeat an id.
"""

from __future__ import annotations

import base64
import re

QUIET_ZONE = 4
_SIZE = re.compile(r'width="[^"]*" height="[^"]*"')
_ID = re.compile(r' id="[^"]*"')


def qr_svg(text: str, module: int = 4) -> str:
    """A QR code of ``text`` as an SVG document without an XML declaration (fit to embed
    inline in HTML): a white square, black modules, ``module`` CSS pixels each."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from qrcode.image.svg import SvgPathFillImage

    # box_size 10 is 1 mm in the factory's units: one module per viewBox unit
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=10,
                         image_factory=SvgPathFillImage)
    code.add_data(text)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    assert isinstance(svg, str)
    side = (code.modules_count + 2 * QUIET_ZONE) * module
    svg = _SIZE.sub(f'width="{side}" height="{side}"', svg, count=1)
    svg = svg.replace("<svg ", '<svg shape-rendering="crispEdges" ', 1)
    return _ID.sub("", svg)


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as ``data:image/svg+xml;base64,…``."""
    svg = qr_svg(text).encode("utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


__all__ = ["QUIET_ZONE", "qr_data_uri", "qr_svg"]
