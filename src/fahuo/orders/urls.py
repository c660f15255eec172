from django.urls import path

from fahuo.orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/", views.new_order, name="new"),
    path("new/parse/", views.parse_receiver, name="parse_receiver"),
    path("new/line/", views.new_line, name="new_line"),
    path("import/", views.import_orders, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("confirm-all/", views.confirm_all, name="confirm_all"),
    path("<str:order_no>/", views.order_detail, name="detail"),
    path("<str:order_no>/receiver/", views.receiver, name="receiver"),
    path("<str:order_no>/confirm/", views.confirm, name="confirm"),
    path("<str:order_no>/hold/", views.hold, name="hold"),
    path("<str:order_no>/release/", views.release, name="release"),
    path("<str:order_no>/cancel/", views.cancel, name="cancel"),
    path("<str:order_no>/reopen/", views.reopen, name="reopen"),
    path("<str:order_no>/merge/", views.merge, name="merge"),
    path("<str:order_no>/unmerge/", views.unmerge, name="unmerge"),
    path("<str:order_no>/split/", views.split, name="split"),
    path("<str:order_no>/map-sku/", views.map_sku, name="map_sku"),
]
