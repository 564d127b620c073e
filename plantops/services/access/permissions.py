"""Which roles may do what: the permission table, least privilege.

Every endpoint and command that reads or changes data names one :class:`Permission`;
a principal may use it when one of their roles grants it (:func:`allowed`).
"""

from __future__ import annotations

from enum import StrEnum

from plantops.errors import PlantOpsError
from plantops.services.access.principal import Principal
from plantops.vocabulary import Role


class Permission(StrEnum):
    READ = "read"  # master data, orders, stock, plans, schedules, forecasts, policies
    POST_STOCK = "post_stock"  # receive, issue, move, adjust, scrap, produce, reserve, reverse
    TAKE_ORDERS = "take_orders"  # enter and change sales orders
    PLAN = "plan"  # run MRP, firm planned orders
    RELEASE_ORDERS = "release_orders"  # turn planned orders into purchase, work and transfer orders
    SCHEDULE = "schedule"  # run the finite-capacity scheduler
    REPORT_DISRUPTION = "report_disruption"  # a machine down, a rush order: reschedule around it
    FORECAST = "forecast"  # run and adjust demand forecasts
    POLICY = "policy"  # compute and set inventory policies (safety stock, reorder points)
    PURCHASE = "purchase"  # requisitions, RFQs and quotations, purchase orders, supplier invoices
    MANAGE_MASTER_DATA = "manage_master_data"  # import and update items, BOMs, routings, sites, partners
    MANAGE_USERS = "manage_users"  # add users, grant roles, issue tokens and API keys
    READ_AUDIT = "read_audit"  # the audit trail of changes


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.PLANNER: frozenset(
        {
            Permission.READ,
            Permission.TAKE_ORDERS,
            Permission.PLAN,
            Permission.RELEASE_ORDERS,
            Permission.SCHEDULE,
            Permission.REPORT_DISRUPTION,
            Permission.FORECAST,
            Permission.POLICY,
            Permission.MANAGE_MASTER_DATA,
        }
    ),
    Role.BUYER: frozenset({Permission.READ, Permission.RELEASE_ORDERS, Permission.POLICY, Permission.PURCHASE}),
    Role.PRODUCTION: frozenset(
        {Permission.READ, Permission.POST_STOCK, Permission.SCHEDULE, Permission.REPORT_DISRUPTION}
    ),
    Role.QUALITY: frozenset({Permission.READ, Permission.POST_STOCK, Permission.READ_AUDIT}),
    Role.MAINTENANCE: frozenset({Permission.READ, Permission.REPORT_DISRUPTION}),
    Role.OPERATOR: frozenset({Permission.READ, Permission.POST_STOCK}),
    Role.VIEWER: frozenset({Permission.READ}),
}
"""The permissions each role grants."""


def allowed(principal: Principal, permission: Permission) -> bool:
    """Whether one of ``principal``'s roles grants ``permission``."""
    return any(permission in PERMISSIONS[role] for role in principal.roles)


def roles_allowed(permission: Permission) -> frozenset[Role]:
    """The roles that grant ``permission``."""
    return frozenset(role for role, granted in PERMISSIONS.items() if permission in granted)


class PermissionDeniedError(PlantOpsError):
    """The principal's roles do not grant what an action on a record needs."""


def require(principal: Principal, permission: Permission, action: str) -> None:
    """Refuse ``action`` unless one of ``principal``'s roles grants ``permission``."""
    if not allowed(principal, permission):
        raise PermissionDeniedError(
            f"{action} needs the permission {permission.value!r}, which your roles do not grant"
        )
