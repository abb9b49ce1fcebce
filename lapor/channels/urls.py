"""Provider webhooks under ``/channels/`` (docs/channels.md)."""

from django.urls import path

from lapor.channels import kannel, telegram, twilio_sms, whatsapp, x

app_name = "channels"

urlpatterns = [
    path("sms/twilio", twilio_sms.twilio_inbound, name="twilio"),
    path("sms/kannel", kannel.kannel_inbound, name="kannel"),
    path("telegram", telegram.telegram_inbound, name="telegram"),
    path("whatsapp", whatsapp.whatsapp_inbound, name="whatsapp"),
    path("x", x.x_inbound, name="x"),
]
