from django.urls import path

from fahuo.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("more/", views.more, name="more"),
    path("more/settings/", views.settings_save, name="settings_save"),
    path("more/tokens/", views.token_create, name="token_create"),
    path("more/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
