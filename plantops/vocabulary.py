"""The closed sets of words the business uses: item types, lot-size rules, statuses.

Shared by every layer (engines included), so it depends on nothing.
"""

from __future__ import annotations

from enum import StrEnum


class ItemType(StrEnum):
    RAW_MATERIAL = "raw_material"
    INTERMEDIATE = "intermediate"
    FINISHED_GOOD = "finished_good"
    PHANTOM = "phantom"
    SERVICE = "service"


class Procurement(StrEnum):
    """How an item is supplied: made in a plant, bought, or transferred from a site."""

    MAKE = "make"
    BUY = "buy"
    TRANSFER = "transfer"


class LotSizeRule(StrEnum):
    LOT_FOR_LOT = "lot_for_lot"
    FIXED_ORDER_QUANTITY = "fixed_order_quantity"
    ECONOMIC_ORDER_QUANTITY = "economic_order_quantity"
    PERIOD_ORDER_QUANTITY = "period_order_quantity"
    WAGNER_WHITIN = "wagner_whitin"


class Tracking(StrEnum):
    NONE = "none"
    LOT = "lot"
    SERIAL = "serial"


class ValuationMethod(StrEnum):
    FIFO = "fifo"
    MOVING_AVERAGE = "moving_average"
    STANDARD = "standard"


class AbcClass(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class UnitDimension(StrEnum):
    COUNT = "count"
    MASS = "mass"
    VOLUME = "volume"
    LENGTH = "length"
    AREA = "area"
    TIME = "time"


class SiteKind(StrEnum):
    PLANT = "plant"
    WAREHOUSE = "warehouse"
    DISTRIBUTION_CENTER = "distribution_center"


class LocationKind(StrEnum):
    STORAGE = "storage"
    RECEIVING = "receiving"
    SHIPPING = "shipping"
    PRODUCTION = "production"
    QUALITY = "quality"


class ShiftKind(StrEnum):
    """A calendar pattern entry: working time, or a break inside it."""

    SHIFT = "shift"
    BREAK = "break"


class OutputKind(StrEnum):
    """A BOM output beside its main product."""

    CO_PRODUCT = "co_product"
    BY_PRODUCT = "by_product"


class ProcessShape(StrEnum):
    """Assembly (many in, one out), modification (one in, one out), separation (one in, many out)."""

    ASSEMBLY = "assembly"
    MODIFICATION = "modification"
    SEPARATION = "separation"


class ProductionType(StrEnum):
    JOB_SHOP = "job_shop"
    BATCH = "batch"
    MASS = "mass"
    CONTINUOUS = "continuous"


class OrderStatus(StrEnum):
    """Life cycle of sales and purchase orders."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class WorkOrderStatus(StrEnum):
    PLANNED = "planned"
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MoveType(StrEnum):
    """Why stock changed. Moves are the only way stock changes."""

    RECEIPT = "receipt"
    ISSUE = "issue"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUSTMENT = "adjustment"
    PRODUCTION_CONSUMPTION = "production_consumption"
    PRODUCTION_OUTPUT = "production_output"
    SCRAP = "scrap"
    RETURN = "return"
    OPENING = "opening"


class ReservationStatus(StrEnum):
    OPEN = "open"
    CONSUMED = "consumed"
    RELEASED = "released"


class CountStatus(StrEnum):
    """A cycle count list is open until its differences are posted."""

    OPEN = "open"
    POSTED = "posted"


class PlannedOrderStatus(StrEnum):
    PLANNED = "planned"
    FIRM = "firm"
    RELEASED = "released"


class PlanExceptionKind(StrEnum):
    """An action or a warning for the planner (Vollmann et al., MRP chapter, "exception messages")."""

    EXPEDITE = "expedite"  # a scheduled receipt is due after it is needed: reschedule it in
    DEFER = "defer"  # a scheduled receipt is due before it is needed: reschedule it out
    CANCEL = "cancel"  # a scheduled receipt is not needed within the horizon
    PAST_DUE = "past_due"  # a planned order should have been released before today / a receipt is overdue
    BELOW_SAFETY_STOCK = "below_safety_stock"  # inside the frozen fence, projected on-hand dips below safety stock
    LATE_DEMAND = "late_demand"  # demand that cannot be met in time (the message says why)
    SLUSHY_FENCE = "slushy_fence"  # a new planned order falls due inside the slushy fence
