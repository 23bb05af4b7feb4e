#!/usr/bin/env python3
"""Writes the app's PNG icons into web/public (committed; rerun after changing the design).

The design is public/icon.svg's: a blue tile with three white blocks (the matrix). Plain Python
(zlib) so no image library is needed. `maskable`: the tile fills the square and the blocks sit
inside the central 80 % that every launcher's mask keeps.

    python3 web/scripts/icons.py
"""
import struct
import zlib
from pathlib import Path

BLUE = (0x0B, 0x5C, 0xAD)
WHITE = (0xFF, 0xFF, 0xFF)
# the SVG's blocks on its 32-unit grid: (x, y, w, h)
BLOCKS = [(8, 9, 7, 14), (17, 9, 7, 6), (17, 17, 7, 6)]


def pixel(x: float, y: float, rounded: bool, scale: float, inset: float) -> tuple:
    """The colour at (x, y) in 32-unit coordinates; None outside the rounded tile."""
    if rounded:
        r = 6
        cx = min(max(x, r), 32 - r)
        cy = min(max(y, r), 32 - r)
        if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
            return None
    # the blocks, scaled about the centre (maskable icons keep them in the safe zone)
    bx = (x - 16) / scale + 16
    by = (y - 16) / scale + 16
    for (px, py, w, h) in BLOCKS:
        if px <= bx < px + w and py <= by < py + h:
            return WHITE
    return BLUE


def png(size: int, rounded: bool, scale: float = 1.0) -> bytes:
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            c = pixel((i + 0.5) * 32 / size, (j + 0.5) * 32 / size, rounded, scale, 0)
            row += bytes(c + (255,)) if c else bytes((0, 0, 0, 0))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def main() -> None:
    out = Path(__file__).resolve().parent.parent / "public"
    (out / "icon-192.png").write_bytes(png(192, rounded=True))
    (out / "icon-512.png").write_bytes(png(512, rounded=True))
    (out / "icon-maskable-512.png").write_bytes(png(512, rounded=False, scale=0.75))
    # iOS draws its own rounded corners and shows transparency as black: a full square
    (out / "apple-touch-icon.png").write_bytes(png(180, rounded=False, scale=0.85))


if __name__ == "__main__":
    main()
