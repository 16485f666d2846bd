from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.expand import expandable_object
from pawpact.api.fields import MetadataField, MetadataInputField, ObjectField
from pawpact.api.serializers import DEVICE_NAME_HELP, InputSerializer
from pawpact.customers.enums import CustomerStanding, Species
from pawpact.customers.models import Customer, Pet


class CustomerSerializer(serializers.ModelSerializer):
    object = serializers.CharField(default="customer", read_only=True, help_text=_("Always `customer`."))
    metadata = MetadataField()

    class Meta:
        model = Customer
        fields = ["object", "uuid", "name", "phone", "email", "language", "birth_date", "id_verification", "metadata",
                  "created_at"]  # fmt: skip
        extra_kwargs = {
            "email": {"help_text": _("Optional (\"\" for none); one customer per address at the shop.")},
            "language": {"help_text": _("The language messages to the customer are written in; \"\" is the "
                                        "shop's default (Simplified Chinese).")},
        }  # fmt: skip


# What pawpact.customers.services.phone_normalize accepts, without separators: a mainland
# mobile (optionally with 86 or +86) or any number in E.164 form.
PHONE_PATTERN = r"^(?:(?:\+?86)?1[3-9][0-9]{9}|\+[1-9][0-9]{7,14})$"


def phone_field(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(
        PHONE_PATTERN,
        max_length=16,
        error_messages={"invalid": _("Enter a mobile number such as 13800138000 or +85291234567.")},
        help_text=_("Digits only: a mainland mobile (13800138000, 8613800138000 or +8613800138000) or an "
                    "international number in E.164 form (+85291234567)."),
        **kwargs,
    )  # fmt: skip


def email_field(**kwargs) -> serializers.EmailField:
    return serializers.EmailField(
        max_length=254, allow_blank=True,
        help_text=_("Optional; \"\" removes it. Another customer of the shop with it: 409 `email_taken`."), **kwargs,
    )  # fmt: skip


def language_field(**kwargs) -> serializers.ChoiceField:
    kwargs.setdefault("help_text", _("`zh-hans` or `en`: the language of the messages the customer gets; \"\" is "
                                     "the shop's default."))  # fmt: skip
    # The model's choices, so the schema has one enum of message languages, not two.
    return serializers.ChoiceField(choices=settings.LANGUAGES, allow_blank=True, **kwargs)


class CustomerInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=80)
    phone = phone_field()
    email = email_field(required=False)
    language = language_field(required=False)
    birth_date = serializers.DateField(help_text=_("Not in the future (422 `impossible_date`); 18 or older to sign."))
    metadata = MetadataInputField(required=False)


class CustomerRegisterSerializer(CustomerInputSerializer):
    metadata = None  # an account opened by the customer: set by the frontend afterwards, with PATCH
    email = serializers.EmailField()
    language = language_field(
        required=False,
        help_text=_("The language of the customer's messages; left out, the request's Accept-Language decides "
                    "(none: the shop's default)."),
    )  # fmt: skip
    password = serializers.CharField(
        min_length=8, max_length=128, trim_whitespace=False, style={"input_type": "password"},
        help_text=_("At least 8 characters, not all digits, not a common password and not like the name or email "
                    "(422 `password_too_weak` otherwise)."),
    )  # fmt: skip


class RegistrationSerializer(serializers.Serializer):
    object = serializers.CharField(default="registration", help_text=_("Always `registration`."))
    email = serializers.EmailField()
    status = serializers.CharField(
        default="verification_sent",
        help_text=_("Always `verification_sent`, whether or not the email or phone is known here: a new "
                    "address gets a six-digit code by email and a new number another by SMS, valid 30 minutes; "
                    "a known address or number gets a notice to sign in instead."),
    )  # fmt: skip


