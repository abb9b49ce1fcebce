"""The access-code key the federated instances share (:class:`SharedKey`).

STAND-IN written by the mirror work (F2); the transport work (F1) owns this module (it
makes the key at ``peer add`` and stores the region's copy at ``upstream set``).
"""

from __future__ import annotations

import base64

from lapor.federation.models import SharedKey
from lapor.privacy import vault


def shared_access_code_key() -> bytes | None:
    """The shared key, or None before the first peering."""
    row = SharedKey.objects.filter(pk=1).first()
    if row is None:
        return None
    return base64.b64decode(vault.decrypt(row.key_encrypted))
