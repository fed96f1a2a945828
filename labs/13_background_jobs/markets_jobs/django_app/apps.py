from django.apps import AppConfig


class MarketsJobsConfig(AppConfig):
    name = "markets_jobs.django_app"
    label = "markets_jobs"
    default_auto_field = "django.db.models.BigAutoField"
