"""The share card: the 1200×630 picture WhatsApp and others show with a link.

`python -m lindung.build.ogimage` draws it with Pillow into
templates/static/og.png, which is committed: a build copies it like any
other static file, so building needs neither Pillow nor a font, and the
bytes never change between builds. Run it again after changing the site's
name or colours. Pillow's built-in font is used, so no font is downloaded.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

WIDTH, HEIGHT = 1200, 630
GREEN, WHITE, YELLOW, LIGHT = (0, 90, 48), (255, 255, 255), (255, 221, 0), (204, 226, 216)
TARGET = Path("templates") / "static" / "og.png"


def draw(title: str = "Lindung",
         lines: tuple[str, ...] = ("Perlindungan BPJS Ketenagakerjaan", "bagi pekerja rentan di Jawa Tengah"),
         footer: str = "Cakupan per kecamatan · Peringkat · Cara ikut dan menjadi donatur") -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH, HEIGHT), GREEN)
    pen = ImageDraw.Draw(image)
    # A shield with a tick, from straight lines and two curves: no asset needed.
    def curve(start, control, end, steps=12):
        return [(round((1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t * t * end[0]),
                 round((1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t * t * end[1]))
                for t in (i / steps for i in range(1, steps + 1))]
    shield = [(80, 150), (190, 112), (300, 150), (300, 300)]
    shield += curve((300, 300), (300, 390), (190, 430)) + curve((190, 430), (80, 390), (80, 300))
    pen.polygon(shield, fill=WHITE)
    pen.line([(132, 272), (178, 318), (256, 216)], fill=GREEN, width=24, joint="curve")
    x = 360
    pen.text((x, 120), title, font=ImageFont.load_default(size=120), fill=WHITE)
    font = ImageFont.load_default(size=46)
    for number, line in enumerate(lines):
        pen.text((x, 280 + 62 * number), line, font=font, fill=LIGHT)
    # A coverage bar: the picture the site uses for every kecamatan.
    pen.rectangle([(80, 480), (1120, 510)], fill=(0, 60, 32))
    pen.rectangle([(80, 480), (80 + int(1040 * 0.4069), 510)], fill=YELLOW)
    pen.text((80, 540), footer, font=ImageFont.load_default(size=34), fill=WHITE)
    buffer = io.BytesIO()
    image.quantize(colors=32, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def main(root: Path = Path(".")) -> Path:
    target = root / TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(draw())
    return target


if __name__ == "__main__":
    path = main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
    print(f"{path}: {path.stat().st_size} bytes")
