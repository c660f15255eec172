from django.urls import path

from fahuo.carriers import views

app_name = "carriers"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("sender/", views.sender_save, name="sender"),
    path("accounts/<str:code>/", views.account_save, name="account"),
    path("rates/", views.rates_page, name="rates"),
    path("rates/import/", views.rates_import, name="rates_import"),
    path("rates/row/", views.rate_row, name="rate_row"),
    path("rates/sample.csv", views.rates_sample, name="rates_sample"),
    path("rules/", views.rules_page, name="rules"),
    path("pools/", views.pools_page, name="pools"),
    path("try/", views.try_page, name="try"),
    path("try/detect/", views.detect_fragment, name="detect"),
    path("try/recommend/", views.recommend_fragment, name="recommend"),
]
