"""The citizen app's words for its scripts (report-app.js, device-reports.js), translated on
the server and handed over as a JSON block (no text in the JavaScript files)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def app_strings() -> dict[str, str]:
    return {
        "waiting_title": _("Waiting for signal"),
        "waiting_help": _("These reports are kept on this phone and are sent by themselves "
                          "when the connection returns."),
        "waiting_badge": _("waiting for signal"),
        "saved_offline": _("No connection: your report is kept on this phone and will be "
                           "sent when the signal returns."),
        "sending": _("Sending…"),
        "received_title": _("Your report has been received"),
        "keep_numbers": _("Keep these two numbers"),
        "tracking_number": _("Tracking number"),
        "access_code": _("Access code"),
        "shown_once": _("The access code is shown only this once."),
        "remember_help": _("Write it down now. It stays on this phone only if you tick "
                           "“Remember on this phone”."),
        "access_help": _("Anyone with the tracking number can see the status. To read the "
                         "officers' answers, reply, or add files, you need the access code."),
        "remember": _("Remember on this phone"),
        "done": _("Done"),
        "new_report": _("Send a new report"),
        "track": _("Track this report"),
        "photos_refused": _("Your report was received, but some files were not attached:"),
        "not_sent": _("The report was not sent yet."),
        "fix_help": _("Please correct what is marked below; everything you typed is kept."),
        "needs_fixing": _("not sent: needs correcting"),
        "code_unseen": _("sent: open the form page to see its access code"),
        "photo_gps": _("The photo's location was used for the pin."),
        "photo_no_gps": _("This photo has no location. Drag the pin or use your location."),
        "too_many_photos": _("At most {n} photos per report."),
        "photo_unreadable": _("This file could not be read as a photo."),
        "remove_photo": _("Remove"),
        "photo_alt": _("Photo {n}"),
        "locating": _("Finding your location…"),
        "locate_failed": _("Your location could not be found. Drag the pin instead."),
        "place_found": _("District: {district}, {regency}"),
        "place_outside": _("This place is outside Indonesia."),
        "place_unknown": _("The district could not be found from the pin: choose the region "
                           "below."),
        "place_offline": _("No signal: the district will be found from the pin when the "
                           "report is sent."),
        "need_title": _("Write a title of at least {n} characters."),
        "need_body": _("Describe what happened in at least {n} characters."),
        "need_place": _("Put the pin on the map or choose a region."),
        "my_reports": _("My reports on this phone"),
        "my_reports_help": _("Reports sent or remembered on this phone. They stay only in "
                             "this browser."),
        "saved_code": _("access code saved on this phone"),
        "place_found_district": _("District: {district}"),
        "photo_file": _("photo"),
        "photo_sending": _("sending…"),
        "photo_sent": _("sent"),
        "photo_refused_general": _("the server did not accept this file"),
        "photo_unreadable_stored": _("this phone could not read the photo back; add it "
                                     "again on the tracking page"),
        "photos_pending": _("photos still being sent"),
        "storage_failed": _("This phone could not keep the report (its storage is full or "
                            "not available). Choose your photos again below, then send: the "
                            "form goes straight to the server."),
        "refused_general": _("The server did not accept this report. Check what you wrote "
                             "and send it again, or send it later."),
        "refused_title": _("Reports that need correcting"),
        "correct": _("Correct"),
        "discard": _("Discard"),
        "discarded": _("The report was discarded from this phone."),
        "in_form": _("in the form below"),
        "push_title": _("Updates on this phone"),
        "push_offer": _("Notify me on this phone"),
        "push_on": _("Done: this phone will get a notification when the status changes."),
        "push_denied": _("Notifications are blocked for this site in your browser settings."),
        "push_failed": _("Notifications could not be turned on. Try again later."),
    }
