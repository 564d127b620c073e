"""What is sent to the supplier: the purchase order as a printable PDF and as a CSV of its lines.

The PDF is drawn with fpdf2 (pure Python, no system fonts: its core Helvetica covers Latin-1,
so texts outside it are written with a replacement character rather than failing); the CSV has
one row per line with the supplier's part code, for import into the supplier's own system.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from fpdf import FPDF
from sqlalchemy import select

from plantops.db.catalog import Item
from plantops.db.procurement import PurchaseOrder, SupplierItem
from plantops.db.session import UnitOfWork
from plantops.services.inventory.ledger import quantity_text
from plantops.services.purchasing.lifecycle import status_text
from plantops.services.purchasing.orders import PurchaseOrderView, order_view

CSV_COLUMNS = (
    "order",
    "revision",
    "line",
    "item",
    "supplier_part_code",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "currency",
    "amount",
    "due_date",
    "confirmed_date",
)


def order_csv(uow: UnitOfWork, number: str) -> str:
    """The order's lines as CSV, one row per line (the supplier confirms by returning dates)."""
    with uow:
        view = order_view(uow.session, number)
        parts = _part_codes(uow, number)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in view.lines:
        writer.writerow(
            [
                view.number,
                view.revision,
                line.line,
                line.item,
                parts.get(line.item, ""),
                line.item_name,
                quantity_text(line.quantity),
                line.unit,
                quantity_text(line.unit_price),
                view.currency,
                _money(line.amount),
                line.due_date.isoformat(),
                line.confirmed_date.isoformat() if line.confirmed_date else "",
            ]
        )
    return out.getvalue()


def order_pdf(uow: UnitOfWork, number: str, *, company: str) -> bytes:
    """The order as a one-or-more-page A4 PDF: header, supplier, lines, total and revision."""
    with uow:
        view = order_view(uow.session, number)
        parts = _part_codes(uow, number)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin(f"Purchase order {view.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for label, value in _header(view, company):
        pdf.cell(40, 6, _latin(label))
        pdf.cell(0, 6, _latin(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (10, 30, 28, 52, 22, 20, 28)
    pdf.set_font("Helvetica", "B", 9)
    for width, title in zip(
        widths, ("Line", "Item", "Your part", "Description", "Quantity", "Price", "Due"), strict=True
    ):
        pdf.cell(width, 7, title, border="B")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for line in view.lines:
        due = line.confirmed_date or line.due_date
        cells = (
            str(line.line),
            line.item,
            parts.get(line.item, ""),
            line.item_name[:34],
            f"{quantity_text(line.quantity)} {line.unit}",
            quantity_text(line.unit_price),
            due.isoformat(),
        )
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 6, _latin(text))
        pdf.ln()
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 8, _latin(f"Total {_money(view.total)} {view.currency}"), align="R", new_x="LMARGIN", new_y="NEXT")
    if view.revisions:
        pdf.set_font("Helvetica", size=9)
        last = view.revisions[-1]
        pdf.cell(
            0,
            6,
            _latin(f"Revision {view.revision}: changed {last.changed_at:%Y-%m-%d} - {last.reason}"),
            new_x="LMARGIN",
        )
    return bytes(pdf.output())


def _header(view: PurchaseOrderView, company: str) -> list[tuple[str, str]]:
    return [
        ("From", company),
        ("To", f"{view.supplier_name} ({view.supplier})"),
        ("Deliver to", f"site {view.site}"),
        ("Order date", view.order_date.isoformat()),
        ("Revision", str(view.revision)),
        ("Status", status_text(view.status)),
        ("Currency", view.currency),
    ]


def _part_codes(uow: UnitOfWork, number: str) -> dict[str, str]:
    """The supplier's own part code per item code of the order's supplier."""
    supplier = select(PurchaseOrder.supplier_id).where(PurchaseOrder.number == number).scalar_subquery()
    rows = uow.session.execute(
        select(Item.code, SupplierItem.supplier_part_code)
        .join(SupplierItem, SupplierItem.item_id == Item.id)
        .where(SupplierItem.supplier_id == supplier)
    )
    return {code: part or "" for code, part in rows}


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):f}"


def _latin(text: str) -> str:
    """Text the PDF's core font can draw (Latin-1; anything else becomes '?')."""
    return text.encode("latin-1", "replace").decode("latin-1")
