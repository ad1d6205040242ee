"""Lambda "consumer-incident-media": sanitises uploaded incident media (strips EXIF/GPS, XMP, text
chunks and MP4 user data) and moves it out of quarantine."""

from __future__ import annotations

from argus.platform.startup import loading_handler

with loading_handler():
    from argus.incidents.media.sanitiser import sanitise_uploaded
    from argus.platform.consumers import sqs_consumer

# Equal to INCIDENT_MEDIA.name in argus/consumers.py (tests/integration/incidents/test_media.py checks).
CONSUMER_NAME = "incident-media"

handler = sqs_consumer(CONSUMER_NAME, sanitise_uploaded)
