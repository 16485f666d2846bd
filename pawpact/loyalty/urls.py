"""Public pages of loyalty on a shop's domain; included at the root of the tenant URLs."""
from django.urls import path

from pawpact.loyalty import views

urlpatterns = [
    path("survey/<str:token>/", views.survey_page, name="survey_page"),
    path("my/membership/", views.my_membership, name="my_membership"),
]
