from django.urls import path

from fahuo.tracking import views

app_name = "tracking"

urlpatterns = [
    path("kuaidi100", views.kuaidi100, name="kuaidi100"),
    path("tracking", views.generic, name="generic"),
]
