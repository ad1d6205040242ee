"""The sanitiser strips every identifying metadata it knows of and refuses files that are not what
they claim to be."""

from __future__ import annotations

import io

import pytest
from argus.incidents.media.sanitise import (
    UnsupportedMedia,
    check_image_clean,
    remaining_mp4_metadata,
    sanitise_image,
    sanitise_mp4_bytes,
)
from PIL import Image, ImageChops, ImageOps

from tests.unit.incidents.test_sanitise_samples import (
    BLUE,
    LOCATION,
    MDAT_PAYLOAD,
    RED,
    heic_with_gps,
    jpeg_with_gps,
    mp4_with_location,
    png_with_text,
    two_tone,
)


def assert_no_metadata(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    assert len(image.getexif()) == 0
    assert "exif" not in image.info or not image.info["exif"]
    assert not image.info.get("xmp") and "icc_profile" not in image.info and "comment" not in image.info
    assert not getattr(image, "text", None)
    return image


def max_difference(a: Image.Image, b: Image.Image) -> int:
    assert a.size == b.size
    extrema = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getextrema()
    return max(high for _, high in extrema)  # type: ignore[misc]


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel value (JPEG re-encoding is lossy)."""
    assert a.size == b.size
    difference = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    values = difference.tobytes()
    return sum(values) / len(values)


def test_a_jpeg_loses_exif_and_gps_and_is_turned_upright() -> None:
    original = jpeg_with_gps(orientation=6)
    clean = assert_no_metadata(sanitise_image(original, "image/jpeg"))
    # Orientation 6 means "rotate 90° clockwise to show": the red left half ends up on top.
    assert clean.format == "JPEG" and clean.size == (32, 64)
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(original)))
    assert mean_difference(clean, upright) < 2 and max_difference(clean, upright) <= 32
    assert _close(clean.getpixel((16, 5)), RED) and _close(clean.getpixel((16, 58)), BLUE)
    assert b"Phone 15" not in sanitise_image(original, "image/jpeg")


def _close(pixel: object, colour: tuple[int, int, int]) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(int(p) - c) <= 12 for p, c in zip(pixel, colour, strict=False))


def test_a_png_loses_text_chunks_and_exif_and_keeps_its_pixels_exactly() -> None:
    clean = assert_no_metadata(sanitise_image(png_with_text(), "image/png"))
    assert clean.format == "PNG" and max_difference(clean, two_tone()) == 0


def test_a_palette_png_with_transparency_keeps_its_look() -> None:
    image = two_tone().convert("P")
    image.info["transparency"] = 0
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=0)
    clean = assert_no_metadata(sanitise_image(out.getvalue(), "image/png"))
    assert clean.mode == "RGBA"


def test_a_heic_loses_exif_and_gps() -> None:
    try:
        original = heic_with_gps()
    except (OSError, KeyError, ValueError) as exc:  # pragma: no cover - depends on the libheif build
        pytest.skip(f"pillow-heif cannot encode HEIC here: {exc}")
    clean_bytes = sanitise_image(original, "image/heic")
    assert clean_bytes[4:12] in (b"ftypheic", b"ftypmif1", b"ftypheix")
    clean = assert_no_metadata(clean_bytes)
    assert clean.size == (64, 32) and max_difference(clean, two_tone()) <= 24


@pytest.mark.parametrize(
    ("data", "declared", "reason"),
    [
        (b"not an image at all", "image/png", "not_decodable"),
        (png_with_text(), "image/jpeg", "not_decodable"),  # a PNG declared as JPEG
        (jpeg_with_gps()[:200], "image/jpeg", "not_decodable"),  # truncated
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(data: bytes, declared: str, reason: str) -> None:
    with pytest.raises(UnsupportedMedia) as refused:
        sanitise_image(data, declared)
    assert refused.value.reason == reason


def test_the_check_notices_metadata() -> None:
    with pytest.raises(AssertionError, match="metadata left"):
        check_image_clean(jpeg_with_gps(), "image/jpeg")


def test_an_mp4_loses_location_and_tags_and_keeps_its_media_data_in_place() -> None:
    original = mp4_with_location()
    clean = sanitise_mp4_bytes(original)
    assert len(clean) == len(original)
    assert clean.endswith(MDAT_PAYLOAD) and clean.index(MDAT_PAYLOAD) == original.index(MDAT_PAYLOAD)
    assert LOCATION not in clean and b"\xa9xyz" not in clean and b"Outside number 12" not in clean
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v.mp4"
        path.write_bytes(clean)
        assert remaining_mp4_metadata(path) == []


@pytest.mark.parametrize(
    "data",
    [b"\0\0\0\x10notanmp4atall" * 4, jpeg_with_gps(), mp4_with_location()[:40], b""],
    ids=["garbage", "jpeg", "truncated", "empty"],
)
def test_files_that_are_not_mp4_are_refused(data: bytes) -> None:
    with pytest.raises(UnsupportedMedia):
        sanitise_mp4_bytes(data)
