from django.urls import path

from fahuo.tracking import views, views_pages

app_name = "tracking"

urlpatterns = [
    path("kuaidi100", views.kuaidi100, name="kuaidi100"),
    path("tracking", views.generic, name="generic"),
]

# the phone pages, under /tracking/ (namespace "track"; see fahuo/urls.py)
pages = ([
    path("exceptions/", views_pages.queue, name="queue"),
    path("exceptions/<int:pk>/", views_pages.case_page, name="case"),
    path("exceptions/<int:pk>/assign/", views_pages.assign, name="assign"),
    path("exceptions/<int:pk>/note/", views_pages.note, name="note"),
    path("exceptions/<int:pk>/contacted/", views_pages.contacted, name="contacted"),
    path("exceptions/<int:pk>/resolve/", views_pages.resolve, name="resolve"),
    path("parcels/<str:number>/", views_pages.parcel_page, name="parcel"),
    path("parcels/<str:number>/report/", views_pages.report, name="report"),
], "track")
