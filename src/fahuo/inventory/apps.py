from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "fahuo.inventory"
    label = "inventory"
    verbose_name = "库存 inventory"
