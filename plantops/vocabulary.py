"""The closed sets of words the business uses: item types, lot-size rules, statuses.

Shared by every layer (engines included), so it depends on nothing.
"""

from __future__ import annotations

from enum import Enum


class ItemType(str, Enum):
    RAW_MATERIAL = "raw_material"
    INTERMEDIATE = "intermediate"
    FINISHED_GOOD = "finished_good"
    PHANTOM = "phantom"
    SERVICE = "service"


class Procurement(str, Enum):
    """How an item is supplied: made in a plant, bought, or transferred from a site."""

    MAKE = "make"
    BUY = "buy"
    TRANSFER = "transfer"


class LotSizeRule(str, Enum):
    LOT_FOR_LOT = "lot_for_lot"
    FIXED_ORDER_QUANTITY = "fixed_order_quantity"
    ECONOMIC_ORDER_QUANTITY = "economic_order_quantity"
    PERIOD_ORDER_QUANTITY = "period_order_quantity"
    WAGNER_WHITIN = "wagner_whitin"


class Tracking(str, Enum):
    NONE = "none"
    LOT = "lot"
    SERIAL = "serial"


class ValuationMethod(str, Enum):
    FIFO = "fifo"
    MOVING_AVERAGE = "moving_average"
    STANDARD = "standard"


class AbcClass(str, Enum):
    A = "A"
    B = "B"
    C = "C"


class UnitDimension(str, Enum):
    COUNT = "count"
    MASS = "mass"
    VOLUME = "volume"
    LENGTH = "length"
    AREA = "area"
    TIME = "time"


class SiteKind(str, Enum):
    PLANT = "plant"
    WAREHOUSE = "warehouse"
    DISTRIBUTION_CENTER = "distribution_center"


class LocationKind(str, Enum):
    STORAGE = "storage"
    RECEIVING = "receiving"
    SHIPPING = "shipping"
    PRODUCTION = "production"
    QUALITY = "quality"


class ShiftKind(str, Enum):
    """A calendar pattern entry: working time, or a break inside it."""

    SHIFT = "shift"
    BREAK = "break"


class OutputKind(str, Enum):
    """A BOM output beside its main product."""

    CO_PRODUCT = "co_product"
    BY_PRODUCT = "by_product"


class ProcessShape(str, Enum):
    """Assembly (many in, one out), modification (one in, one out), separation (one in, many out)."""

    ASSEMBLY = "assembly"
    MODIFICATION = "modification"
    SEPARATION = "separation"


class ProductionType(str, Enum):
    JOB_SHOP = "job_shop"
    BATCH = "batch"
    MASS = "mass"
    CONTINUOUS = "continuous"


class OrderStatus(str, Enum):
    """Life cycle of sales and purchase orders."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class WorkOrderStatus(str, Enum):
    PLANNED = "planned"
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MoveType(str, Enum):
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
