"""Inventory policies per item and site: compute a run (:mod:`.runs`), read and explain it
(:mod:`.queries`), apply it to the planning parameters MRP uses (:mod:`.apply`)."""
