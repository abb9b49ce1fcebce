"""Staff pages under /petugas/ (docs/workspace.md has the whole map)."""

from django.urls import include, path

from lapor.search import views as search_views
from lapor.workspace.views import admin, auth, inbox, notifications, report, sop_document

app_name = "workspace"
urlpatterns = [
    path("masuk/", auth.login, name="login"),
    path("masuk/autentikator/", auth.enroll, name="enroll"),
    path("keluar/", auth.logout, name="logout"),
    path("", inbox.inbox, name="inbox"),
    path("laporan/<int:report_id>/", report.report_page, name="report"),
    path("laporan/<int:report_id>/lampiran/<int:attachment_id>/", report.attachment_download,
         name="attachment"),
    path("laporan/<int:report_id>/reveal/", report.reveal, name="reveal"),
    # Before <slug:action>: search and duplicates (lapor.search, docs/search.md).
    path("laporan/<int:report_id>/gabung/", search_views.merge, name="merge"),
    path("cari/", search_views.staff_search, name="search"),
    path("laporan/<int:report_id>/<slug:action>/", report.report_action, name="action"),
    path("notifikasi/", notifications.notification_list, name="notifications"),
    path("laporan-langsung/", include("lapor.intake.urls")),  # walk-in/phone (lapor.intake)
    path("notifikasi/dibaca/", notifications.notification_read, name="notification_read"),
    path("admin/", admin.admin_index, name="admin"),
    path("admin/<slug:code>/sop/", admin.sop_page, name="admin_sop"),
    # Before the settings forms: "dokumen" would otherwise match <form_name>.
    path("admin/<slug:code>/sop/dokumen/", sop_document.sop_document_page,
         name="admin_sop_document"),
    path("admin/<slug:code>/sop/dokumen/perbarui/", sop_document.sop_document_refresh,
         name="admin_sop_document_refresh"),
    path("admin/<slug:code>/sop/dokumen/regulasi/", sop_document.sop_document_regulations,
         name="admin_sop_document_regulations"),
    path("admin/<slug:code>/sop/dokumen/<int:version_id>/sahkan/",
         sop_document.sop_document_approve, name="admin_sop_document_approve"),
    path("admin/<slug:code>/sop/dokumen/<int:version_id>/pdf/", sop_document.sop_document_pdf,
         name="admin_sop_document_pdf"),
    path("admin/<slug:code>/sop/<slug:form_name>/", admin.sop_action, name="admin_sop_action"),
    path("admin/<slug:code>/pengguna/", admin.users_page, name="admin_users"),
    path("admin/<slug:code>/pengguna/beri/", admin.role_grant, name="admin_role_grant"),
    path("admin/<slug:code>/pengguna/cabut/", admin.role_revoke, name="admin_role_revoke"),
    path("pelatihan/", include("lapor.training.urls")),  # training sandbox (Bimtek, #12)
    path("dasbor/", include("lapor.stats.urls")),
]
