"""Staff pages of the intake app, included under /petugas/ by lapor.workspace.urls."""

from django.urls import path

from lapor.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.walk_in, name="walk_in"),
]
