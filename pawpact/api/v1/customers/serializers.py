from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.customers.enums import Species
from pawpact.customers.models import Customer, Pet


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["uuid", "name", "phone", "birth_date", "id_verification", "created_at"]


class CustomerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    phone = serializers.CharField(max_length=32)
    birth_date = serializers.DateField()


class CustomerRegisterSerializer(CustomerInputSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(min_length=8, trim_whitespace=False, style={"input_type": "password"})


class CustomerRegisteredSerializer(serializers.Serializer):
    customer = CustomerSerializer()
    token = serializers.CharField()


class PetSerializer(serializers.ModelSerializer):
    owner_uuid = serializers.UUIDField(source="owner.uuid", read_only=True, allow_null=True)

    class Meta:
        model = Pet
        fields = ["uuid", "owner_uuid", "name", "species", "breed", "birthday", "adoption_date", "created_at"]


class PetInputSerializer(serializers.Serializer):
    owner_uuid = serializers.UUIDField(required=False, help_text=_("Staff only; customers add their own pets."))
    name = serializers.CharField(max_length=80)
    species = serializers.ChoiceField(choices=Species.choices)
    breed = serializers.CharField(max_length=80, required=False, default="")
    birthday = serializers.DateField(required=False, allow_null=True, default=None)
    adoption_date = serializers.DateField(required=False, allow_null=True, default=None)
