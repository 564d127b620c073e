"""The exchange format: one sheet per table, in the order they may be loaded.

Every sheet names its rows by business codes (``item``, ``bom``, ``supplier``), never by
database ids, and has a natural key (``key``) that import uses to insert or update.
A ``ref`` column holds the code of a row of another sheet; a :class:`ParentRef` names a
row of a sheet whose key has several columns (a routing step is ``routing, sequence``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from plantops.db.base import Base
from plantops.db.catalog import (
    Bom,
    BomComponent,
    BomOutput,
    Item,
    ItemSite,
    Routing,
    RoutingAlternative,
    RoutingOperation,
    Unit,
    UnitConversion,
)
from plantops.db.inventory import Lot
from plantops.db.procurement import (
    PriceBreak,
    PurchaseApprovalLimit,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierItem,
)
from plantops.db.production import WorkOrder
from plantops.db.sales import Customer, DemandForecast, SalesHistory, SalesOrder, SalesOrderLine
from plantops.db.sites import (
    Calendar,
    CalendarHoliday,
    CalendarShift,
    Location,
    Site,
    WorkCenter,
    WorkCenterDowntime,
)
from plantops.services.master_data.values import (
    BOOLEAN,
    CODE,
    DATE,
    INSTANT,
    INTEGER,
    NUMBER,
    TEXT,
    TIME,
    Kind,
    choice,
)
from plantops.vocabulary import (
    AbcClass,
    ItemType,
    LocationKind,
    LotSizeRule,
    OrderStatus,
    OutputKind,
    Procurement,
    ProductionType,
    PurchaseStatus,
    ReplenishmentPolicy,
    Role,
    ShiftKind,
    SiteKind,
    Tracking,
    UnitDimension,
    ValuationMethod,
    WorkOrderStatus,
)

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class Column:
    """A column of a sheet.

    ``attr`` is the table attribute it fills: by default the column's name, or
    ``<name>_id`` for a ``ref``; ``None`` for a column that only helps name a parent.
    Empty cells take ``default``; ``gt``/``ge``/``lt``/``le`` bound numbers.
    """

    name: str
    kind: Kind
    required: bool = False
    ref: str | None = None
    attr: str | None = ""
    default: Any = None
    gt: Decimal | None = None
    ge: Decimal | None = None
    lt: Decimal | None = None
    le: Decimal | None = None

    @property
    def target(self) -> str | None:
        if self.attr == "":
            return f"{self.name}_id" if self.ref else self.name
        return self.attr


@dataclass(frozen=True)
class ParentRef:
    """``attr`` holds the id of the ``sheet`` row whose key is these ``columns``' values."""

    attr: str
    sheet: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Sheet:
    name: str
    model: type[Base]
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    parent: ParentRef | None = None
    column_index: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_index", {c.name: c for c in self.columns})


def _quantity(name: str, *, required: bool = True, positive: bool = True, default: Any = None) -> Column:
    return Column(
        name, NUMBER, required=required, default=default, gt=ZERO if positive else None, ge=None if positive else ZERO
    )


