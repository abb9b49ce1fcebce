"""Trainer pages under /petugas/pelatihan/ (included by lapor.workspace.urls)."""

from django.urls import path

from lapor.training import views

app_name = "training"
urlpatterns = [
    path("", views.index, name="index"),
    path("buat/", views.create, name="create"),
    path("<int:space_id>/", views.space_page, name="space"),
    path("<int:space_id>/akun/", views.account_create, name="account"),
    path("<int:space_id>/ulang/", views.reset, name="reset"),
    path("<int:space_id>/hapus/", views.delete, name="delete"),
]
