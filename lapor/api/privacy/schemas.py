"""Input and output schemas of the privacy API."""

from __future__ import annotations

from ninja import Field, Schema

from lapor.core.api import ObjectBody


class RevealIn(ObjectBody):
    reason: str = Field(min_length=20, max_length=2_000,
                        description="Why the identity is needed (recorded, encrypted)")


class IdentityOut(Schema):
    name: str
    email: str
    phone: str
    nik: str
