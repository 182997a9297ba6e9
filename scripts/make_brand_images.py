"""Draw the integration's brand images into custom_components/smart_massager/brand/.

Home Assistant shows a custom integration's own icon and logo from that folder (since 2026.3;
before, only the central brands repository). The design: a rounded teal square with a white lotus
(calm, spa) over two strokes (the massage). Drawn four times too large and scaled down, which
smooths the edges; Pillow's bundled font keeps the logo the same on every machine.

    .venv/bin/python scripts/make_brand_images.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = Path(__file__).parents[1] / "custom_components" / "smart_massager" / "brand"
TEAL = (20, 150, 137, 255)
DARK_TEAL = (11, 95, 87, 255)
WHITE = (255, 255, 255, 255)
SUPERSAMPLE = 4
WORDMARK = "Smart Massager"

type Point = tuple[float, float]


def petal(base: Point, length: float, width: float, angle: float, steps: int = 64) -> list[Point]:
    """A pointed leaf from `base`, `angle` degrees from upright (positive leans right)."""
    edge = [
        (width / 2 * math.sin(math.pi * s) ** 0.8, -length * s)
        for s in (i / steps for i in range(steps + 1))
    ]
    outline = edge + [(-x, y) for x, y in reversed(edge)]
    turn = math.radians(angle)
    cos, sin = math.cos(turn), math.sin(turn)
    return [(base[0] + x * cos - y * sin, base[1] + x * sin + y * cos) for x, y in outline]


def stroke(
    left: float, right: float, y: float, *, amplitude: float, width: float, steps: int = 192
) -> list[Point]:
    """One gentle wave from `left` to `right` around height `y`, as a band `width` thick.

    A band (the curve offset to both sides) has smooth edges where a thick polyline shows its
    joints.
    """
    centre = [
        (left + (right - left) * t, y - amplitude * math.sin(2 * math.pi * t))
        for t in (i / steps for i in range(steps + 1))
    ]
    slope = 2 * math.pi * amplitude / (right - left)
    sides: tuple[list[Point], list[Point]] = ([], [])
    for i, (x, cy) in enumerate(centre):
        dy = -slope * math.cos(2 * math.pi * i / steps)  # the curve's gradient at this point
        norm = math.hypot(1, dy)
        nx, ny = -dy / norm * width / 2, 1 / norm * width / 2
        sides[0].append((x + nx, cy + ny))
        sides[1].append((x - nx, cy - ny))
    return sides[0] + sides[1][::-1]


def icon(size: int) -> Image.Image:
    """The square icon, `size` pixels wide."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=round(big * 0.22), fill=TEAL)

    unit = big / 100  # the symbol is laid out on a 100 x 100 grid
    base = (50 * unit, 64 * unit)
    for angle in (-58, 58):  # outer petals, lying low
        draw.polygon(petal(base, 30 * unit, 13 * unit, angle), fill=WHITE)
    for angle in (-29, 29):  # inner petals, each outlined in teal so that they stay apart
        draw.polygon(petal(base, 38 * unit, 17 * unit, angle), fill=WHITE, outline=TEAL)
        draw.line(petal(base, 38 * unit, 17 * unit, angle), fill=TEAL, width=round(2 * unit))
    # The middle petal on a slightly larger teal one: a margin that parts it from the others.
    draw.polygon(petal(base, 46 * unit, 22 * unit, 0), fill=TEAL)
    draw.polygon(petal((base[0], base[1] - unit), 43 * unit, 17 * unit, 0), fill=WHITE)

    for y in (74, 84):  # two massage strokes under the flower, with round ends
        thickness = 4.5 * unit
        draw.polygon(
            stroke(24 * unit, 76 * unit, y * unit, amplitude=3 * unit, width=thickness), fill=WHITE
        )
        radius = thickness / 2
        for end_x in (24 * unit, 76 * unit):
            draw.ellipse(
                (end_x - radius, y * unit - radius, end_x + radius, y * unit + radius), fill=WHITE
            )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def logo(height: int) -> Image.Image:
    """The icon and the name beside it, on a transparent background, trimmed."""
    big = height * SUPERSAMPLE
    font = ImageFont.load_default(size=round(big * 0.42))
    text_box = font.getbbox(WORDMARK, stroke_width=round(big * 0.008))
    gap = round(big * 0.18)
    width = big + gap + text_box[2]
    image = Image.new("RGBA", (width, big), (0, 0, 0, 0))
    image.alpha_composite(icon(height).resize((big, big), Image.Resampling.LANCZOS))
    draw = ImageDraw.Draw(image)
    draw.text(
        (big + gap, (big - (text_box[3] + text_box[1])) / 2),
        WORDMARK,
        font=font,
        fill=DARK_TEAL,
        stroke_width=round(big * 0.008),  # a touch bolder than the regular face
        stroke_fill=DARK_TEAL,
    )
    trimmed = image.crop(image.getbbox())
    return trimmed.resize(
        (round(trimmed.width / SUPERSAMPLE), round(trimmed.height / SUPERSAMPLE)),
        Image.Resampling.LANCZOS,
    )


def main() -> None:
    """Write icon.png (256), icon@2x.png (512), logo.png (128 high) and logo@2x.png (256 high)."""
    BRAND.mkdir(exist_ok=True)
    images = {
        "icon.png": icon(256),
        "icon@2x.png": icon(512),
        "logo.png": logo(128),
        "logo@2x.png": logo(256),
    }
    for name, image in images.items():
        image.save(BRAND / name, optimize=True)
        print(f"{BRAND / name}: {image.width} x {image.height}")


if __name__ == "__main__":
    main()
