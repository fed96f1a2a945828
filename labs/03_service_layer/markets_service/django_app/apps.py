from django.apps import AppConfig


class MarketsServiceConfig(AppConfig):
    name = "markets_service.django_app"
    label = "markets_service"
    default_auto_field = "django.db.models.BigAutoField"
