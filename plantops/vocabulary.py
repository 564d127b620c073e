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


class ReplenishmentPolicy(StrEnum):
    """An inventory policy that MRP carries out at an item-site instead of netting against safety stock.

    ``reorder_point``: (r, Q), whenever the inventory position is at or below r, order
    the smallest multiple of Q that lifts it above r; ``min_max``: (s, S), whenever it is at
    or below s, order up to S. Both are reviewed every ``review_weeks`` buckets.
    """

    REORDER_POINT = "reorder_point"
    MIN_MAX = "min_max"


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
    TRANSIT = "transit"  # goods shipped on a transfer order and not yet received; owned by the receiving site


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


class PurchaseStatus(StrEnum):
    """Life cycle of a purchase order.

    A draft is approved (within the approver's limit), sent to the supplier, confirmed with the
    supplier's date per line, received in parts and in full, and closed; until it is received
    in full it can be cancelled. Every status before ``received`` is supply that MRP counts.
    """

    DRAFT = "draft"
    APPROVED = "approved"
    SENT = "sent"
    CONFIRMED = "confirmed"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


#: Purchase orders still to arrive: MRP counts their open lines as scheduled receipts.
OPEN_PURCHASE_STATUSES = frozenset(
    {
        PurchaseStatus.DRAFT,
        PurchaseStatus.APPROVED,
        PurchaseStatus.SENT,
        PurchaseStatus.CONFIRMED,
        PurchaseStatus.PARTLY_RECEIVED,
    }
)


class RequisitionStatus(StrEnum):
    """A request to buy: open until it is asked for in an RFQ or ordered, or cancelled."""

    OPEN = "open"
    IN_RFQ = "in_rfq"
    ORDERED = "ordered"
    CANCELLED = "cancelled"


class RfqStatus(StrEnum):
    """A request for quotation: open for quotations until it is awarded or cancelled."""

    OPEN = "open"
    AWARDED = "awarded"
    CANCELLED = "cancelled"


class InvoiceStatus(StrEnum):
    """A supplier invoice after the three-way match: blocked while a line does not match."""

    MATCHED = "matched"
    BLOCKED = "blocked"
    APPROVED = "approved"


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


class Role(StrEnum):
    """What a user does in the plant; each role is granted a set of permissions (least privilege)."""

    ADMIN = "admin"
    PLANNER = "planner"
    BUYER = "buyer"
    PRODUCTION = "production"
    QUALITY = "quality"
    MAINTENANCE = "maintenance"
    OPERATOR = "operator"
    VIEWER = "viewer"


class CredentialKind(StrEnum):
    """A bearer token a user signed in for (it expires), or an API key for a machine."""

    TOKEN = "token"
    API_KEY = "api_key"


class AuditAction(StrEnum):
    """What a change did to a record."""

    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


class JobStatus(StrEnum):
    """A background job (a plan, schedule, forecast or policy run) from submission to its end."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ScheduleStatus(StrEnum):
    """What a scheduling run achieved within its time limit."""

    OPTIMAL = "optimal"  # proven best for the objective
    FEASIBLE = "feasible"  # a schedule that keeps every constraint, not proven best
    INFEASIBLE = "infeasible"  # proven that no schedule keeps every constraint
    UNKNOWN = "unknown"  # no schedule found and none ruled out within the time limit


class ScheduleRunKind(StrEnum):
    """A schedule of all the work over a horizon, or the repair of the schedule in force after a disruption."""

    SCHEDULE = "schedule"
    REPAIR = "repair"


class ScheduledOrderSource(StrEnum):
    """Where a scheduled order comes from: a released work order, or a make order of the plan in force."""

    WORK_ORDER = "work_order"
    PLANNED_ORDER = "planned_order"


class DemandClass(StrEnum):
    """Demand pattern by average inter-demand interval (ADI) and squared coefficient of variation of
    the demand sizes (CV²), after Syntetos, Boylan and Croston (2005)."""

    SMOOTH = "smooth"  # ADI < 1.32, CV² < 0.49
    ERRATIC = "erratic"  # ADI < 1.32, CV² >= 0.49
    INTERMITTENT = "intermittent"  # ADI >= 1.32, CV² < 0.49
    LUMPY = "lumpy"  # ADI >= 1.32, CV² >= 0.49


class ForecastMethod(StrEnum):
    """How a series' forecast was made."""

    CROSS_VALIDATED = "cross_validated"  # the model or combination with the best rolling-origin accuracy
    SHORT_HISTORY = "short_history"  # too little history to cross-validate: the mean of what there is
    CONSTANT = "constant"  # the history never changes: it is repeated
    ANALOGY = "analogy"  # a new item: like a similar item, or its family's profile


class XyzClass(StrEnum):
    """Demand variability class by coefficient of variation: X steady, Y varying, Z erratic."""

    X = "X"
    Y = "Y"
    Z = "Z"


class DemandDistribution(StrEnum):
    """The distribution fitted to demand over an interval (a lead time, a review period)."""

    NORMAL = "normal"
    POISSON = "poisson"
    GAMMA = "gamma"


class ServiceMeasure(StrEnum):
    """Cycle service level (type 1: no stockout in a cycle) or fill rate (type 2: share of demand met from stock)."""

    CYCLE_SERVICE_LEVEL = "cycle_service_level"
    FILL_RATE = "fill_rate"


class PolicyMethod(StrEnum):
    """How an inventory policy is computed for an item at a site."""

    REORDER_POINT = "reorder_point"  # continuous review (r, Q) at least cost meeting the service target
    PERIODIC = "periodic"  # periodic review (s, S), Zheng-Federgruen, at least cost meeting the target
    BASE_STOCK = "base_stock"  # order up to S every review period
    GUARANTEED_SERVICE = "guaranteed_service"  # safety stock placed across the supply network (Graves-Willems)


class DemandBasis(StrEnum):
    """Where a policy's mean demand comes from."""

    FORECAST = "forecast"  # the current forecast of the item at the site
    HISTORY = "history"  # the mean of recent sales history
    USERS = "users"  # only the demand of the items made from it or supplied by it


class VariabilityBasis(StrEnum):
    """Where a policy's demand deviation comes from."""

    FORECAST_ERRORS = "forecast_errors"  # forecast against realised sales
    HISTORY = "history"  # the standard deviation of recent sales


class LeadTimeBasis(StrEnum):
    """Where a policy's lead time comes from."""

    PURCHASE_HISTORY = "purchase_history"  # receipts against purchase orders
    SUPPLIER = "supplier"  # the preferred supplier's quoted lead time
    ITEM = "item"  # the item's own lead time (made or transferred)
