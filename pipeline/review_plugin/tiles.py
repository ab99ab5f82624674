"""Offline map tiles: 256x256 PNGs drawn in pure Python (zlib), no network.

datasette-cluster-map would load OpenStreetMap tiles from the internet; newsmine points
its ``tile_layer`` at ``/-/newsmine/tiles/{z}/{x}/{y}.png`` instead. A tile is a light
grid with a dot for every place of the bundled GeoNames gazetteer (German places with
at least 500 inhabitants, bigger dots for bigger towns): enough to see where in Germany
the clustered markers are, and nothing leaves the machine.
"""

from __future__ import annotations

import csv
import gzip
import math
import struct
import zlib
from functools import lru_cache

SIZE = 256
BACKGROUND = ((0xF1, 0xF4, 0xF2), (0xEA, 0xEF, 0xEC))  # alternate tiles, like a chessboard
GRID = (0xD9, 0xE0, 0xDC)
EDGE = (0xC2, 0xCC, 0xC6)
DOT = ((0x9A, 0xAA, 0xB8), (0x6F, 0x82, 0x94), (0x45, 0x55, 0x66))  # small, middle, big towns


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, pixels: bytes | bytearray) -> bytes:
    """An 8-bit RGB PNG from ``width * height * 3`` bytes, row by row."""
    stride = 3 * width
    raw = b"".join(b"\x00" + bytes(pixels[y * stride:(y + 1) * stride]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6))
            + _chunk(b"IEND", b""))


@lru_cache(maxsize=1)
def _places() -> list[tuple[float, float, int]]:
    """Gazetteer places as (x, y) in Web Mercator units of the whole world (0..1) and a size class."""
    from pipeline.places import DATA

    out = []
    try:
        with gzip.open(DATA, "rt", encoding="utf-8") as handle:
            for rec in csv.DictReader(handle, delimiter="\t"):
                lat, lon, pop = float(rec["latitude"]), float(rec["longitude"]), int(rec["population"] or 0)
                y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2
                out.append(((lon + 180) / 360, y, 0 if pop < 20_000 else 1 if pop < 200_000 else 2))
    except OSError:
        return []
    out.sort(key=lambda p: p[2])  # big towns drawn last, on top
    return out


def _base(shade: int) -> bytearray:
    bg, grid, edge = bytes(BACKGROUND[shade]), bytes(GRID), bytes(EDGE)
    row = bytearray(bg * SIZE)
    for x in range(32, SIZE, 32):
        row[3 * x:3 * x + 3] = grid
    row[0:3] = edge
    pixels = bytearray()
    for y in range(SIZE):
        pixels += edge * SIZE if y == 0 else grid * SIZE if y % 32 == 0 else row
    return pixels


@lru_cache(maxsize=512)
def tile_for(z: int, x: int, y: int) -> bytes:
    """The tile at zoom ``z``, column ``x``, row ``y`` (coordinates outside the world get an empty tile)."""
    pixels = _base((x + y) % 2)
    scale = 2 ** z
    if 0 <= x < scale and 0 <= y < scale:
        grow = 1 if z >= 9 else 0
        for mx, my, size in _places():
            px, py = int((mx * scale - x) * SIZE), int((my * scale - y) * SIZE)
            r = size + grow
            if -r <= px < SIZE + r and -r <= py < SIZE + r:
                colour = bytes(DOT[size])
                for dy in range(-r, r + 1):
                    yy = py + dy
                    if 0 <= yy < SIZE:
                        for dx in range(-r, r + 1):
                            xx = px + dx
                            if 0 <= xx < SIZE and dx * dx + dy * dy <= r * r + r:
                                i = 3 * (yy * SIZE + xx)
                                pixels[i:i + 3] = colour
    return png(SIZE, SIZE, pixels)
