"""Procurement: from a request to buy to a paid invoice, and what the receipts teach about each supplier.

- :mod:`.requisitions`: requests to buy, by hand or from MRP's planned buys, grouped into proposals;
- :mod:`.rfqs`: requests for quotation, quotations, their comparison and the award;
- :mod:`.orders` and :mod:`.lifecycle`: purchase orders from draft to closed, with approval limits
  and revisions; :mod:`.documents`: the PDF and CSV sent to the supplier;
- :mod:`.receiving`: receipts and returns against order lines, each a stock posting;
- :mod:`.invoices`: supplier invoices matched three ways;
- :mod:`.scorecards`, :mod:`.lead_times` and :mod:`.sourcing_advice`: each supplier's performance,
  the lead times learned from receipts, and how to source an item under supply disruption.

Every refusal names the field and the reason, and changes nothing.
"""
