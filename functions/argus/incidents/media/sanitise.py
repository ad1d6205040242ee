"""Stripping identifying metadata from uploaded media (no AWS here).

Images (JPEG, PNG, HEIC) are decoded, turned upright by their EXIF orientation, converted to sRGB
when they carry an ICC profile, and re-encoded from their pixels alone: no EXIF (GPS included), XMP,
ICC profile, PNG text chunks (tEXt, iTXt, zTXt) or HEIC metadata survive. MP4 files are edited in
place without touching the media data: every ``udta`` (user data: ©xyz location, tags), ``meta`` and
``uuid`` box (XMP) in the file, movie, track and fragment levels becomes a ``free`` box of the same size
whose payload is zeroed, so chunk offsets stay valid. Each output is checked again before it is kept.

Anything that does not decode as the type it claims raises ``UnsupportedMedia``."""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from argus.incidents.media.policy import MAX_PIXELS

# Pillow's format name for each declared image type.
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIF"}
# Image info keys that carry metadata; none may remain in a sanitised image.
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop", "iptc", "adobe")
# MP4 boxes that hold user data, metadata or vendor blobs, and the containers searched for them.
STRIPPED_BOXES = frozenset({b"udta", b"meta", b"uuid"})
CONTAINER_BOXES = frozenset({b"moov", b"trak", b"mdia", b"minf", b"moof", b"traf", b"mvex", b"edts"})
_CHUNK = 1024 * 1024


class UnsupportedMedia(ValueError):
    """The file is not a decodable file of its declared type; ``reason`` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _register_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


# --- images --------------------------------------------------------------------------------------


def _open_image(data: bytes, content_type: str) -> Image.Image:
    expected = IMAGE_FORMATS[content_type]
    if expected == "HEIF":
        _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[expected])
            if image.width * image.height > MAX_PIXELS:
                raise UnsupportedMedia("too_many_pixels", "The image has too many pixels.")
            image.load()
    except UnsupportedMedia:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise UnsupportedMedia("not_decodable", f"The file is not a valid {content_type} image.") from exc
    except Image.DecompressionBombWarning as exc:
        raise UnsupportedMedia("too_many_pixels", "The image has too many pixels.") from exc
    if image.format != expected:
        raise UnsupportedMedia("type_mismatch", f"The file is not a {content_type} image.")
    return image


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Pixels in sRGB, so that dropping the ICC profile keeps the colours (best effort)."""
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"))
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels of ``image``: upright, sRGB, in a plain mode, no info."""
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode == "P" or upright.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = "A" in upright.getbands() or "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    upright = _to_srgb(upright, image.info.get("icc_profile"))
    return Image.frombytes(upright.mode, upright.size, upright.tobytes())


def sanitise_image(data: bytes, content_type: str) -> bytes:
    """The image re-encoded from its upright pixels, without any metadata."""
    image = _open_image(data, content_type)
    clean = pixels_only(image)
    out = io.BytesIO()
    fmt = IMAGE_FORMATS[content_type]
    if fmt == "JPEG":
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, format="JPEG", quality=92, subsampling=0, optimize=True)
    elif fmt == "PNG":
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="HEIF", quality=90, exif=None, xmp=None)
    result = out.getvalue()
    check_image_clean(result, content_type)
    return result


def check_image_clean(data: bytes, content_type: str) -> None:
    """Raise AssertionError unless ``data`` decodes as ``content_type`` with no metadata left."""
    image = _open_image(data, content_type)
    problems = [key for key in METADATA_KEYS if image.info.get(key)]
    if len(image.getexif()):
        problems.append("exif tags")
    if getattr(image, "text", None):
        problems.append("text chunks")
    if problems:
        raise AssertionError(f"metadata left after sanitising: {', '.join(problems)}")


# --- MP4 -----------------------------------------------------------------------------------------


def _boxes(f: IO[bytes], start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, offset, header size, total size) of each box between ``start`` and ``end``."""
    offset = start
    while offset + 8 <= end:
        f.seek(offset)
        size, kind = struct.unpack(">I4s", f.read(8))
        header = 8
        if size == 1:
            raw = f.read(8)
            if len(raw) < 8:
                raise UnsupportedMedia("not_decodable", "The MP4 file is truncated.")
            (size,) = struct.unpack(">Q", raw)
            header = 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            raise UnsupportedMedia("not_decodable", "The MP4 file has a malformed box.")
        yield kind, offset, header, size
        offset += size
    if offset != end:
        raise UnsupportedMedia("not_decodable", "The MP4 file has trailing bytes.")


def _strip(f: IO[bytes], start: int, end: int, found: list[bytes]) -> None:
    for kind, offset, header, size in list(_boxes(f, start, end)):
        if kind in STRIPPED_BOXES:
            found.append(kind)
            f.seek(offset + 4)
            f.write(b"free")
            f.seek(offset + header)
            remaining = size - header
            while remaining:
                step = min(remaining, _CHUNK)
                f.write(b"\0" * step)
                remaining -= step
        elif kind in CONTAINER_BOXES:
            _strip(f, offset + header, offset + size, found)


def _check_mp4(path: Path) -> None:
    from mutagen import MutagenError
    from mutagen.mp4 import MP4

    with path.open("rb") as f:
        f.seek(4)
        if f.read(4) != b"ftyp":
            raise UnsupportedMedia("type_mismatch", "The file is not an MP4 video (no ftyp box first).")
    try:
        MP4(str(path))
    except (MutagenError, struct.error, ValueError) as exc:
        raise UnsupportedMedia("not_decodable", "The file is not a valid MP4 video.") from exc


def remaining_mp4_metadata(path: Path) -> list[bytes]:
    """The metadata boxes (and mutagen tags) still in the MP4 file at ``path``."""
    from mutagen.mp4 import MP4

    left: list[bytes] = []
    with path.open("rb") as f:
        size = f.seek(0, io.SEEK_END)

        def walk(start: int, end: int) -> None:
            for kind, offset, header, total in _boxes(f, start, end):
                if kind in STRIPPED_BOXES or kind.startswith(b"\xa9"):
                    left.append(kind)
                elif kind in CONTAINER_BOXES:
                    walk(offset + header, offset + total)

        walk(0, size)
    tags: Any = MP4(str(path)).tags
    if tags:
        left += [str(key).encode() for key in tags]
    return left


def sanitise_mp4(path: Path) -> list[bytes]:
    """Strip the MP4 file at ``path`` in place; the stripped box types, in file order."""
    _check_mp4(path)
    found: list[bytes] = []
    with path.open("r+b") as f:
        size = f.seek(0, io.SEEK_END)
        _strip(f, 0, size, found)
    _check_mp4(path)
    left = remaining_mp4_metadata(path)
    if left:
        raise AssertionError(f"metadata left after sanitising: {left!r}")
    return found


def sanitise_mp4_bytes(data: bytes) -> bytes:
    """``sanitise_mp4`` for data in memory (tests and small files)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "video.mp4"
        path.write_bytes(data)
        sanitise_mp4(path)
        return path.read_bytes()