class RegistrationConfirmSerializer(InputSerializer):
    email = serializers.EmailField()
    code = serializers.RegexField(r"^[0-9]{6}$", help_text=_("The six digits from the email."))
    sms_code = serializers.RegexField(
        r"^[0-9]{6}$",
        help_text=_(
            "The six digits texted to the phone (in test mode: `GET /sandbox/sms?phone=…` with a staff token)."
        ),
    )
    device_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class PetSerializer(serializers.ModelSerializer):
    object = serializers.CharField(default="pet", read_only=True, help_text=_("Always `pet`."))
    owner_uuid = serializers.UUIDField(source="owner.uuid", read_only=True, allow_null=True)
    metadata = MetadataField()

    class Meta:
        model = Pet
        fields = ["object", "uuid", "owner_uuid", "name", "species", "breed", "birthday", "adoption_date", "metadata",
                  "created_at"]  # fmt: skip


class PetInputSerializer(InputSerializer):
    owner_uuid = serializers.UUIDField(required=False, help_text=_("Staff only; customers add their own pets."))
    name = serializers.CharField(max_length=80)
    species = serializers.ChoiceField(choices=Species.choices)
    # "" is "no breed", as on PATCH; no default in the schema, the service fills it in.
    breed = serializers.CharField(max_length=80, required=False, allow_blank=True)
    birthday = serializers.DateField(required=False, allow_null=True, default=None)
    adoption_date = serializers.DateField(required=False, allow_null=True, default=None)
    metadata = MetadataInputField(required=False)


class CustomerUpdateSerializer(InputSerializer):
    """The details to change; the rest stays."""

    min_properties = 1

    name = serializers.CharField(max_length=80, required=False)
    phone = phone_field(required=False)
    email = email_field(required=False)
    language = language_field(required=False)
    birth_date = serializers.DateField(required=False)
    metadata = MetadataInputField(required=False)


class PetUpdateSerializer(InputSerializer):
    """The details to change; the rest stays (the owner does not change here)."""

    min_properties = 1

    name = serializers.CharField(max_length=80, required=False)
    species = serializers.ChoiceField(choices=Species.choices, required=False)
    breed = serializers.CharField(max_length=80, required=False, allow_blank=True)
    birthday = serializers.DateField(required=False, allow_null=True)
    adoption_date = serializers.DateField(required=False, allow_null=True)
    metadata = MetadataInputField(required=False)


class CustomerQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        max_length=80, required=False, trim_whitespace=False,
        help_text=_("Part of the name or of the phone number, or the whole email of the customer or their login."),
    )  # fmt: skip
    standing = serializers.ChoiceField(choices=CustomerStanding.choices, required=False)


class PetQuerySerializer(serializers.Serializer):
    owner_uuid = serializers.UUIDField(required=False, help_text=_("Staff only: one customer's pets."))
    species = serializers.ChoiceField(choices=Species.choices, required=False)


# Other domains expand a contract's customer and pet with these (pawpact.api.expand).
expandable_object("customer", CustomerSerializer)
expandable_object("pet", PetSerializer)


class PhoneCodeRequestSerializer(InputSerializer):
    phone = phone_field()


class PhoneCodeSentSerializer(serializers.Serializer):
    object = ObjectField("phone_code")
    status = serializers.CharField(
        default="sent",
        help_text=_("Always `sent`, whether or not the number is a customer's here; the code is valid "
                               "10 minutes (in test mode: `GET /sandbox/sms?phone=…` with a staff token)."),
    )  # fmt: skip


class PhoneSignInSerializer(InputSerializer):
    phone = phone_field()
    code = serializers.RegexField(r"^[0-9]{6}$", help_text=_("The six digits texted to the phone."))
    name = serializers.CharField(
        max_length=80, required=False,
        help_text=_("To register a number that is new here (422 `registration_details_required` "
                               "without it); ignored for a known customer."),
    )  # fmt: skip
    birth_date = serializers.DateField(required=False, help_text=_("To register, with `name`."))
    language = language_field(required=False)
    device_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True,
                                        help_text=DEVICE_NAME_HELP)  # fmt: skip
