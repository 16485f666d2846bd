from django.urls import path

from pawpact.api.v1.pets import views

urlpatterns = [
    path("care/pets/<uuid:uuid>/archive", views.PetArchiveApi.as_view(), name="api_care_pet_archive"),
    path("care/pets/<uuid:uuid>/weights", views.PetWeightApi.as_view(), name="api_care_pet_weights"),
    path("care/pets/<uuid:uuid>/records", views.PetRecordApi.as_view(), name="api_care_pet_records"),
    path("care/pets/<uuid:uuid>/photos", views.PetPhotoApi.as_view(), name="api_care_pet_photos"),
    path("care/adoptions", views.ListingListApi.as_view(), name="api_care_adoption_list"),
    path("care/adoptions/<uuid:uuid>", views.ListingDetailApi.as_view(), name="api_care_adoption_detail"),
    path("care/adoptions/<uuid:uuid>/apply", views.ListingApplyApi.as_view(), name="api_care_adoption_apply"),
    path("care/adoption-applications", views.ApplicationListApi.as_view(), name="api_care_application_list"),
    path("care/adoption-applications/<uuid:uuid>/approve", views.ApplicationApproveApi.as_view(), name="api_care_application_approve"),
    path("care/adoption-applications/<uuid:uuid>/decline", views.ApplicationDeclineApi.as_view(), name="api_care_application_decline"),
    path("care/guarantee-claims", views.ClaimListCreateApi.as_view(), name="api_care_claim_list"),
    path("care/guarantee-claims/<uuid:uuid>", views.ClaimDetailApi.as_view(), name="api_care_claim_detail"),
    path("care/guarantee-claims/<uuid:uuid>/decide", views.ClaimDecideApi.as_view(), name="api_care_claim_decide"),
    path("care/guarantee-claims/<uuid:uuid>/decline", views.ClaimDeclineApi.as_view(), name="api_care_claim_decline"),
]
