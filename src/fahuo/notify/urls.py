from django.urls import path

from fahuo.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("channels/new/", views.channel_create, name="channel_create"),
    path("channels/<int:pk>/", views.channel_save, name="channel_save"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("digest/", views.digest_save, name="digest"),
    path("buyer/<str:order_no>/", views.buyer_page, name="buyer"),
    path("buyer/<str:order_no>/send/", views.buyer_send, name="buyer_send"),
]
