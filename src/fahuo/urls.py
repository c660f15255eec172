from django.contrib.auth import views as auth_views
from django.urls import include, path

from fahuo.api import api
from fahuo.tracking.urls import pages as tracking_pages

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("fahuo.core.urls")),
    path("orders/", include("fahuo.orders.urls")),
    path("stock/", include("fahuo.inventory.urls")),
    path("ship/", include("fahuo.fulfilment.urls")),
    path("carriers/", include("fahuo.carriers.urls")),
    path("hooks/", include("fahuo.tracking.urls")),
    path("tracking/", include(tracking_pages)),
    path("notify/", include("fahuo.notify.urls")),
]
