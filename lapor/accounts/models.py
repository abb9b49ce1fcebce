"""People who sign in: staff (roles live on organisation nodes, see ``orgs``) and citizens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person with a login; staff powers come only from ``orgs.RoleAssignment``."""

    display_name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class OtpEnrollmentToken(models.Model):
    """Proof of a correct password for a staff account that has no authenticator yet.

    Accepted only by ``POST /auth/otp/enroll`` and ``POST /auth/otp/confirm`` (never as an API
    token: it lives in its own table). Short-lived and single-use; only its SHA-256 is stored.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="otp_enrollments")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"2FA enrollment of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"
