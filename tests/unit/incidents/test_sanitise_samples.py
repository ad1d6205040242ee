"""Sample media with identifying metadata, built in process (shared by the sanitiser's unit tests and
the media integration tests); the tests here check the samples really carry what they claim."""

from __future__ import annotations

import io
import struct

from PIL import Image, PngImagePlugin

GPS_IFD = 0x8825
ORIENTATION = 0x0112
RED, BLUE = (220, 20, 20), (20, 20, 220)
LOCATION = b"+51.5074-000.1278/"


def two_tone(width: int = 64, height: int = 32) -> Image.Image:
    """Left half red, right half blue (so a rotation is visible)."""
    image = Image.new("RGB", (width, height), RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    return image


def gps_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 26.64), 3: "W", 4: (0.0, 7.0, 40.08)})
    return exif


def jpeg_with_gps(orientation: int = 6) -> bytes:
    out = io.BytesIO()
    two_tone().save(out, format="JPEG", quality=95, exif=gps_exif(orientation), comment=b"taken at home")
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "51.5074,-0.1278")
    info.add_text("Author", "Jo Bloggs", zip=True)  # zTXt
    info.add_itxt("Comment", "Taken from my window", lang="en", tkey="Comment")
    out = io.BytesIO()
    two_tone().save(out, format="PNG", pnginfo=info, exif=gps_exif(orientation=1))
    return out.getvalue()


def heic_with_gps() -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    two_tone().save(out, format="HEIF", quality=95, exif=gps_exif(orientation=1).tobytes())
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


MDAT_PAYLOAD = bytes(range(256)) * 4


def mp4_with_location() -> bytes:
    """A minimal MP4 (ftyp, moov with mvhd and udta, mdat) carrying ©xyz and an iTunes ©nam tag."""
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(
        b"mvhd",
        struct.pack(">B3xIIII", 0, 0, 0, 1000, 1000)
        + struct.pack(">IH10x", 0x10000, 0x100)
        + matrix
        + b"\0" * 24
        + struct.pack(">I", 2),
    )
    xyz = _box(b"\xa9xyz", struct.pack(">HH", len(LOCATION), 0x15C7) + LOCATION)
    hdlr = _box(b"hdlr", b"\0" * 8 + b"mdirappl" + b"\0" * 9)
    text = _box(b"data", struct.pack(">II", 1, 0) + b"Outside number 12")
    ilst = _box(b"ilst", _box(b"\xa9nam", text))
    meta = _box(b"meta", b"\0" * 4 + hdlr + ilst)
    udta = _box(b"udta", xyz + meta)
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    return ftyp + _box(b"moov", mvhd + udta) + _box(b"mdat", MDAT_PAYLOAD)


def test_the_jpeg_carries_gps_orientation_and_a_comment() -> None:
    image = Image.open(io.BytesIO(jpeg_with_gps()))
    exif = image.getexif()
    assert exif[ORIENTATION] == 6 and exif.get_ifd(GPS_IFD)[1] == "N"
    assert "exif" in image.info and image.info.get("comment") == b"taken at home"


def test_the_png_carries_text_chunks_and_exif() -> None:
    image = Image.open(io.BytesIO(png_with_text()))
    image.load()
    assert set(image.text) == {"Location", "Author", "Comment"}  # type: ignore[attr-defined]
    assert image.getexif().get_ifd(GPS_IFD)


def test_the_mp4_carries_a_location_and_a_tag() -> None:
    import tempfile
    from pathlib import Path

    from mutagen.mp4 import MP4

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v.mp4"
        path.write_bytes(mp4_with_location())
        video = MP4(str(path))
        assert video.tags is not None and video.tags["\xa9nam"] == ["Outside number 12"]
    assert LOCATION in mp4_with_location()
