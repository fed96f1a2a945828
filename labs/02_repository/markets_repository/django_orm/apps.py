from django.apps import AppConfig


class MarketsRepositoryConfig(AppConfig):
    name = "markets_repository.django_orm"
    label = "markets_repository"
    default_auto_field = "django.db.models.BigAutoField"
