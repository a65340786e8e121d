"""Share cards: the 1200×630 pictures WhatsApp and others show with a link.

Two kinds. `templates/static/og.png` is the site's general card, drawn once
by `python -m lindung.build.ogimage` and committed, for pages without a
figure of their own. Every kabupaten/kota and kecamatan page, and the home
page, gets a card with its own figure (`Card`), drawn during the build.

Drawing uses Pillow (a dependency of the package) and the font built into
Pillow, so no font is looked up on the machine and the same Card gives the
same bytes. The picture is drawn in RGB and mapped onto a fixed palette (no
dithering, no search for colours), which keeps a card under 25 KB and its
drawing near 40 ms. Cards are cached by the hash of what is on them, the
drawer's version and Pillow's version: a build redraws only the cards whose
figures changed.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

WIDTH, HEIGHT = 1200, 630
GREEN, WHITE, YELLOW, LIGHT, DARK = (0, 90, 48), (255, 255, 255), (255, 221, 0), (204, 226, 216), (0, 60, 32)
TARGET = Path("templates") / "static" / "og.png"
VERSION = "2"  # bump when the drawing changes, so cached cards are redrawn
MARGIN = 80
COMPRESS = 3  # zlib level: 6 and up cost twice the time for a few KB less


@dataclass(frozen=True)
class Card:
    """What one page's card shows: the place, its headline figure, the
    coverage bar (None without a target) and a line of context."""

    place: str  # "Kecamatan Ngaliyan, Kota Semarang"
    number: str  # "312", already formatted the Indonesian way
    label: str  # "pekerja rentan terlindungi"
    bar: float | None  # coverage as a fraction, 0..1 (drawn full above 1)
    lines: tuple[str, ...]  # under the bar: "Cakupan 24,56% dari target…", "Angka per 23 November 2026"
    brand: str = "Lindung"

    def key(self) -> str:
        from PIL import __version__ as pillow

        text = json.dumps([VERSION, pillow, asdict(self)], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:24]


@functools.lru_cache(maxsize=1)
def _palette():
    """Background, dark bar, and eight steps from the background to each of
    white, light green and yellow: what anti-aliased text on green needs."""
    from PIL import Image

    def step(a, b, t):
        return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))

    colours = [GREEN, DARK]
    for ink in (WHITE, LIGHT, YELLOW):
        colours += [step(GREEN, ink, i / 8) for i in range(1, 9)]
    colours += [step(DARK, YELLOW, i / 4) for i in range(1, 4)]
    image = Image.new("P", (1, 1))
    image.putpalette([v for c in colours for v in c] + [0] * (768 - 3 * len(colours)))
    return image


@functools.lru_cache(maxsize=64)
def _font(size: int):
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _fit(pen, text: str, size: int, width: int):
    """The built-in font at `size`, smaller until `text` fits `width`."""
    while True:
        font = _font(size)
        if pen.textlength(text, font=font) <= width or size <= 18:
            return font
        size -= 2


def _shield(pen, x: int, y: int, scale: float) -> None:
    def curve(start, control, end, steps=12):
        return [(round((1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t * t * end[0]),
                 round((1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t * t * end[1]))
                for t in (i / steps for i in range(1, steps + 1))]

    def at(px, py):
        return (x + round(px * scale), y + round(py * scale))

    outline = [at(0, 38), at(110, 0), at(220, 38), at(220, 188)]
    outline += curve(at(220, 188), at(220, 278), at(110, 318)) + curve(at(110, 318), at(0, 278), at(0, 188))
    pen.polygon(outline, fill=WHITE)
    pen.line([at(52, 160), at(98, 206), at(176, 104)], fill=GREEN, width=max(3, round(24 * scale)), joint="curve")


def draw_card(card: Card) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), GREEN)
    pen = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    _shield(pen, MARGIN, 56, 0.22)
    pen.text((MARGIN + 66, 58), card.brand, font=_font(48), fill=WHITE)
    pen.text((MARGIN, 150), card.place, font=_fit(pen, card.place, 50, inner), fill=LIGHT)
    big = _font(150)
    pen.text((MARGIN, 212), card.number, font=big, fill=WHITE)
    after = MARGIN + pen.textlength(card.number, font=big) + 28
    pen.text((after, 300), card.label, font=_fit(pen, card.label, 50, WIDTH - MARGIN - round(after)), fill=WHITE)
    top = 420
    if card.bar is not None:
        pen.rectangle([(MARGIN, top), (WIDTH - MARGIN, top + 30)], fill=DARK)
        filled = round(inner * max(0.0, min(1.0, card.bar)))
        if filled:
            pen.rectangle([(MARGIN, top), (MARGIN + filled, top + 30)], fill=YELLOW)
    for number, line in enumerate(card.lines[:2]):
        pen.text((MARGIN, top + 58 + 52 * number), line, font=_fit(pen, line, 36, inner), fill=WHITE)
    buffer = io.BytesIO()
    image.quantize(palette=_palette(), dither=Image.Dither.NONE).save(buffer, format="PNG", compress_level=COMPRESS)
    return buffer.getvalue()


def card_bytes(card: Card, cache: Path | None = None) -> bytes:
    """The card's PNG, from the cache when the same card was drawn before."""
    if cache is None:
        return draw_card(card)
    return card_file(card, cache).read_bytes()


def card_file(card: Card, cache: Path) -> Path:
    """The cached file of the card's PNG, drawn first when it is not there yet."""
    path = cache / f"{card.key()}.png"
    if not path.is_file():
        data = draw_card(card)
        cache.mkdir(parents=True, exist_ok=True)
        staging = path.with_suffix(".tmp")
        staging.write_bytes(data)
        staging.replace(path)
    return path


def draw(title: str = "Lindung",
         lines: tuple[str, ...] = ("Perlindungan BPJS Ketenagakerjaan", "bagi pekerja rentan"),
         footer: str = "Cakupan per kecamatan · Peringkat · Cara ikut dan menjadi donatur") -> bytes:
    """The site's general card (templates/static/og.png)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH, HEIGHT), GREEN)
    pen = ImageDraw.Draw(image)
    _shield(pen, 80, 112, 1.0)
    x = 360
    pen.text((x, 120), title, font=ImageFont.load_default(size=120), fill=WHITE)
    font = ImageFont.load_default(size=46)
    for number, line in enumerate(lines):
        pen.text((x, 280 + 62 * number), line, font=font, fill=LIGHT)
    # A coverage bar: the picture the site uses for every kecamatan.
    pen.rectangle([(80, 480), (1120, 510)], fill=DARK)
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
