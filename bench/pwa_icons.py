"""Draw the citizen app's icons (run once; the PNG and ICO files are committed).

    /work/main/.venv/bin/python bench/pwa_icons.py

The design is the site's favicon (lapor/web/static/lapor/favicon.svg): a white "L" with an
exclamation mark on the portal's red (#b3261e). "any" icons have rounded corners; "maskable"
ones fill the whole square and keep the mark inside the central 80 % safe zone, so a launcher's
circle or squircle never cuts it. Drawn with Pillow's polygons (no font needed).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

RED = (179, 38, 30, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parents[1] / "lapor" / "portal" / "static" / "portal" / "icons"
SCALE = 4  # draw large, then downsample: smooth edges


def _mark(draw: ImageDraw.ImageDraw, size: int, inset: float) -> None:
    """The "L!" mark in the square ``size``, within ``inset`` (share of the side) of each edge."""
    box = size * (1 - 2 * inset)
    unit = box / 32  # the favicon's 32-unit grid

    def x(v: float) -> float:
        return size * inset + v * unit

    # L: the favicon's path M9 7h4v14h10v4H9z, moved left to leave room for "!".
    draw.polygon([(x(7), x(7)), (x(11.5), x(7)), (x(11.5), x(20.5)), (x(20), x(20.5)),
                  (x(20), x(25)), (x(7), x(25))], fill=WHITE)
    # !: a bar and a dot.
    draw.rounded_rectangle([x(22), x(7), x(26), x(19.5)], radius=unit * 1.2, fill=WHITE)
    draw.ellipse([x(22), x(21), x(26), x(25)], fill=WHITE)


def icon(size: int, *, maskable: bool) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle([0, 0, big, big], fill=RED)
        _mark(draw, big, inset=0.2)
    else:
        draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 0.19, fill=RED)
        _mark(draw, big, inset=0.04)
    # Two colours and their anti-aliased edges fit a 16-colour palette: a third of the bytes.
    small = image.resize((size, size), Image.Resampling.LANCZOS)
    return small.quantize(16, method=Image.Quantize.FASTOCTREE)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
        icon(size, maskable=True).save(OUT / f"maskable-{size}.png", optimize=True)
    # iOS draws its own rounded corners and shows transparency as black: full square.
    icon(180, maskable=True).convert("RGB").quantize(16).save(OUT / "apple-touch-icon.png",
                                                              optimize=True)
    icon(48, maskable=False).convert("RGBA").save(OUT / "favicon.ico",
                                                  sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
