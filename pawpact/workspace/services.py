"""Writes of the workspace itself: the shop's profile and its staff (add, role, deactivate).

Each change is logged in WorkspaceEvent with who made it. Rights are checked by the views
(pawpact.workspace.roles); these services keep the rules no role may break: the owner's
account is never demoted or locked out, and nobody changes their own access.
"""
import re

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from pawpact.accounts.models import User
from pawpact.core.errors import Conflict, PermissionDenied, ValidationFailed
from pawpact.tenants.models import Shop
from pawpact.tenants.services import shop_rename
from pawpact.workspace.enums import EventKind, Role
from pawpact.workspace.models import ShopProfile, StaffRole, WorkspaceEvent

# 统一社会信用代码: 18 characters, digits and capitals without I, O, S, V, Z.
LICENCE_NUMBER = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
LOGO_MAX_BYTES = 2 * 1024 * 1024
LICENCE_MAX_BYTES = 5 * 1024 * 1024
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}
PROFILE_TEXT_FIELDS = ("address", "contact_phone", "contact_email", "opening_hours", "licence_number")


def event_log(*, actor: User | None, kind: EventKind, subject: str = "", detail: dict | None = None) -> WorkspaceEvent:
    return WorkspaceEvent.objects.create(actor=actor, kind=kind, subject=subject[:200], detail=detail or {})


def shop_profile_get() -> ShopProfile:
    """The shop's profile row, created empty on first use."""
    row = ShopProfile.objects.filter(pk=1).first()
    if row is None:
        row, _created = ShopProfile.objects.get_or_create(pk=1)
    return row


def _logo_errors(logo: UploadedFile) -> list[str]:
    if logo.size > LOGO_MAX_BYTES:
        return [_("The logo may be at most 2 MB.")]
    try:
        with Image.open(logo) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        return [_("Upload a PNG, JPEG or WebP image.")]
    finally:
        logo.seek(0)
    return [] if kind in LOGO_FORMATS else [_("Upload a PNG, JPEG or WebP image.")]


def _licence_file_errors(upload: UploadedFile) -> list[str]:
    if upload.size > LICENCE_MAX_BYTES:
        return [_("The file may be at most 5 MB.")]
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF") or head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff"):
        return []
    return [_("Upload a PDF, PNG or JPEG file.")]


def shop_profile_errors(values: dict, *, logo: UploadedFile | None, licence_file: UploadedFile | None) -> dict:
    errors: dict[str, list[str]] = {}
    number = values.get("licence_number", "")
    if number and not LICENCE_NUMBER.match(number):
        errors["licence_number"] = [_("The unified social credit code has 18 digits and capital letters.")]
    if logo is not None and (problems := _logo_errors(logo)):
        errors["logo"] = problems
    if licence_file is not None and (problems := _licence_file_errors(licence_file)):
        errors["licence_file"] = problems
    return errors


def shop_profile_update(
    *, shop: Shop, actor: User, name: str, logo: UploadedFile | None = None, licence_file: UploadedFile | None = None,
    logo_clear: bool = False, **values: str,
) -> ShopProfile:  # fmt: skip
    """The shop's name (public row) and profile (this schema) in one transaction."""
    values = {field: (values.get(field) or "").strip() for field in PROFILE_TEXT_FIELDS}
    values["licence_number"] = values["licence_number"].upper()
    errors = shop_profile_errors(values, logo=logo, licence_file=licence_file)
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    with transaction.atomic():
        shop_rename(shop=shop, name=name)
        profile = ShopProfile.objects.select_for_update().get(pk=shop_profile_get().pk)
        for field, value in values.items():
            setattr(profile, field, value)
        if logo_clear:
            profile.logo = ""
        if logo is not None:
            profile.logo.save(f"logo-{timezone.now():%Y%m%d%H%M%S}.{logo.name.rsplit('.', 1)[-1][:5]}", logo, save=False)
        if licence_file is not None:
            suffix = licence_file.name.rsplit(".", 1)[-1][:5]
            profile.licence_file.save(f"licence-{timezone.now():%Y%m%d%H%M%S}.{suffix}", licence_file, save=False)
        profile.updated_at = timezone.now()
        profile.save()
        event_log(actor=actor, kind=EventKind.PROFILE_SAVED, subject=shop.name)
    return profile


# --- Staff ----------------------------------------------------------------------------------

STAFF_ROLES = (Role.MANAGER, Role.CLERK)


def _role_check(role: str) -> Role:
    if role not in STAFF_ROLES:
        raise ValidationFailed(_("Some fields are invalid."), fields={"role": [_("Choose manager or clerk.")]})
    return Role(role)


def _target_check(*, user: User, actor: User) -> None:
    """Nobody changes their own access; the owner's account is not staff anyone manages."""
    if user.pk == actor.pk:
        raise PermissionDenied(_("You cannot change your own access."))
    if user.is_superuser:
        raise PermissionDenied(_("The owner's account cannot be changed here."))


def staff_add(*, email: str, name: str, role: str, actor: User) -> User:
    """A new staff member without a password: they set one from the invitation."""
    role = _role_check(role)
    email = User.objects.normalize_email((email or "").strip()).lower()
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Some fields are invalid."), fields={"name": [_("Enter a name.")]})
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, None, name=name, is_staff=True)
            StaffRole.objects.create(user=user, role=role)
            event_log(actor=actor, kind=EventKind.STAFF_ADDED, subject=email, detail={"role": role})
    except IntegrityError as error:
        raise Conflict(
            _("Someone in this shop already uses this email."), fields={"email": [_("This email is taken.")]}
        ) from error
    return user


def staff_role_change(*, user: User, role: str, actor: User) -> StaffRole:
    role = _role_check(role)
    _target_check(user=user, actor=actor)
    with transaction.atomic():
        row, _created = StaffRole.objects.select_for_update().get_or_create(user=user)
        before = row.role
        row.role, row.updated_at = role, timezone.now()
        row.save(update_fields=["role", "updated_at"])
        event_log(actor=actor, kind=EventKind.STAFF_ROLE_CHANGED, subject=user.email, detail={"from": before, "to": role})
    return row


def staff_active_set(*, user: User, is_active: bool, actor: User) -> User:
    """Deactivate (they can no longer log in; their past work stays theirs) or reactivate."""
    _target_check(user=user, actor=actor)
    if not user.is_staff:
        raise PermissionDenied(_("Only staff accounts are managed here."))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=is_active)
        user.is_active = is_active
        kind = EventKind.STAFF_REACTIVATED if is_active else EventKind.STAFF_DEACTIVATED
        event_log(actor=actor, kind=kind, subject=user.email)
    return user


def staff_invitation_send(*, user: User, shop: Shop, base_url: str) -> None:
    """Email a link to set a password (allauth's reset-from-key page), after the user is saved."""
    key = default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    body = _(
        "You have been added to the workspace of %(shop)s. Set your password here to log in:\n%(url)s"
    ) % {"shop": shop.name, "url": base_url.rstrip("/") + path}
    transaction.on_commit(
        lambda: send_mail(_("Your access to %(shop)s") % {"shop": shop.name}, body, None, [user.email])
    )
