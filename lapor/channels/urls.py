"""Provider webhooks under ``/channels/`` (docs/channels.md)."""

from django.urls import path

from lapor.channels import webhooks

app_name = "channels"

urlpatterns = [
    path("sms/twilio", webhooks.twilio_inbound, name="twilio"),
    path("sms/kannel", webhooks.kannel_inbound, name="kannel"),
    path("telegram", webhooks.telegram_inbound, name="telegram"),
    path("whatsapp", webhooks.whatsapp_inbound, name="whatsapp"),
    path("x", webhooks.x_inbound, name="x"),
]
