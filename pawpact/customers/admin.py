"""Customers and pets in the shop's back office; writes that carry rules go through the services."""
from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from pawpact.core.admin import ShopOnlyAdmin, add_domain_errors
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer, Pet
from pawpact.customers.services import customer_create, customer_validate, customer_verify_id, pet_create, pet_validate


class PetInline(admin.TabularInline):
    model = Pet
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = ["name", "species", "breed", "birthday", "adoption_date"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CustomerAddForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["name", "phone", "birth_date", "user"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                customer_validate(
                    name=cleaned["name"], phone=cleaned["phone"], birth_date=cleaned["birth_date"], clock=default_clock
                )
            except DomainError as error:
                add_domain_errors(self, error)
        return cleaned


class PetAddForm(forms.ModelForm):
    class Meta:
        model = Pet
        fields = ["owner", "name", "species", "breed", "birthday", "adoption_date"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                pet_validate(
                    name=cleaned["name"],
                    species=cleaned["species"],
                    breed=cleaned.get("breed", ""),
                    birthday=cleaned.get("birthday"),
                    adoption_date=cleaned.get("adoption_date"),
                    clock=default_clock,
                )
            except DomainError as error:
                add_domain_errors(self, error)
        return cleaned


@admin.register(Customer)
class CustomerAdmin(ShopOnlyAdmin):
    list_display = ["name", "phone", "birth_date", "id_verification", "created_at"]
    list_filter = ["id_verification"]
    search_fields = ["name", "phone"]
    inlines = [PetInline]
    actions = ["mark_id_verified", "mark_id_rejected"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = CustomerAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["name", "phone", "birth_date", "user"] + (["id_verification", "uuid", "created_at"] if obj else [])

    def get_readonly_fields(self, request, obj=None):
        # The phone is the customer's identity in the shop; verification has its own action.
        return ["phone", "birth_date", "user", "id_verification", "uuid", "created_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        # Validated by CustomerAddForm; the service repeats the checks inside its transaction.
        created = customer_create(
            name=obj.name, phone=obj.phone, birth_date=obj.birth_date, user=form.cleaned_data.get("user")
        )
        obj.pk, obj.uuid, obj.phone = created.pk, created.uuid, created.phone

    @admin.action(description=_("Mark ID as verified"))
    def mark_id_verified(self, request, queryset):
        for customer in queryset:
            customer_verify_id(customer=customer, verified=True)
        self.message_user(request, _("ID marked verified."), messages.SUCCESS)

    @admin.action(description=_("Mark ID as rejected"))
    def mark_id_rejected(self, request, queryset):
        for customer in queryset:
            customer_verify_id(customer=customer, verified=False)
        self.message_user(request, _("ID marked rejected."), messages.WARNING)


@admin.register(Pet)
class PetAdmin(ShopOnlyAdmin):
    list_display = ["name", "species", "breed", "owner", "birthday", "adoption_date"]
    list_filter = ["species"]
    search_fields = ["name", "breed", "owner__name", "owner__phone"]
    autocomplete_fields = ["owner"]
    fields = ["owner", "name", "species", "breed", "birthday", "adoption_date"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PetAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Ownership changes by adoption (signing), not by hand.
        return ["owner", "species"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "breed", "birthday", "adoption_date"])
            return
        created = pet_create(
            owner=obj.owner,
            name=obj.name,
            species=obj.species,
            breed=obj.breed,
            birthday=obj.birthday,
            adoption_date=obj.adoption_date,
        )
        obj.pk, obj.uuid = created.pk, created.uuid
