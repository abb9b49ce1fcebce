"""The providers' webhook views under ``/channels/`` (docs/channels.md).

Each view refuses a disabled channel (503), checks the provider's signature with the provider
module's own check, cuts the request into provider messages and records each one
(:func:`lapor.channels.inbound.inbound_record`); everything else happens in the worker.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lapor.channels import kannel, telegram, twilio_sms, whatsapp, x
from lapor.channels.inbound import disabled, inbound_record, refusal
from lapor.channels.models import Provider


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    refused = disabled(Provider.TWILIO, request)
    if refused is not None:
        return refused
    if not twilio_sms.signed(request):
        return refusal(403, "invalid_signature", request)
    item = {key: request.POST.get(key, "") for key in request.POST}
    message_id = item.get("MessageSid") or item.get("SmsSid") or ""
    if not message_id or not item.get("From"):
        return refusal(400, "validation_error", request)
    inbound_record(provider=Provider.TWILIO, message_id=message_id, item=item)
    return HttpResponse(twilio_sms.EMPTY_TWIML, content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def kannel_inbound(request: HttpRequest) -> HttpResponse:
    refused = disabled(Provider.KANNEL, request)
    if refused is not None:
        return refused
    params = request.POST if request.method == "POST" else request.GET
    if not kannel.signed(request, params):
        return refusal(403, "invalid_signature", request)
    item = {name: params.get(name, "") for name in kannel.FIELDS}
    if not item["sender"] or not item["id"]:
        return refusal(400, "validation_error", request)
    inbound_record(provider=Provider.KANNEL, message_id=item["id"], item=item)
    return HttpResponse("", content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def telegram_inbound(request: HttpRequest) -> HttpResponse:
    refused = disabled(Provider.TELEGRAM, request)
    if refused is not None:
        return refused
    if not telegram.signed(request):
        return refusal(403, "invalid_signature", request)
    try:
        update = json.loads(request.body)
    except ValueError:
        return refusal(400, "invalid_json", request)
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return refusal(400, "validation_error", request)
    inbound_record(provider=Provider.TELEGRAM, message_id=str(update["update_id"]), item=update)
    return JsonResponse({"ok": True})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_inbound(request: HttpRequest) -> HttpResponse:
    refused = disabled(Provider.WHATSAPP, request)
    if refused is not None:
        return refused
    if request.method == "GET":
        if not whatsapp.subscription_verified(request):
            return refusal(403, "invalid_signature", request)
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    if not whatsapp.signed(request):
        return refusal(403, "invalid_signature", request)
    try:
        payload = json.loads(request.body)
        values = [change["value"] for entry in payload["entry"] for change in entry["changes"]]
    except (ValueError, KeyError, TypeError):
        return refusal(400, "validation_error", request)
    for value in values:
        if not isinstance(value, dict):
            continue
        for message in value.get("messages") or []:
            if isinstance(message, dict) and message.get("id") and message.get("from"):
                inbound_record(provider=Provider.WHATSAPP, message_id=str(message["id"]),
                               item={"message": message, "contacts": value.get("contacts", [])})
    return HttpResponse("", status=200)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def x_inbound(request: HttpRequest) -> HttpResponse:
    refused = disabled(Provider.X, request)
    if refused is not None:
        return refused
    if request.method == "GET":
        token = request.GET.get("crc_token", "")
        if not token:
            return refusal(400, "validation_error", request)
        return JsonResponse({"response_token": x.hmac_b64(token.encode())})
    if not x.signed(request):
        return refusal(403, "invalid_signature", request)
    try:
        payload = json.loads(request.body)
        account = str(payload.get("for_user_id", ""))
    except (ValueError, AttributeError):
        return refusal(400, "validation_error", request)
    for tweet in payload.get("tweet_create_events") or []:
        if isinstance(tweet, dict) and tweet.get("id_str"):
            inbound_record(provider=Provider.X, message_id=f"tweet:{tweet['id_str']}",
                           item={"kind": "mention", "account": account, "tweet": tweet})
    for event in payload.get("direct_message_events") or []:
        if isinstance(event, dict) and event.get("type") == "message_create" and event.get("id"):
            inbound_record(provider=Provider.X, message_id=f"dm:{event['id']}",
                           item={"kind": "dm", "account": account, "event": event})
    return HttpResponse("", status=200)
