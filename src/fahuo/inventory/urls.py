from django.urls import path

from fahuo.inventory import views

app_name = "stock"
urlpatterns = [
    path("", views.stock_list, name="list"),
    path("low/", views.stock_low, name="low"),
    path("import/", views.sku_import, name="import"),
    path("sku/new/", views.sku_edit, name="sku_new"),
    path("sku/<path:code>/edit/", views.sku_edit, name="sku_edit"),
    path("sku/<path:code>/receive/", views.receive, name="receive"),
    path("sku/<path:code>/adjust/", views.adjust, name="adjust"),
    path("sku/<path:code>/stocktake/", views.stocktake, name="stocktake"),
    path("sku/<path:code>/", views.sku_detail, name="sku"),
]
