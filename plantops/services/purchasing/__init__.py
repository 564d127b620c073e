"""Purchasing: purchase orders from draft to closed, receipts against their lines, supplier invoices
matched three ways, and what the receipts teach about each supplier.

Orders are created by hand, from an awarded RFQ or from an MRP planned buy (:mod:`.orders`);
approved within the approver's limit, sent, confirmed, revised after sending and closed
(:mod:`.lifecycle`). Every refusal names the field and the reason, and changes nothing.
"""
