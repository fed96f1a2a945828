from django.apps import AppConfig


class MarketsOrdersConfig(AppConfig):
    name = "markets_orders.django_orm"
    label = "markets_orders"
    default_auto_field = "django.db.models.BigAutoField"
