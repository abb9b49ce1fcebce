from django.urls import path

from lapor.workspace import views

app_name = "workspace"
urlpatterns = [
    path("masuk/", views.login, name="login"),
]
