"""Lambda "consumer-incident-media-erasure": deletes the photos and videos an erased person uploaded
(every version), or pseudonymises their uploader where the media is police evidence."""

from __future__ import annotations

from argus.platform.startup import loading_handler

with loading_handler():
    from argus.consumers import INCIDENT_MEDIA_ERASURE
    from argus.incidents.media.erasure import erase_uploads
    from argus.platform.consumers import sqs_consumer


handler = sqs_consumer(INCIDENT_MEDIA_ERASURE, erase_uploads)
