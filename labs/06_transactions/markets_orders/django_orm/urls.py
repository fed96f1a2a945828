from django.urls import path

from markets_orders.django_orm.views import create_order

urlpatterns = [path("orders", create_order, name="orders")]
