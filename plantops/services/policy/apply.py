"""Apply a policy run: write each line's policy into its item's planning data at its site, in one transaction.

Every line is applied at its own site, into the item-site record (created where the item
has none there; only its policy fields change, its other values stay as they were, so "as
the item" where empty). The item's own parameters are not changed. Applying writes

- the safety stock, always;
- unless lot sizing is left out, the policy, which MRP then carries out at that site
  (:class:`~plantops.vocabulary.ReplenishmentPolicy`): a reorder-point run's (r, Q) as
  ``reorder_point`` with r and Q; a periodic run's (s, S) as ``min_max`` with s and S; a
  base-stock run's level S as ``min_max`` with s = S. Each is reviewed every
  :data:`REVIEW_WEEKS` week, as the methods assume (:mod:`.methods`). A guaranteed-service
  run places safety stock only (a service time is no replenishment policy), and so does a
  run applied without lot sizing: the site keeps whatever policy it has.

Applying refuses a line whose parameters at its site (safety stock, lot-size rule, fixed
order quantity: the site's where set, else the item's) changed since the run was computed
(compute again), and one already applied; any refusal changes nothing.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from plantops.db.catalog import Item, ItemSite
from plantops.db.inventory_policy import PolicyLine, PolicyRun
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.errors import NotFoundError, PlantOpsError, ValidationError
from plantops.vocabulary import PolicyMethod, ReplenishmentPolicy

#: Weeks between reviews of the policies applied: every method computes its policy for a weekly review.
REVIEW_WEEKS = 1
#: The policy each method's lines are applied as (none: safety stock only).
POLICY_OF: dict[PolicyMethod, ReplenishmentPolicy | None] = {
    PolicyMethod.REORDER_POINT: ReplenishmentPolicy.REORDER_POINT,
    PolicyMethod.PERIODIC: ReplenishmentPolicy.MIN_MAX,
    PolicyMethod.BASE_STOCK: ReplenishmentPolicy.MIN_MAX,
    PolicyMethod.GUARANTEED_SERVICE: None,
}
#: An item-site's policy fields, in the order :class:`Change` reports them.
POLICY_FIELDS = ("policy", "reorder_point", "order_quantity", "order_up_to", "review_weeks")


class NoPolicyRunError(PlantOpsError):
    def __init__(self) -> None:
        super().__init__("there are no policies yet: run `plantops policy` first")


@dataclass(frozen=True)
class Change:
    """What applying a line changed at its site: each value before and after.

    ``safety_stock`` before is the effective one (the site's, else the item's); the policy
    fields before are the site's (``None``: no policy, MRP nets against the safety stock).
    ``reorder_point`` is r of (r, Q) or s of (s, S); ``order_quantity`` Q; ``order_up_to`` S.
    """

    item: str
    site: str
    created: bool  # the item had no record at the site: applying made one
    safety_stock: tuple[Decimal, Decimal]
    policy: tuple[ReplenishmentPolicy | None, ReplenishmentPolicy | None]
    reorder_point: tuple[Decimal | None, Decimal | None]
    order_quantity: tuple[Decimal | None, Decimal | None]
    order_up_to: tuple[Decimal | None, Decimal | None]
    review_weeks: tuple[int | None, int | None]


def policy_run(session: Session, number: str | None) -> PolicyRun:
    """The run ``number``, or the newest run."""
    if number is None:
        run = session.scalars(select(PolicyRun).order_by(PolicyRun.id.desc()).limit(1)).first()
        if run is None:
            raise NoPolicyRunError()
        return run
    found = session.scalars(select(PolicyRun).where(PolicyRun.number == number)).first()
    if found is None:
        raise NotFoundError("policy run", number)
    return found


def apply_policies(
    uow: UnitOfWork,
    *,
    items: tuple[str, ...] = (),
    run: str | None = None,
    lot_sizing: bool = True,
    applied_by: str | None = None,
) -> tuple[str, list[Change]]:
    """Write the run's policies (of ``items`` at every site, or every line not applied yet) into
    the item-site records, by item and site.

    Without ``lot_sizing`` only the safety stock is written and each site keeps its policy.
    """

    def work(session: Session) -> tuple[str, list[Change]]:
        chosen = policy_run(session, run)
        rows = session.execute(
            select(PolicyLine, Item, Site.code, ItemSite)
            .join(Item, Item.id == PolicyLine.item_id)
            .join(Site, Site.id == PolicyLine.site_id)
            .outerjoin(ItemSite, and_(ItemSite.item_id == PolicyLine.item_id, ItemSite.site_id == PolicyLine.site_id))
            .where(PolicyLine.run_id == chosen.id)
            .order_by(Item.code, Site.code)
        ).all()
        found = {item.code for _, item, _, _ in rows}
        for code in items:
            if code not in found:
                if session.scalar(select(Item.id).where(Item.code == code)) is None:
                    raise NotFoundError("item", code)
                raise ValidationError(code, "items", f"has no policy in {chosen.number}")
        if items:
            wanted = [row for row in rows if row[1].code in items]
        else:  # everything not applied yet
            wanted = [row for row in rows if row[0].applied_at is None]
        now = dt.datetime.now(dt.UTC)
        who = applied_by or getpass.getuser()
        policy = POLICY_OF[chosen.method] if lot_sizing else None
        changes = [
            _apply(session, chosen, line, item, site, record, policy, now, who) for line, item, site, record in wanted
        ]
        session.flush()
        return chosen.number, changes

    return uow.run(work)


def _apply(
    session: Session,
    run: PolicyRun,
    line: PolicyLine,
    item: Item,
    site: str,
    record: ItemSite | None,
    policy: ReplenishmentPolicy | None,
    now: dt.datetime,
    who: str,
) -> Change:
    if line.applied_at is not None:
        raise ValidationError(
            item.code,
            "item",
            f"the policy of {run.number} at {site} was applied on {line.applied_at:%Y-%m-%d %H:%M} UTC",
        )
    for name, before in (
        ("safety_stock", line.before_safety_stock),
        ("lot_size_rule", line.before_lot_size_rule),
        ("fixed_order_quantity", line.before_fixed_order_quantity),
    ):
        own = getattr(record, name) if record is not None else None
        effective = own if own is not None else getattr(item, name)
        if before != effective:
            raise ValidationError(
                item.code,
                name,
                f"changed at {site} from {before} to {effective} since {run.number} was computed: compute again",
            )
    created = record is None
    if record is None:
        record = ItemSite(item_id=item.id, site_id=line.site_id)
        session.add(record)
    was: dict[str, Any] = {name: getattr(record, name) for name in POLICY_FIELDS}
    record.safety_stock = line.new_safety_stock
    if policy is not None:
        for name, value in _policy_values(run, line, item, site, policy).items():
            setattr(record, name, value)
    line.applied_at, line.applied_by = now, who
    return Change(
        item=item.code,
        site=site,
        created=created,
        safety_stock=(line.before_safety_stock, line.new_safety_stock),
        **{name: (was[name], getattr(record, name)) for name in POLICY_FIELDS},
    )


def _policy_values(
    run: PolicyRun, line: PolicyLine, item: Item, site: str, policy: ReplenishmentPolicy
) -> dict[str, Any]:
    """The item-site's policy fields for the line's policy, as :data:`POLICY_OF` maps the run's method."""
    if run.method is PolicyMethod.REORDER_POINT:
        point, quantity, level = line.reorder_point, line.order_quantity, None
        missing = "order_quantity" if not quantity else "reorder_point" if point is None else None
    elif run.method is PolicyMethod.PERIODIC:
        point, quantity, level = line.reorder_point, None, line.order_up_to
        missing = "order_up_to" if not level else "reorder_point" if point is None else None
    else:  # base stock: order up to S whenever at or below S
        point, quantity, level = line.order_up_to, None, line.order_up_to
        missing = "order_up_to" if not level else None
    if missing is not None:
        raise ValidationError(item.code, missing, f"the policy of {run.number} at {site} has none: compute again")
    return {
        "policy": policy,
        "reorder_point": point,
        "order_quantity": quantity,
        "order_up_to": level,
        "review_weeks": REVIEW_WEEKS,
    }
