from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who a staff member is in the shop: the owner runs it, a manager runs the floor, a clerk serves customers."""

    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    CLERK = "clerk", _("Clerk")


class Action(StrEnum):
    """What a role may do in the workspace; every view and form names the action it performs."""

    VIEW = "view"
    SIGN = "sign"  # start signings, register customers and pets
    CUSTOMER_EDIT = "customer_edit"
    CONTRACT_ACT = "contract_act"  # terminate, pet loss, cooling-off cancel, deferral, hold, payment method
    COLLECT = "collect"  # call-queue outcomes
    WRITE_OFF = "write_off"
    CREDIT_OVERRIDE = "credit_override"
    PLAN_EDIT = "plan_edit"
    SETTINGS = "settings"
    STAFF = "staff"
    INSIGHTS = "insights"  # the shop's KPIs against its peers
    SUBSCRIPTION = "subscription"  # the shop's own Pawpact subscription and its payment method
    BOOK = "book"  # book services for customers, check in, record no-shows, move and cancel bookings
    COMPLAINT_ACT = "complaint_act"  # answer and resolve complaints
    CARE_EDIT = "care_edit"  # service types, resources, working hours and days off
    MARKETING = "marketing"  # coupons, triggers, segments, campaigns, mall items, stored-value rules and refunds
    WEBHOOKS = "webhooks"  # developers' webhook endpoints, their secrets and the delivery log
    MEMBER_RULES = "member_rules"  # tier rules, member day, multi-pet benefit, paid membership plans
    POINTS_ADJUST = "points_adjust"  # add or take a member's points by hand, with a reason
    CATALOG_EDIT = "catalog_edit"  # the shop's prices, what plan boxes hold; sees costs and margins
    ORDER_REFUND = "order_refund"  # cancel and refund shop orders, decide plan box reships


class EventKind(models.TextChoices):
    """What the workspace's audit trail records."""

    PROFILE_SAVED = "profile_saved", _("Shop profile saved")
    BILLING_SETTINGS_SAVED = "billing_settings_saved", _("Debit and collection rules saved")
    MESSAGING_SETTINGS_SAVED = "messaging_settings_saved", _("Message limits saved")
    STAFF_ADDED = "staff_added", _("Staff member added")
    STAFF_ROLE_CHANGED = "staff_role_changed", _("Role changed")
    STAFF_DEACTIVATED = "staff_deactivated", _("Staff member deactivated")
    STAFF_REACTIVATED = "staff_reactivated", _("Staff member reactivated")
