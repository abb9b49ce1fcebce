"""Staff pages under /petugas/ (docs/workspace.md has the whole map)."""

from django.urls import include, path, re_path

from lapor.workspace.views import (
    admin,
    auth,
    inbox,
    intake,
    notifications,
    renaksi,
    report,
    search,
    sop_document,
    stats,
    training,
)

# Walk-in/phone desk (lapor.intake), namespace workspace:intake.
intake_patterns = [
    path("", intake.walk_in, name="walk_in"),
]

# Trainer pages of the training sandbox (lapor.training, Bimtek, #12), namespace
# workspace:training.
training_patterns = [
    path("", training.index, name="index"),
    path("buat/", training.create, name="create"),
    path("<int:space_id>/", training.space_page, name="space"),
    path("<int:space_id>/akun/", training.account_create, name="account"),
    path("<int:space_id>/ulang/", training.reset, name="reset"),
    path("<int:space_id>/hapus/", training.delete, name="delete"),
]

# Staff dashboard (lapor.stats, docs/statistics.md), namespace workspace:stats.
stats_patterns = [
    path("", stats.dashboard_index, name="index"),
    path("<slug:code>/", stats.dashboard_page, name="dashboard"),
    path("<slug:code>/semua/<slug:table>/", stats.table_rows, name="rows"),
    re_path(r"^(?P<code>[-\w]+)/tabel\.(?P<fmt>csv|xlsx)$", stats.tables_export,
            name="tables_export"),
    re_path(r"^(?P<code>[-\w]+)/laporan\.(?P<fmt>csv|xlsx)$", stats.list_export,
            name="list_export"),
    re_path(r"^(?P<code>[-\w]+)/bulanan/(?P<month>\d{4}-\d{2})\.pdf$", stats.pdf_export,
            name="pdf"),
]

# Rencana Aksi (lapor.renaksi, docs/renaksi.md "Pages"), namespace workspace:renaksi.
renaksi_patterns = [
    path("", renaksi.index, name="index"),
    path("buat/", renaksi.plan_create, name="plan_create"),
    path("<int:plan_id>/", renaksi.plan_page, name="plan"),
    path("<int:plan_id>/ubah/", renaksi.plan_edit, name="plan_edit"),
    path("<int:plan_id>/kesiapan/", renaksi.matrix, name="matrix"),
    re_path(r"^(?P<plan_id>[0-9]+)/cetak\.(?P<fmt>pdf|xlsx)$", renaksi.plan_print, name="print"),
    path("<int:plan_id>/unit/<slug:code>/", renaksi.unit_page, name="unit"),
    path("<int:plan_id>/kegiatan/baru/", renaksi.activity_create, name="activity_create"),
    path("<int:plan_id>/kegiatan/<int:activity_id>/", renaksi.activity_page, name="activity"),
    path("<int:plan_id>/kegiatan/<int:activity_id>/ubah/", renaksi.activity_edit,
         name="activity_edit"),
    path("<int:plan_id>/kegiatan/<int:activity_id>/hapus/", renaksi.activity_delete,
         name="activity_delete"),
    path("<int:plan_id>/kegiatan/<int:activity_id>/bukti/", renaksi.evidence_add,
         name="evidence_add"),
    path("<int:plan_id>/kegiatan/<int:activity_id>/bukti/<int:evidence_id>/",
         renaksi.evidence_download, name="evidence"),
    path("<int:plan_id>/kegiatan/<int:activity_id>/bukti/<int:evidence_id>/hapus/",
         renaksi.evidence_delete, name="evidence_delete"),
]

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
    path("laporan/<int:report_id>/gabung/", search.merge, name="merge"),
    path("cari/", search.staff_search, name="search"),
    path("laporan/<int:report_id>/<slug:action>/", report.report_action, name="action"),
    path("notifikasi/", notifications.notification_list, name="notifications"),
    path("laporan-langsung/", include((intake_patterns, "intake"))),
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
    path("pelatihan/", include((training_patterns, "training"))),
    path("dasbor/", include((stats_patterns, "stats"))),
    path("renaksi/", include((renaksi_patterns, "renaksi"))),
]
