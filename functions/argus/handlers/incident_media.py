"""Lambda "consumer-incident-media": sanitises uploaded incident media (strips EXIF/GPS, XMP, text
chunks and MP4 user data) and moves it out of quarantine."""

from __future__ import annotations

from argus.platform.startup import loading_handler

with loading_handler():
    from argus.consumers import INCIDENT_MEDIA
    from argus.incidents.media.sanitiser import sanitise_uploaded
    from argus.platform.consumers import sqs_consumer


handler = sqs_consumer(INCIDENT_MEDIA, sanitise_uploaded)
