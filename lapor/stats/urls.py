"""Staff dashboard pages, included under /petugas/dasbor/ (namespace workspace:stats)."""

from django.urls import path, re_path

from lapor.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard_index, name="index"),
    path("<slug:code>/", views.dashboard_page, name="dashboard"),
    re_path(r"^(?P<code>[-\w]+)/tabel\.(?P<fmt>csv|xlsx)$", views.tables_export,
            name="tables_export"),
    re_path(r"^(?P<code>[-\w]+)/laporan\.(?P<fmt>csv|xlsx)$", views.list_export,
            name="list_export"),
    re_path(r"^(?P<code>[-\w]+)/bulanan/(?P<month>\d{4}-\d{2})\.pdf$", views.pdf_export,
            name="pdf"),
]
