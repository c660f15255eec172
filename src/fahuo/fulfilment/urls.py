from django.urls import path

from fahuo.fulfilment import views

app_name = "fulfilment"
urlpatterns = [
    path("", views.home, name="home"),
    path("waves/new/", views.wave_new, name="wave_new"),
    path("waves/new/count/", views.wave_count, name="wave_count"),
    path("waves/<int:pk>/", views.wave, name="wave"),
    path("waves/<int:pk>/pick/", views.pick, name="pick"),
    path("waves/<int:pk>/pick/tick/", views.pick_tick, name="pick_tick"),
    path("waves/<int:pk>/docs/", views.doc_request, name="doc_request"),
    path("waves/<int:pk>/ship/", views.ship_wave, name="ship_wave"),
    path("docs/<int:pk>/", views.doc, name="doc"),
    path("docs/<int:pk>/download/", views.doc_download, name="doc_download"),
    path("parcels/<int:pk>/", views.parcel, name="parcel"),
    path("parcels/<int:pk>/carrier/", views.change_carrier, name="change_carrier"),
    path("parcels/<int:pk>/number/", views.parcel_number, name="parcel_number"),
    path("parcels/<int:pk>/ship/", views.ship_parcel, name="ship_parcel"),
    path("scan/", views.scan, name="scan"),
    path("scan/code/", views.scan_code, name="scan_code"),
    path("scan/<int:pk>/number/", views.scan_number, name="scan_number"),
    path("scan/<int:pk>/complete/", views.scan_complete, name="scan_complete"),
    path("scan/<int:pk>/reset/", views.scan_reset, name="scan_reset"),
    path("scan/<int:pk>/split/", views.scan_split, name="scan_split"),
    path("handover/", views.handover_home, name="handover"),
    path("handover/<int:pk>/", views.handover_page, name="handover_page"),
    path("handover/<int:pk>/scan/", views.handover_scan, name="handover_scan"),
    path("handover/<int:pk>/close/", views.handover_close, name="handover_close"),
    path("handover/<int:pk>/print/", views.handover_print, name="handover_print"),
    path("export/", views.export, name="export"),
    path("export/<int:pk>/download/", views.export_download, name="export_download"),
]