def _fraction(name: str, default: Decimal, *, below_one: bool = False) -> Column:
    return Column(name, NUMBER, default=default, ge=ZERO, lt=ONE if below_one else None, le=None if below_one else ONE)


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "units",
        Unit,
        ("code",),
        (
            Column("code", CODE, required=True),
            Column("name", TEXT, required=True),
            Column("dimension", choice(UnitDimension), required=True),
            Column("decimals", INTEGER, default=0, ge=ZERO, le=Decimal(6)),
        ),
    ),
    Sheet(
        "sites",
        Site,
        ("code",),
        (
            Column("code", CODE, required=True),
            Column("name", TEXT, required=True),
            Column("kind", choice(SiteKind), required=True),
            Column("time_zone", TEXT, required=True),
        ),
    ),
    Sheet(
        "locations",
        Location,
        ("code",),
        (
            Column("code", CODE, required=True),
            Column("name", TEXT, required=True),
            Column("site", CODE, required=True, ref="sites"),
            Column("kind", choice(LocationKind), required=True),
        ),
    ),
    Sheet(
        "calendars",
        Calendar,
        ("code",),
        (
            Column("code", CODE, required=True),
            Column("name", TEXT, required=True),
        ),
    ),
    Sheet(
        "calendar_shifts",
        CalendarShift,
        ("calendar", "weekday", "kind", "start_time"),
        (
            Column("calendar", CODE, required=True, ref="calendars"),
            Column("weekday", INTEGER, required=True, ge=ZERO, le=Decimal(6)),
            Column("kind", choice(ShiftKind), default=ShiftKind.SHIFT),
            Column("start_time", TIME, required=True),
            Column("end_time", TIME, required=True),
            Column("name", TEXT, default=""),
        ),
    ),
    Sheet(
        "calendar_holidays",
        CalendarHoliday,
        ("calendar", "day"),
        (
            Column("calendar", CODE, required=True, ref="calendars"),
            Column("day", DATE, required=True),
            Column("name", TEXT, default=""),
        ),
    ),
    Sheet(
        "work_centers",
        WorkCenter,
        ("code",),
        (
            Column("code", CODE, required=True),
            Column("name", TEXT, required=True),
            Column("site", CODE, required=True, ref="sites"),
            Column("calendar", CODE, required=True, ref="calendars"),
            Column("parallel_units", INTEGER, default=1, ge=ONE),
            Column("efficiency", NUMBER, default=ONE, gt=ZERO, le=Decimal(5)),
            Column("cost_per_hour", NUMBER, default=ZERO, ge=ZERO),
        ),
    ),
    Sheet(
        "work_center_downtimes",
        WorkCenterDowntime,
        ("work_center", "starts_at"),
        (
            Column("work_center", CODE, required=True, ref="work_centers"),
            Column("starts_at", INSTANT, required=True),
            Column("ends_at", INSTANT, required=True),
            Column("reason", TEXT, default=""),
        ),
    ),
    Sheet(
        "items",
        Item,
        ("code",),
        (
            Column("code", CODE, required=True),
            Column("name", TEXT, required=True),
            Column("item_type", choice(ItemType), required=True),
            Column("unit", CODE, required=True, ref="units"),
            Column("family", CODE),
            Column("procurement", choice(Procurement), required=True),
            Column("transfer_from_site", CODE, ref="sites"),
            Column("lead_time_days", NUMBER, default=ZERO, ge=ZERO),
            Column("lot_size_rule", choice(LotSizeRule), default=LotSizeRule.LOT_FOR_LOT),
            Column("fixed_order_quantity", NUMBER, gt=ZERO),
            Column("order_periods", INTEGER, ge=ONE),
            Column("ordering_cost", NUMBER, ge=ZERO),
            Column("holding_cost_rate", NUMBER, ge=ZERO, le=ONE),
            Column("min_order_quantity", NUMBER, ge=ZERO),
            Column("order_multiple", NUMBER, gt=ZERO),
            Column("max_order_quantity", NUMBER, gt=ZERO),
            Column("safety_stock", NUMBER, default=ZERO, ge=ZERO),
            _fraction("shrinkage", ZERO, below_one=True),
            Column("yield_rate", NUMBER, default=ONE, gt=ZERO, le=ONE),
            Column("standard_cost", NUMBER, default=ZERO, ge=ZERO),
            Column("abc_class", choice(AbcClass)),
            Column("tracking", choice(Tracking), default=Tracking.NONE),
            Column("shelf_life_days", INTEGER, ge=ONE),
            Column("valuation_method", choice(ValuationMethod), default=ValuationMethod.FIFO),
            Column("allow_negative_stock", BOOLEAN, default=False),
            Column("planner_code", CODE),
        ),
    ),
    Sheet(
        "item_sites",
        ItemSite,
        ("item", "site"),
        (
            Column("item", CODE, required=True, ref="items"),
            Column("site", CODE, required=True, ref="sites"),
            Column("procurement", choice(Procurement)),
            Column("transfer_from_site", CODE, ref="sites"),
            Column("lead_time_days", NUMBER, ge=ZERO),
            Column("lot_size_rule", choice(LotSizeRule)),
            Column("fixed_order_quantity", NUMBER, gt=ZERO),
            Column("order_periods", INTEGER, ge=ONE),
            Column("min_order_quantity", NUMBER, ge=ZERO),
            Column("order_multiple", NUMBER, gt=ZERO),
            Column("max_order_quantity", NUMBER, gt=ZERO),
            Column("safety_stock", NUMBER, ge=ZERO),
            Column("policy", choice(ReplenishmentPolicy)),
            Column("reorder_point", NUMBER, ge=ZERO),
            Column("order_quantity", NUMBER, gt=ZERO),
            Column("order_up_to", NUMBER, gt=ZERO),
            Column("review_weeks", INTEGER, ge=ONE),
            Column("planner_code", CODE),
            Column("abc_class", choice(AbcClass)),
        ),
    ),
    Sheet(
        "unit_conversions",
        UnitConversion,
        ("from_unit", "to_unit", "item"),
        (
            Column("from_unit", CODE, required=True, ref="units"),
            Column("to_unit", CODE, required=True, ref="units"),
            Column("item", CODE, ref="items"),
            Column("factor", NUMBER, required=True, gt=ZERO),
        ),
    ),
    Sheet(
        "routings",
        Routing,
        ("code",),
        (
            Column("code", CODE, required=True),
            Column("name", TEXT, required=True),
            Column("production_type", choice(ProductionType), required=True),
        ),
    ),
    Sheet(
        "routing_operations",
        RoutingOperation,
        ("routing", "sequence"),
        (
            Column("routing", CODE, required=True, ref="routings"),
            Column("sequence", INTEGER, required=True, ge=ONE),
            Column("name", TEXT, required=True),
            Column("work_center", CODE, required=True, ref="work_centers"),
            Column("setup_minutes", NUMBER, default=ZERO, ge=ZERO),
            Column("run_minutes", NUMBER, default=ZERO, ge=ZERO),
            Column("batch_size", NUMBER, gt=ZERO),
            Column("transfer_quantity", NUMBER, gt=ZERO),
        ),
    ),
    Sheet(
        "routing_alternatives",
        RoutingAlternative,
        ("routing", "sequence", "work_center"),
        (
            Column("routing", CODE, required=True, attr=None),
            Column("sequence", INTEGER, required=True, attr=None),
            Column("work_center", CODE, required=True, ref="work_centers"),
            Column("setup_minutes", NUMBER, default=ZERO, ge=ZERO),
            Column("run_minutes", NUMBER, default=ZERO, ge=ZERO),
            Column("priority", INTEGER, default=1, ge=ONE),
        ),
        parent=ParentRef("operation_id", "routing_operations", ("routing", "sequence")),
    ),
    Sheet(
        "boms",
        Bom,
        ("code",),
        (
            Column("code", CODE, required=True),
            Column("item", CODE, required=True, ref="items"),
            _quantity("quantity", default=ONE, required=False),
            Column("routing", CODE, ref="routings"),
            Column("priority", INTEGER, default=1, ge=ONE),
            Column("valid_from", DATE),
            Column("valid_to", DATE),
        ),
    ),
    Sheet(
        "bom_components",
        BomComponent,
        ("bom", "line"),
        (
            Column("bom", CODE, required=True, ref="boms"),
            Column("line", INTEGER, required=True, ge=ONE),
            Column("item", CODE, required=True, ref="items"),
            _quantity("quantity"),
            _fraction("scrap_factor", ZERO, below_one=True),
            Column("operation_sequence", INTEGER, ge=ONE),
            Column("alternate_group", CODE),
            Column("priority", INTEGER, default=1, ge=ONE),
            Column("valid_from", DATE),
            Column("valid_to", DATE),
        ),
    ),
    Sheet(
        "bom_outputs",
        BomOutput,
        ("bom", "item"),
        (
            Column("bom", CODE, required=True, ref="boms"),
            Column("item", CODE, required=True, ref="items"),
            Column("kind", choice(OutputKind), required=True),
            _quantity("quantity"),
            _fraction("cost_share", ZERO),
        ),
    ),
    Sheet(
        "suppliers",
        Supplier,
        ("code",),
        (
            Column("code", CODE, required=True),
            Column("name", TEXT, required=True),
            Column("currency", CODE, default="EUR"),
            _fraction("over_receipt_tolerance", ZERO),
            _fraction("price_tolerance", ZERO),
        ),
    ),
    Sheet(
        "supplier_items",
        SupplierItem,
        ("supplier", "item"),
        (
            Column("supplier", CODE, required=True, ref="suppliers"),
            Column("item", CODE, required=True, ref="items"),
            Column("supplier_part_code", CODE),
            Column("lead_time_days", NUMBER, required=True, ge=ZERO),
            Column("min_order_quantity", NUMBER, ge=ZERO),
            Column("order_multiple", NUMBER, gt=ZERO),
            Column("rank", INTEGER, default=1, ge=ONE),
            Column("over_receipt_tolerance", NUMBER, ge=ZERO, le=ONE),
            Column("learned_lead_time", BOOLEAN, default=False),
            Column("quota_share", NUMBER, ge=ZERO, le=ONE),
        ),
    ),
    Sheet(
        "price_breaks",
        PriceBreak,
        ("supplier", "item", "min_quantity"),
        (
            Column("supplier", CODE, required=True, attr=None),
            Column("item", CODE, required=True, attr=None),
            Column("min_quantity", NUMBER, required=True, ge=ZERO),
            Column("unit_price", NUMBER, required=True, ge=ZERO),
        ),
        parent=ParentRef("supplier_item_id", "supplier_items", ("supplier", "item")),
    ),
    Sheet(
        "customers",
        Customer,
        ("code",),
        (
            Column("code", CODE, required=True),
            Column("name", TEXT, required=True),
        ),
    ),
    Sheet(
        "lots",
        Lot,
        ("item", "code"),
        (
            Column("item", CODE, required=True, ref="items"),
            Column("code", CODE, required=True),
            Column("expiry_date", DATE),
        ),
    ),
    Sheet(
        "sales_orders",
        SalesOrder,
        ("number",),
        (
            Column("number", CODE, required=True),
            Column("customer", CODE, required=True, ref="customers"),
            Column("site", CODE, required=True, ref="sites"),
            Column("status", choice(OrderStatus), default=OrderStatus.OPEN),
            Column("order_date", DATE, required=True),
        ),
    ),
    Sheet(
        "sales_order_lines",
        SalesOrderLine,
        ("order", "line"),
        (
            Column("order", CODE, required=True, ref="sales_orders"),
            Column("line", INTEGER, required=True, ge=ONE),
            Column("item", CODE, required=True, ref="items"),
            _quantity("quantity"),
            _quantity("shipped_quantity", required=False, positive=False, default=ZERO),
            Column("due_date", DATE, required=True),
            Column("priority", INTEGER, default=5, ge=ONE),
        ),
    ),
    Sheet(
        "sales_history",
        SalesHistory,
        ("item", "site", "period_start"),
        (
            Column("item", CODE, required=True, ref="items"),
            Column("site", CODE, required=True, ref="sites"),
            Column("period_start", DATE, required=True),
            _quantity("quantity", positive=False),
        ),
    ),
    Sheet(
        "demand_forecasts",
        DemandForecast,
        ("item", "site", "period_start"),
        (
            Column("item", CODE, required=True, ref="items"),
            Column("site", CODE, required=True, ref="sites"),
            Column("period_start", DATE, required=True),
            _quantity("quantity", positive=False),
        ),
    ),
    Sheet(
        "purchase_orders",
        PurchaseOrder,
        ("number",),
        (
            Column("number", CODE, required=True),
            Column("supplier", CODE, required=True, ref="suppliers"),
            Column("site", CODE, required=True, ref="sites"),
            Column("status", choice(PurchaseStatus), default=PurchaseStatus.SENT),
            Column("order_date", DATE, required=True),
            Column("revision", INTEGER, default=1, ge=ONE),
            Column("currency", CODE, default="EUR"),
            Column("created_by", TEXT, default=""),
            Column("approved_by", TEXT),
            Column("planned_order", CODE),
            Column("rfq", CODE),
        ),
    ),
    Sheet(
        "purchase_order_lines",
        PurchaseOrderLine,
        ("order", "line"),
        (
            Column("order", CODE, required=True, ref="purchase_orders"),
            Column("line", INTEGER, required=True, ge=ONE),
            Column("item", CODE, required=True, ref="items"),
            _quantity("quantity"),
            _quantity("received_quantity", required=False, positive=False, default=ZERO),
            Column("unit_price", NUMBER, default=ZERO, ge=ZERO),
            Column("due_date", DATE, required=True),
            Column("confirmed_date", DATE),
            _quantity("invoiced_quantity", required=False, positive=False, default=ZERO),
            _quantity("returned_quantity", required=False, positive=False, default=ZERO),
        ),
    ),
    Sheet(
        "purchase_approval_limits",
        PurchaseApprovalLimit,
        ("role",),
        (
            Column("role", choice(Role), required=True),
            Column("max_amount", NUMBER, required=True, ge=ZERO),
        ),
    ),
    Sheet(
        "work_orders",
        WorkOrder,
        ("number",),
        (
            Column("number", CODE, required=True),
            Column("item", CODE, required=True, ref="items"),
            Column("bom", CODE, ref="boms"),
            Column("site", CODE, required=True, ref="sites"),
            Column("status", choice(WorkOrderStatus), default=WorkOrderStatus.RELEASED),
            _quantity("quantity"),
            _quantity("completed_quantity", required=False, positive=False, default=ZERO),
            Column("start_date", DATE, required=True),
            Column("due_date", DATE, required=True),
        ),
    ),
)

SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}

#: The opening stock sheet: counted quantities that import posts to the stock ledger.
OPENING_STOCK = "opening_stock"
OPENING_STOCK_COLUMNS: tuple[Column, ...] = (
    Column("item", CODE, required=True, ref="items"),
    Column("location", CODE, required=True, ref="locations"),
    Column("lot", CODE),
    _quantity("quantity", positive=False),
    Column("unit_cost", NUMBER, ge=ZERO),
)

SHEET_NAMES: tuple[str, ...] = (*(s.name for s in SHEETS), OPENING_STOCK)
