from django.apps import AppConfig


class ListingConfig(AppConfig):
    name = "markets_listing.django_listing"
    label = "listing"
    default_auto_field = "django.db.models.BigAutoField"
