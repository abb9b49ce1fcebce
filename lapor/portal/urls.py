"""Citizen pages under "/" (Indonesian paths; names in the "portal" namespace)."""

from django.urls import include, path

from lapor.portal.pwa import shell_page
from lapor.portal.views import (
    account,
    app,
    feed,
    home,
    push,
    regions,
    sop,
    statistics,
    submit,
    track,
)

# The public statistics page (lapor.stats, docs/statistics.md), namespace portal:stats.
stats_patterns = [
    path("", statistics.statistics, name="public"),
    path("<slug:code>/", statistics.statistics, name="public_node"),
    path("semua/<slug:table>/", statistics.table_rows, name="public_rows"),
    path("<slug:code>/semua/<slug:table>/", statistics.table_rows, name="public_node_rows"),
]

app_name = "portal"
urlpatterns = [
    # The citizen app (lapor.portal.pwa): shell pages may be kept by the service worker.
    path("", shell_page(home.home), name="home"),
    path("lapor/", shell_page(submit.report_form), name="report_form"),
    path("luring/", shell_page(app.offline), name="offline"),
    path("manifest.json", app.manifest, name="manifest"),
    path("sw.js", app.service_worker, name="service_worker"),
    path("favicon.ico", app.favicon, name="favicon"),
    path("apple-touch-icon.png", app.apple_touch_icon, name="apple_touch_icon"),
    path("lapor/terkirim/", submit.submitted, name="submitted"),
    path("wilayah/pilihan/", regions.region_options, name="region_options"),
    path("lacak/", track.track_start, name="track_start"),
    # Before the /lacak/<number>/ routes: "berhenti" is not a tracking number.
    path("lacak/berhenti/<str:token>/", push.push_stop, name="push_stop"),
    path("lacak/<str:tracking_number>/", track.track, name="track"),
    path("lacak/<str:tracking_number>/kode/", track.track_code, name="track_code"),
    path("lacak/<str:tracking_number>/pesan/", track.track_message, name="track_message"),
    path("lacak/<str:tracking_number>/tanggapan/", track.track_reply, name="track_reply"),
    path("lacak/<str:tracking_number>/lampiran/", track.track_attach, name="track_attach"),
    path("lacak/<str:tracking_number>/lampiran/<int:attachment_id>/", track.track_download,
         name="track_download"),
    path("lacak/<str:tracking_number>/lupakan/", track.track_forget, name="track_forget"),
    path("lacak/<str:tracking_number>/notifikasi/", push.push_optin, name="push_optin"),
    path("lacak/<str:tracking_number>/notifikasi/berhenti/", push.push_optout,
         name="push_optout"),
    path("laporan/", feed.feed, name="feed"),
    path("laporan/lampiran/<int:attachment_id>/", feed.public_download,
         name="public_download"),
    path("laporan/<str:tracking_number>/", feed.report_page, name="report"),
    path("laporan/<str:tracking_number>/dukung/", feed.report_support, name="support"),
    path("statistik/", include((stats_patterns, "stats"))),
    path("instansi/<slug:code>/sop/", sop.sop_public, name="sop"),
    path("instansi/<slug:code>/sop/<int:version_id>/pdf/", sop.sop_public_pdf, name="sop_pdf"),
    path("akun/daftar/", account.signup, name="signup"),
    path("akun/masuk/", account.signin, name="login"),
    path("akun/keluar/", account.signout, name="logout"),
    path("akun/laporan-saya/", account.my_reports, name="my_reports"),
]
