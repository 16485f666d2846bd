from django.urls import path

from pawpact.care import pet_pages
from pawpact.care.booking_urls import urlpatterns as booking_urlpatterns

app_name = "care"

urlpatterns = [
    path("my/pets/", pet_pages.my_pets, name="my_pets"),
    path("my/pets/<uuid:uuid>/", pet_pages.my_pet, name="my_pet"),
    path("my/pets/<uuid:uuid>/health-record.pdf", pet_pages.my_pet_pdf, name="my_pet_pdf"),
    path("my/pets/<uuid:uuid>/share/", pet_pages.my_pet_share, name="my_pet_share"),
    path("my/pets/<uuid:uuid>/claim/", pet_pages.my_pet_claim, name="my_pet_claim"),
    path("my/pets/<uuid:uuid>/photos/<int:photo_id>/", pet_pages.my_pet_photo, name="my_pet_photo"),
    path("health/<str:token>/", pet_pages.shared_health, name="shared_health"),
    path("adopt/", pet_pages.adopt_list, name="adopt_list"),
    path("adopt/<uuid:uuid>/", pet_pages.adopt_detail, name="adopt_detail"),
    path("adopt/photos/<int:photo_id>/", pet_pages.adopt_photo, name="adopt_photo"),
]
# The bookings and complaints pages share the "care" namespace.
urlpatterns += booking_urlpatterns
