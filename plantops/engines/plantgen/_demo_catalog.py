"""The demo plant's catalog as literal tables: sites, work centers, items, routings, BOMs, supply.

Two plants and a distribution center:

* ``PLANT-BIKE`` (Leipzig, Europe/Berlin) builds city, mountain and kids' bikes: tubes are
  cut (job shop), frames welded (job shop, serial numbers) and powder-coated (batch,
  lot-tracked paint), wheels laced and trued (batch), bikes assembled on a line (mass).
* ``PLANT-DAIRY`` (Cork, Europe/Dublin) runs 24/7: raw milk is separated into cream
  (main product), skim milk (co-product) and separator sludge (by-product), both
  streams are pasteurized (one in, one out) and filled into bottles (assembly).
* ``DC-NORTH`` (Hamburg) sells the city bikes, which it gets by transfer from
  ``PLANT-BIKE``; the plant makes them (their BOM and routing run there).

Numbers are plain floats here; :mod:`plantops.engines.plantgen.demo_plant` turns them
into exact values. Effectivity is given in days after ``as_of``.
"""

from __future__ import annotations

from dataclasses import dataclass

from plantops.vocabulary import (
    AbcClass,
    ItemType,
    LotSizeRule,
    OutputKind,
    Procurement,
    ProductionType,
    ReplenishmentPolicy,
    SiteKind,
    Tracking,
    UnitDimension,
    ValuationMethod,
)

BIKE = "PLANT-BIKE"
DAIRY = "PLANT-DAIRY"
DC = "DC-NORTH"

FG = ItemType.FINISHED_GOOD
INT = ItemType.INTERMEDIATE
RAW = ItemType.RAW_MATERIAL
PHANTOM = ItemType.PHANTOM
SERVICE = ItemType.SERVICE
MAKE = Procurement.MAKE
BUY = Procurement.BUY
TRANSFER = Procurement.TRANSFER
L4L = LotSizeRule.LOT_FOR_LOT
FOQ = LotSizeRule.FIXED_ORDER_QUANTITY
EOQ = LotSizeRule.ECONOMIC_ORDER_QUANTITY
POQ = LotSizeRule.PERIOD_ORDER_QUANTITY
WW = LotSizeRule.WAGNER_WHITIN
A, B, C = AbcClass.A, AbcClass.B, AbcClass.C
LOT = Tracking.LOT
SERIAL = Tracking.SERIAL
STANDARD = ValuationMethod.STANDARD
MOVING = ValuationMethod.MOVING_AVERAGE

# code, name, dimension, decimals
UNITS: tuple[tuple[str, str, UnitDimension, int], ...] = (
    ("pcs", "pieces", UnitDimension.COUNT, 0),
    ("box", "box", UnitDimension.COUNT, 0),
    ("kg", "kilogram", UnitDimension.MASS, 3),
    ("g", "gram", UnitDimension.MASS, 0),
    ("l", "litre", UnitDimension.VOLUME, 3),
    ("ml", "millilitre", UnitDimension.VOLUME, 0),
    ("m", "metre", UnitDimension.LENGTH, 3),
    ("mm", "millimetre", UnitDimension.LENGTH, 0),
)

# from unit, to unit, item (None: any item), factor: 1 from = factor to
UNIT_CONVERSIONS: tuple[tuple[str, str, str | None, float], ...] = (
    ("kg", "g", None, 1000),
    ("l", "ml", None, 1000),
    ("m", "mm", None, 1000),
    ("box", "pcs", "CREAM-BTL-250", 12),
    ("box", "pcs", "SKIM-BTL-1L", 6),
    ("l", "kg", "MILK-RAW", 1.032),
)

# code, name, kind, IANA time zone
SITES: tuple[tuple[str, str, SiteKind, str], ...] = (
    (BIKE, "Bicycle plant Leipzig", SiteKind.PLANT, "Europe/Berlin"),
    (DAIRY, "Dairy plant Cork", SiteKind.PLANT, "Europe/Dublin"),
    (DC, "Distribution center Hamburg", SiteKind.DISTRIBUTION_CENTER, "Europe/Berlin"),
)

# work center code, name, site, calendar, parallel units, efficiency, cost per hour
WORK_CENTERS: tuple[tuple[str, str, str, str, int, float, float], ...] = (
    ("WC-CUT", "Tube cutting and mitering", BIKE, "BIKE-2SHIFT", 1, 1.0, 55.0),
    ("WC-WELD", "Manual welding booths", BIKE, "BIKE-3SHIFT", 3, 1.0, 68.0),
    ("WC-WELD-ROBOT", "Welding robot cell", BIKE, "BIKE-3SHIFT", 1, 1.0, 95.0),
    ("WC-ALIGN", "Frame alignment table", BIKE, "BIKE-2SHIFT", 1, 1.0, 52.0),
    ("WC-PAINT", "Powder coating line", BIKE, "BIKE-2SHIFT", 1, 0.85, 82.0),
    ("WC-OVEN", "Curing oven", BIKE, "BIKE-3SHIFT", 1, 1.0, 40.0),
    ("WC-WHEEL", "Wheel lacing", BIKE, "BIKE-2SHIFT", 2, 1.0, 46.0),
    ("WC-TRUE", "Wheel truing", BIKE, "BIKE-2SHIFT", 1, 0.95, 48.0),
    ("WC-FORK", "Fork assembly", BIKE, "BIKE-2SHIFT", 1, 1.0, 44.0),
    ("WC-ASSY", "Final assembly line", BIKE, "BIKE-2SHIFT", 2, 1.0, 58.0),
    ("WC-QC", "Quality inspection", BIKE, "BIKE-2SHIFT", 1, 1.0, 50.0),
    ("WC-PACK", "Packing", BIKE, "BIKE-2SHIFT", 1, 1.0, 38.0),
    ("WC-RECEPTION", "Milk reception and cooling", DAIRY, "DAIRY-24X7", 2, 1.0, 60.0),
    ("WC-SEPARATOR", "Centrifugal separator", DAIRY, "DAIRY-24X7", 1, 1.0, 120.0),
    ("WC-PASTEUR", "HTST pasteurizer", DAIRY, "DAIRY-24X7", 1, 1.0, 110.0),
    ("WC-FILLER", "Bottle filler A", DAIRY, "DAIRY-24X7", 1, 1.0, 95.0),
    ("WC-FILLER-2", "Bottle filler B (older)", DAIRY, "DAIRY-24X7", 1, 0.8, 85.0),
)


@dataclass(frozen=True)
class ItemSpec:
    """An item and its planning parameters; ``stock`` is its opening stock at its site."""

    code: str
    name: str
    item_type: ItemType
    unit: str
    procurement: Procurement
    family: str | None = None
    site: str = BIKE
    lead_time_days: float = 0.0  # for made items; bought items take their first source's
    price: float = 0.0  # purchase price of a bought item (standard cost of made ones is rolled up)
    lot_size_rule: LotSizeRule = L4L
    fixed_order_quantity: float | None = None
    order_periods: int | None = None
    ordering_cost: float | None = None
    holding_cost_rate: float | None = None
    min_order_quantity: float | None = None
    order_multiple: float | None = None
    max_order_quantity: float | None = None
    safety_stock: float = 0.0
    shrinkage: float = 0.0
    yield_rate: float = 1.0
    abc: AbcClass | None = None
    tracking: Tracking = Tracking.NONE
    shelf_life_days: int | None = None
    valuation: ValuationMethod = ValuationMethod.FIFO
    allow_negative_stock: bool = False
    transfer_from_site: str | None = None
    stock: float = 0.0
    dc_stock: float = 0.0


I = ItemSpec  # noqa: E741 - a short name keeps the table below readable

# fmt: off
ITEMS: tuple[ItemSpec, ...] = (
    # --- bicycles: finished goods (city bikes reach the DC by transfer from the plant: ITEM_SITES)
    I("BIKE-CITY-M", "City bike 28in, frame M", FG, "pcs", MAKE, "BIKE-CITY", lead_time_days=2,
      lot_size_rule=POQ, order_periods=2, safety_stock=12, abc=A, valuation=STANDARD, stock=8, dc_stock=26),
    I("BIKE-CITY-L", "City bike 28in, frame L", FG, "pcs", MAKE, "BIKE-CITY", lead_time_days=2,
      lot_size_rule=POQ, order_periods=2, safety_stock=8, abc=A, valuation=STANDARD, stock=5, dc_stock=17),
    I("BIKE-MTB-29", "Mountain bike 29in hardtail", FG, "pcs", MAKE, "BIKE-MTB", lead_time_days=3,
      safety_stock=6, abc=A, valuation=STANDARD, stock=14),
    I("BIKE-KIDS-20", "Kids bike 20in", FG, "pcs", MAKE, "BIKE-KIDS", lead_time_days=2, lot_size_rule=FOQ,
      fixed_order_quantity=50, safety_stock=5, abc=B, valuation=STANDARD, stock=31),
    # --- spare parts: bought and resold, sold rarely and in lumps
    I("SPARE-HANGER-01", "Derailleur hanger, spare part", FG, "pcs", BUY, "SPARES", price=4.2,
      min_order_quantity=20, abc=C, stock=14),
    I("SPARE-PADS-DISC", "Disc brake pads, spare pair", FG, "pcs", BUY, "SPARES", price=6.9,
      min_order_quantity=50, order_multiple=10, abc=C, stock=60, dc_stock=35),
    # --- frames: welded (job shop) then painted (batch), both serial-numbered
    I("FRAME-CITY-M-P", "City frame M, painted", INT, "pcs", MAKE, "FRAME", lead_time_days=3,
      yield_rate=0.97, abc=A, tracking=SERIAL, valuation=STANDARD, stock=4),
    I("FRAME-CITY-L-P", "City frame L, painted", INT, "pcs", MAKE, "FRAME", lead_time_days=3,
      yield_rate=0.97, abc=A, tracking=SERIAL, valuation=STANDARD, stock=3),
    I("FRAME-MTB-P", "MTB frame 29in, painted", INT, "pcs", MAKE, "FRAME", lead_time_days=3,
      yield_rate=0.97, abc=A, tracking=SERIAL, valuation=STANDARD, stock=2),
    I("FRAME-KIDS-P", "Kids frame 20in, painted", INT, "pcs", MAKE, "FRAME", lead_time_days=3,
      yield_rate=0.98, abc=B, tracking=SERIAL, valuation=STANDARD),
    I("FRAME-CITY-M-W", "City frame M, welded", INT, "pcs", MAKE, "FRAME", lead_time_days=4,
      lot_size_rule=FOQ, fixed_order_quantity=24, abc=A, tracking=SERIAL, valuation=STANDARD, stock=5),
    I("FRAME-CITY-L-W", "City frame L, welded", INT, "pcs", MAKE, "FRAME", lead_time_days=4,
      lot_size_rule=FOQ, fixed_order_quantity=24, abc=A, tracking=SERIAL, valuation=STANDARD),
    I("FRAME-MTB-W", "MTB frame 29in, welded (aluminium)", INT, "pcs", MAKE, "FRAME", lead_time_days=8,
      lot_size_rule=FOQ, fixed_order_quantity=12, abc=A, tracking=SERIAL, valuation=STANDARD, stock=3),
    I("FRAME-KIDS-W", "Kids frame 20in, welded", INT, "pcs", MAKE, "FRAME", lead_time_days=4,
      lot_size_rule=FOQ, fixed_order_quantity=24, abc=B, tracking=SERIAL, valuation=STANDARD),
    I("TUBESET-CITY-M", "Cut tube set, city frame M", INT, "pcs", MAKE, "TUBESET", lead_time_days=1, abc=B,
      valuation=STANDARD, stock=10),
    I("TUBESET-CITY-L", "Cut tube set, city frame L", INT, "pcs", MAKE, "TUBESET", lead_time_days=1, abc=B,
      valuation=STANDARD, stock=6),
    I("TUBESET-MTB", "Cut tube set, MTB frame", INT, "pcs", MAKE, "TUBESET", lead_time_days=1, abc=B,
      valuation=STANDARD),
    I("TUBESET-KIDS", "Cut tube set, kids frame", INT, "pcs", MAKE, "TUBESET", lead_time_days=1, abc=C,
      valuation=STANDARD, stock=12),
    # --- wheels and forks (batch); the front city wheel is also sold as a spare part
    I("WHEEL-28-F", "Front wheel 28in, built", INT, "pcs", MAKE, "WHEEL", lead_time_days=2,
      lot_size_rule=WW, safety_stock=10, yield_rate=0.99, abc=B, valuation=STANDARD, stock=22),
    I("WHEEL-28-R", "Rear wheel 28in, 3-speed hub, built", INT, "pcs", MAKE, "WHEEL", lead_time_days=2,
      lot_size_rule=WW, safety_stock=10, yield_rate=0.99, abc=B, valuation=STANDARD, stock=18),
    I("WHEEL-29-F", "Front wheel 29in boost, built", INT, "pcs", MAKE, "WHEEL", lead_time_days=2,
      lot_size_rule=WW, yield_rate=0.99, abc=B, valuation=STANDARD, stock=9),
    I("WHEEL-29-R", "Rear wheel 29in boost with cassette", INT, "pcs", MAKE, "WHEEL", lead_time_days=2,
      lot_size_rule=WW, yield_rate=0.99, abc=B, valuation=STANDARD, stock=7),
    I("WHEEL-20-F", "Front wheel 20in, built", INT, "pcs", MAKE, "WHEEL", lead_time_days=2,
      lot_size_rule=FOQ, fixed_order_quantity=60, abc=C, valuation=STANDARD, stock=25),
    I("WHEEL-20-R", "Rear wheel 20in, coaster brake", INT, "pcs", MAKE, "WHEEL", lead_time_days=2,
      lot_size_rule=FOQ, fixed_order_quantity=60, abc=C, valuation=STANDARD, stock=21),
    I("FORK-ASSY-CITY", "City fork with headset, assembled", INT, "pcs", MAKE, "FORK", lead_time_days=1,
      lot_size_rule=POQ, order_periods=3, abc=B, valuation=STANDARD, stock=15),
    I("FORK-ASSY-MTB", "Suspension fork with headset, assembled", INT, "pcs", MAKE, "FORK",
      lead_time_days=1, abc=A, valuation=STANDARD, stock=6),
    I("KIT-HW", "Hardware kit (phantom, blown through)", PHANTOM, "pcs", MAKE, "KIT"),
    # --- bought bike materials
    I("TUBE-STEEL-28", "Steel tube 28.6 x 1.0 mm (6 m bars)", RAW, "m", BUY, "TUBE", price=4.8,
      min_order_quantity=60, order_multiple=6, max_order_quantity=1200, safety_stock=30, abc=B, stock=240),
    I("TUBE-STEEL-25", "Steel tube 25.4 x 0.9 mm (6 m bars)", RAW, "m", BUY, "TUBE", price=4.1,
      min_order_quantity=60, order_multiple=6, max_order_quantity=1200, safety_stock=30, abc=B, stock=312),
    I("TUBE-ALU-35", "Aluminium tube 35 x 1.2 mm (6 m bars)", RAW, "m", BUY, "TUBE", price=9.5,
      min_order_quantity=36, order_multiple=6, abc=B, stock=96),
    I("DROPOUT-STEEL", "Dropout pair, steel", RAW, "pcs", BUY, "FRAME-PART", price=3.2, order_multiple=50,
      abc=C, stock=180),
    I("DROPOUT-ALU", "Dropout pair, aluminium, replaceable hanger", RAW, "pcs", BUY, "FRAME-PART",
      price=6.8, order_multiple=25, abc=C, stock=40),
    I("BB-SHELL", "Bottom bracket shell BSA", RAW, "pcs", BUY, "FRAME-PART", price=2.6, order_multiple=100,
      abc=C, stock=260),
    I("PAINT-POWDER-BLUE", "Powder coat, signal blue", RAW, "kg", BUY, "PAINT", price=14.5,
      lot_size_rule=EOQ, ordering_cost=80, holding_cost_rate=0.25, abc=B, tracking=LOT, shelf_life_days=365,
      valuation=MOVING, stock=85),
    I("PAINT-POWDER-BLACK", "Powder coat, matt black", RAW, "kg", BUY, "PAINT", price=13.9,
      lot_size_rule=EOQ, ordering_cost=80, holding_cost_rate=0.25, abc=B, tracking=LOT, shelf_life_days=365,
      valuation=MOVING, stock=40),
    I("RIM-28", "Rim 28in, 36 holes", RAW, "pcs", BUY, "RIM", price=11.4, safety_stock=20, abc=B,
      stock=140),
    I("RIM-29", "Rim 29in boost, 32 holes", RAW, "pcs", BUY, "RIM", price=16.2, abc=B, stock=48),
    I("RIM-20", "Rim 20in, 36 holes", RAW, "pcs", BUY, "RIM", price=7.1, abc=C, stock=90),
    I("HUB-F-36", "Front hub, 36 holes", RAW, "pcs", BUY, "HUB", price=8.5, abc=B, stock=110),
    I("HUB-R-IGH3", "Rear hub, 3-speed internal gear", RAW, "pcs", BUY, "HUB", price=42, lot_size_rule=POQ,
      order_periods=4, abc=A, stock=45),
    I("HUB-F-BOOST", "Front hub boost 15x110, disc", RAW, "pcs", BUY, "HUB", price=18, abc=B, stock=30),
    I("HUB-R-BOOST", "Rear hub boost 12x148, disc", RAW, "pcs", BUY, "HUB", price=24, abc=B, stock=26),
    I("HUB-R-COASTER", "Rear hub with coaster brake", RAW, "pcs", BUY, "HUB", price=14, abc=C, stock=55),
    I("SPOKE-290", "Spoke 2.0 mm x 290 mm", RAW, "pcs", BUY, "SPOKE", price=0.18, lot_size_rule=FOQ,
      fixed_order_quantity=5000, order_multiple=1000, safety_stock=1000, abc=C, stock=7400),
    I("SPOKE-186", "Spoke 2.0 mm x 186 mm", RAW, "pcs", BUY, "SPOKE", price=0.15, lot_size_rule=FOQ,
      fixed_order_quantity=3000, order_multiple=1000, abc=C, stock=3900),
    I("NIPPLE-14G", "Spoke nipple 14G, brass", RAW, "pcs", BUY, "SPOKE", price=0.05, lot_size_rule=FOQ,
      fixed_order_quantity=10000, order_multiple=1000, shrinkage=0.01, abc=C, stock=12500),
    I("TYRE-28-CONTI", "Tyre 28 x 1.6in, brand C", RAW, "pcs", BUY, "TYRE", price=14.9, abc=B, stock=120),
    I("TYRE-28-SCHW", "Tyre 28 x 1.6in, brand S (alternate)", RAW, "pcs", BUY, "TYRE", price=15.6, abc=B,
      stock=64),
    I("TYRE-29-MTB", "Tyre 29 x 2.25in, tubeless", RAW, "pcs", BUY, "TYRE", price=24, abc=B, stock=52),
    I("TYRE-20-KIDS", "Tyre 20 x 1.75in", RAW, "pcs", BUY, "TYRE", price=7.4, abc=C, stock=80),
    I("CHAIN-1S", "Chain single speed 1/2 x 1/8in", RAW, "pcs", BUY, "CHAIN", price=6.2, abc=C, stock=95),
    I("CHAIN-1S-V2", "Chain single speed, rust-proof (replaces CHAIN-1S on city bikes)", RAW, "pcs", BUY,
      "CHAIN", price=7.1, abc=C),
    I("CHAIN-12S", "Chain 12-speed", RAW, "pcs", BUY, "CHAIN", price=21, abc=B, stock=28),
    I("CASSETTE-12S", "Cassette 12-speed 10-51", RAW, "pcs", BUY, "DRIVETRAIN", price=58, abc=A, stock=12),
    I("DERAILLEUR-12S", "Rear derailleur 12-speed", RAW, "pcs", BUY, "DRIVETRAIN", price=49, abc=A,
      stock=10),
    I("SHIFTER-12S", "Trigger shifter 12-speed", RAW, "pcs", BUY, "DRIVETRAIN", price=27, abc=B, stock=11),
    I("SHIFTER-IGH3", "Twist shifter for 3-speed hub", RAW, "pcs", BUY, "DRIVETRAIN", price=9.5, abc=C,
      stock=48),
    I("CRANKSET-170", "Crankset 170 mm", RAW, "pcs", BUY, "DRIVETRAIN", price=23, abc=B, stock=44),
    I("CRANKSET-127", "Crankset 127 mm, kids", RAW, "pcs", BUY, "DRIVETRAIN", price=11, abc=C, stock=40),
    I("PEDAL-PAIR", "Pedals, pair", RAW, "pcs", BUY, "CONTACT", price=5.5, abc=C, stock=150),
    I("SADDLE-COMFORT", "Saddle, comfort", RAW, "pcs", BUY, "CONTACT", price=12, abc=C, stock=60),
    I("SADDLE-SPORT", "Saddle, sport", RAW, "pcs", BUY, "CONTACT", price=16, abc=C, stock=25),
    I("SADDLE-KIDS", "Saddle, kids", RAW, "pcs", BUY, "CONTACT", price=6, abc=C, stock=45),
    I("HANDLEBAR-RISER", "Handlebar, riser", RAW, "pcs", BUY, "CONTACT", price=8, abc=C, stock=70),
    I("HANDLEBAR-FLAT", "Handlebar, flat 760 mm", RAW, "pcs", BUY, "CONTACT", price=14, abc=C, stock=20),
    I("BRAKE-V-SET", "V-brake set, front and rear", RAW, "pcs", BUY, "BRAKE", price=18, abc=B, stock=66),
    I("BRAKE-DISC-SET", "Hydraulic disc brake set", RAW, "pcs", BUY, "BRAKE", price=62, abc=A, stock=16),
    I("FORK-STEEL-28", "Rigid fork 28in, steel", RAW, "pcs", BUY, "FORK", price=19, abc=B, stock=35),
    I("FORK-SUSP-29", "Suspension fork 29in, 120 mm", RAW, "pcs", BUY, "FORK", price=145, lot_size_rule=POQ,
      order_periods=2, abc=A, stock=9),
    I("FORK-KIDS-20", "Rigid fork 20in", RAW, "pcs", BUY, "FORK", price=9, abc=C, stock=38),
    I("HEADSET-118", "Headset 1 1/8in", RAW, "pcs", BUY, "FORK", price=7.5, abc=C, stock=95),
    I("LIGHT-SET", "Dynamo light set", RAW, "pcs", BUY, "ACCESSORY", price=21, abc=B, stock=40),
    I("FENDER-SET-28", "Fenders 28in, pair", RAW, "pcs", BUY, "ACCESSORY", price=9, abc=C, stock=50),
    I("BOLT-M5", "Bolt M5 x 12, stainless", RAW, "pcs", BUY, "HARDWARE", price=0.04, lot_size_rule=FOQ,
      fixed_order_quantity=10000, abc=C, allow_negative_stock=True, stock=8200),
    I("WASHER-M5", "Washer M5", RAW, "pcs", BUY, "HARDWARE", price=0.01, lot_size_rule=FOQ,
      fixed_order_quantity=10000, abc=C, allow_negative_stock=True, stock=9100),
    I("CABLE-TIE", "Cable tie 150 mm", RAW, "pcs", BUY, "HARDWARE", price=0.02, lot_size_rule=FOQ,
      fixed_order_quantity=5000, abc=C, allow_negative_stock=True, stock=4400),
    I("REFLECTOR-SET", "Reflector set", RAW, "pcs", BUY, "HARDWARE", price=1.2, abc=C, stock=260),
    I("BELL", "Bell", RAW, "pcs", BUY, "HARDWARE", price=0.9, abc=C, stock=240),
    I("BOX-BIKE-L", "Bike carton, large", RAW, "pcs", BUY, "PACKAGING", price=3.8, order_multiple=50, abc=C,
      stock=150),
    I("BOX-BIKE-S", "Bike carton, small", RAW, "pcs", BUY, "PACKAGING", price=2.9, order_multiple=50, abc=C,
      stock=100),
    I("SVC-HEAT-TREAT", "Heat treatment of an aluminium frame (outsourced)", SERVICE, "pcs", BUY, "SERVICE",
      price=12),
    # --- dairy: raw milk, the separation's three outputs, pasteurized streams, bottled goods
    I("MILK-RAW", "Raw milk", RAW, "l", BUY, "MILK", site=DAIRY, price=0.45, shrinkage=0.005, abc=A,
      tracking=LOT, shelf_life_days=3, valuation=MOVING, stock=42000),
    I("CREAM-RAW", "Cream 40% fat, unpasteurized", INT, "l", MAKE, "CREAM", site=DAIRY, lead_time_days=0.25,
      abc=A, tracking=LOT, shelf_life_days=3, valuation=MOVING, stock=1800),
    I("SKIM-RAW", "Skim milk, unpasteurized (co-product)", INT, "l", MAKE, "SKIM", site=DAIRY,
      lead_time_days=0.25, abc=B, tracking=LOT, shelf_life_days=3, valuation=MOVING, stock=9500),
    I("SEP-SLUDGE", "Separator sludge (by-product, to biogas)", INT, "kg", MAKE, "WASTE", site=DAIRY, abc=C,
      allow_negative_stock=True),
    I("CREAM-PAST", "Cream 40%, pasteurized", INT, "l", MAKE, "CREAM", site=DAIRY, lead_time_days=0.25,
      yield_rate=0.995, abc=A, tracking=LOT, shelf_life_days=5, valuation=MOVING, stock=1200),
    I("SKIM-PAST", "Skim milk, pasteurized (also sold in bulk)", INT, "l", MAKE, "SKIM", site=DAIRY,
      lead_time_days=0.25, yield_rate=0.995, abc=A, tracking=LOT, shelf_life_days=7, valuation=MOVING,
      stock=16000),
    I("CREAM-BTL-250", "Cream 40%, bottle 250 ml", FG, "pcs", MAKE, "CREAM", site=DAIRY, lead_time_days=1,
      lot_size_rule=FOQ, fixed_order_quantity=6000, min_order_quantity=1200, order_multiple=12,
      safety_stock=1500, abc=A, tracking=LOT, shelf_life_days=21, valuation=STANDARD, stock=5400),
    I("SKIM-BTL-1L", "Skim milk, bottle 1 l", FG, "pcs", MAKE, "SKIM", site=DAIRY, lead_time_days=1,
      lot_size_rule=POQ, order_periods=1, order_multiple=6, safety_stock=2000, abc=A, tracking=LOT,
      shelf_life_days=10, valuation=STANDARD, stock=7800),
    I("BOTTLE-250", "PET bottle 250 ml", RAW, "pcs", BUY, "PACKAGING", site=DAIRY, price=0.09,
      lot_size_rule=FOQ, fixed_order_quantity=48000, order_multiple=4000, abc=C, stock=61000),
    I("BOTTLE-1L", "PET bottle 1 l", RAW, "pcs", BUY, "PACKAGING", site=DAIRY, price=0.14,
      lot_size_rule=FOQ, fixed_order_quantity=36000, order_multiple=3000, abc=C, stock=52000),
    I("CAP-38", "Screw cap 38 mm", RAW, "pcs", BUY, "PACKAGING", site=DAIRY, price=0.02, lot_size_rule=EOQ,
      ordering_cost=45, holding_cost_rate=0.2, abc=C, stock=140000),
    I("LABEL-CREAM", "Label, cream bottle", RAW, "pcs", BUY, "PACKAGING", site=DAIRY, price=0.01,
      min_order_quantity=20000, max_order_quantity=200000, abc=C, stock=90000),
    I("LABEL-SKIM", "Label, skim milk bottle", RAW, "pcs", BUY, "PACKAGING", site=DAIRY, price=0.01,
      min_order_quantity=20000, max_order_quantity=200000, abc=C, stock=84000),
)
# fmt: on


del I

#: How items are planned per site where it differs from the item (the ``item_sites`` sheet): city
#: bikes are made at the bicycle plant, which keeps a small safety stock, and transferred to the DC,
#: which keeps the item's; the DC replenishes its brake pads from the plant by a min-max policy
#: (order up to 60 when the position falls to 30); the dairy's bottled products are made at the dairy.
ITEM_SITES: tuple[dict[str, object], ...] = (
    {"item": "BIKE-CITY-M", "site": BIKE, "procurement": MAKE, "safety_stock": 4, "planner_code": "BIKES"},
    {"item": "BIKE-CITY-M", "site": DC, "procurement": TRANSFER, "transfer_from_site": BIKE, "lead_time_days": 1,
     "lot_size_rule": L4L, "planner_code": "DC-NORTH", "abc_class": A},
    {"item": "BIKE-CITY-L", "site": BIKE, "procurement": MAKE, "safety_stock": 3, "planner_code": "BIKES"},
    {"item": "BIKE-CITY-L", "site": DC, "procurement": TRANSFER, "transfer_from_site": BIKE, "lead_time_days": 1,
     "lot_size_rule": L4L, "planner_code": "DC-NORTH", "abc_class": A},
    {"item": "SPARE-PADS-DISC", "site": DC, "procurement": TRANSFER, "transfer_from_site": BIKE,
     "lead_time_days": 1, "min_order_quantity": 0, "order_multiple": 1, "policy": ReplenishmentPolicy.MIN_MAX,
     "reorder_point": 30, "order_up_to": 60,
     "review_weeks": 1, "planner_code": "DC-NORTH", "abc_class": B},
    {"item": "CREAM-BTL-250", "site": DAIRY, "procurement": MAKE, "planner_code": "DAIRY"},
    {"item": "SKIM-BTL-1L", "site": DAIRY, "procurement": MAKE, "planner_code": "DAIRY"},
)  # fmt: skip


@dataclass(frozen=True)
class Alternative:
    work_center: str
    setup_minutes: float
    run_minutes: float
    priority: int = 1


@dataclass(frozen=True)
class Operation:
    sequence: int
    name: str
    work_center: str
    setup_minutes: float
    run_minutes: float
    batch_size: float | None = None
    transfer_quantity: float | None = None
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class RoutingSpec:
    """A routing; ``costing_lot`` is how many units share a setup in the standard cost
    (where an operation has no ``batch_size``)."""

    code: str
    name: str
    production_type: ProductionType
    operations: tuple[Operation, ...]
    costing_lot: float = 50.0


# fmt: off
ROUTINGS: tuple[RoutingSpec, ...] = (
    RoutingSpec("RT-TUBESET", "Cut and miter a tube set", ProductionType.JOB_SHOP, (
        Operation(10, "Cut and miter tubes", "WC-CUT", 20, 6),
    )),
    RoutingSpec("RT-FRAME-STEEL", "Weld a steel frame", ProductionType.JOB_SHOP, (
        Operation(10, "Tack and weld frame", "WC-WELD", 15, 45, alternatives=(Alternative("WC-WELD-ROBOT", 60, 18),)),
        Operation(20, "Align frame", "WC-ALIGN", 5, 8),
        Operation(30, "Inspect welds", "WC-QC", 0, 5),
    ), costing_lot=24),
    RoutingSpec("RT-FRAME-ALU", "Weld and heat-treat an aluminium frame", ProductionType.JOB_SHOP, (
        Operation(10, "TIG-weld frame", "WC-WELD", 20, 70, alternatives=(Alternative("WC-WELD-ROBOT", 90, 25),)),
        Operation(20, "Align after outsourced heat treatment", "WC-ALIGN", 5, 12),
        Operation(30, "Inspect welds", "WC-QC", 0, 6),
    ), costing_lot=12),
    RoutingSpec("RT-PAINT", "Powder-coat a frame", ProductionType.BATCH, (
        Operation(10, "Pretreat and powder-coat", "WC-PAINT", 45, 6, batch_size=24, transfer_quantity=24),
        Operation(20, "Cure", "WC-OVEN", 10, 1.5, batch_size=48),
    )),
    RoutingSpec("RT-WHEEL", "Build a wheel", ProductionType.BATCH, (
        Operation(10, "Lace wheel", "WC-WHEEL", 10, 9, batch_size=30, transfer_quantity=10),
        Operation(20, "True and tension, fit cassette", "WC-TRUE", 5, 6, transfer_quantity=10),
    )),
    RoutingSpec("RT-FORK", "Assemble a fork", ProductionType.BATCH, (
        Operation(10, "Press crown race, cut steerer, fit headset", "WC-FORK", 15, 4, batch_size=40),
    )),
    RoutingSpec("RT-BIKE-CITY", "Assemble a city bike", ProductionType.MASS, (
        Operation(10, "Final assembly", "WC-ASSY", 30, 28, transfer_quantity=1),
        Operation(20, "Final inspection and test ride", "WC-QC", 0, 6, transfer_quantity=1),
        Operation(30, "Pack", "WC-PACK", 0, 5, transfer_quantity=1),
    )),
    RoutingSpec("RT-BIKE-MTB", "Assemble a mountain bike", ProductionType.MASS, (
        Operation(10, "Final assembly", "WC-ASSY", 30, 36, transfer_quantity=1),
        Operation(20, "Bleed brakes, tune, inspect", "WC-QC", 0, 10, transfer_quantity=1),
        Operation(30, "Pack", "WC-PACK", 0, 5, transfer_quantity=1),
    )),
    RoutingSpec("RT-BIKE-KIDS", "Assemble a kids bike", ProductionType.MASS, (
        Operation(10, "Final assembly", "WC-ASSY", 20, 19, transfer_quantity=1),
        Operation(20, "Final inspection", "WC-QC", 0, 4, transfer_quantity=1),
        Operation(30, "Pack", "WC-PACK", 0, 4, transfer_quantity=1),
    )),
    # dairy: run minutes per litre (or bottle) of the main product
    RoutingSpec("RT-SEPARATE", "Receive and separate raw milk", ProductionType.CONTINUOUS, (
        Operation(10, "Receive, test and cool milk", "WC-RECEPTION", 15, 0.02, batch_size=5000),
        Operation(20, "Separate at 50 C", "WC-SEPARATOR", 20, 0.03, batch_size=5000),
    )),
    RoutingSpec("RT-PASTEURIZE", "Pasteurize (HTST 72 C, 15 s)", ProductionType.CONTINUOUS, (
        Operation(10, "Pasteurize and cool", "WC-PASTEUR", 30, 0.006, batch_size=20000),
    )),
    RoutingSpec("RT-FILL-CREAM", "Fill cream into 250 ml bottles", ProductionType.MASS, (
        Operation(10, "Fill, cap and label", "WC-FILLER", 25, 0.005, transfer_quantity=1200,
                  alternatives=(Alternative("WC-FILLER-2", 40, 0.008),)),
    ), costing_lot=6000),
    RoutingSpec("RT-FILL-SKIM", "Fill skim milk into 1 l bottles", ProductionType.MASS, (
        Operation(10, "Fill, cap and label", "WC-FILLER", 25, 0.0075, transfer_quantity=600,
                  alternatives=(Alternative("WC-FILLER-2", 40, 0.01),)),
    ), costing_lot=6000),
)
# fmt: on


@dataclass(frozen=True)
class Line:
    """A BOM input; ``from_day``/``to_day`` are effectivity in days after ``as_of``."""

    item: str
    quantity: float
    operation: int | None = 10
    scrap: float = 0.0
    group: str | None = None
    priority: int = 1
    from_day: int | None = None
    to_day: int | None = None


@dataclass(frozen=True)
class Output:
    item: str
    kind: OutputKind
    quantity: float
    cost_share: float


@dataclass(frozen=True)
class BomSpec:
    code: str
    item: str
    routing: str | None
    lines: tuple[Line, ...]
    quantity: float = 1.0
    outputs: tuple[Output, ...] = ()


#: The day city bikes switch to the rust-proof chain (an engineering change).
CHAIN_SWITCH_DAY = 42


# fmt: off
def _city_bike(size: str) -> BomSpec:
    return BomSpec(f"BOM-BIKE-CITY-{size}", f"BIKE-CITY-{size}", "RT-BIKE-CITY", (
        Line(f"FRAME-CITY-{size}-P", 1),
        Line("FORK-ASSY-CITY", 1),
        Line("WHEEL-28-F", 1),
        Line("WHEEL-28-R", 1),
        Line("TYRE-28-CONTI", 2, group="TYRE-28", priority=1),  # two brands replace each other
        Line("TYRE-28-SCHW", 2, group="TYRE-28", priority=2),
        Line("CHAIN-1S", 1, to_day=CHAIN_SWITCH_DAY),  # engineering change: old chain out ...
        Line("CHAIN-1S-V2", 1, from_day=CHAIN_SWITCH_DAY),  # ... new chain in, the same day
        Line("CRANKSET-170", 1),
        Line("PEDAL-PAIR", 1),
        Line("SHIFTER-IGH3", 1),
        Line("BRAKE-V-SET", 1),
        Line("HANDLEBAR-RISER", 1),
        Line("SADDLE-COMFORT", 1),
        Line("LIGHT-SET", 1),
        Line("FENDER-SET-28", 1),
        Line("KIT-HW", 1),
        Line("BOX-BIKE-L", 1, operation=30),
    ))


def _frame(code: str, tubeset: str, dropout: str, paint: str, paint_kg: float, routing: str) -> tuple[BomSpec, ...]:
    """The welded frame's BOM and the painted frame's BOM (welded frame + powder)."""
    welded: tuple[Line, ...] = (Line(tubeset, 1), Line(dropout, 1), Line("BB-SHELL", 1))
    if routing == "RT-FRAME-ALU":
        welded += (Line("SVC-HEAT-TREAT", 1, operation=20),)
    return (
        BomSpec(f"BOM-{code}-W", f"{code}-W", routing, welded),
        BomSpec(f"BOM-{code}-P", f"{code}-P", "RT-PAINT", (Line(f"{code}-W", 1), Line(paint, paint_kg, scrap=0.08))),
    )


def _tubeset(code: str, *tubes: tuple[str, float]) -> BomSpec:
    return BomSpec(f"BOM-{code}", code, "RT-TUBESET", tuple(Line(tube, metres, scrap=0.03) for tube, metres in tubes))


def _wheel(code: str, rim: str, hub: str, spoke: str, holes: int, *extra: Line) -> BomSpec:
    return BomSpec(f"BOM-{code}", code, "RT-WHEEL", (
        Line(rim, 1),
        Line(hub, 1),
        Line(spoke, holes, scrap=0.01),
        Line("NIPPLE-14G", holes, scrap=0.02),
        *extra,
    ))


BOMS: tuple[BomSpec, ...] = (
    _city_bike("M"),
    _city_bike("L"),
    BomSpec("BOM-BIKE-MTB-29", "BIKE-MTB-29", "RT-BIKE-MTB", (
        Line("FRAME-MTB-P", 1),
        Line("FORK-ASSY-MTB", 1),
        Line("WHEEL-29-F", 1),
        Line("WHEEL-29-R", 1),
        Line("TYRE-29-MTB", 2),
        Line("CHAIN-12S", 1),
        Line("CRANKSET-170", 1),
        Line("PEDAL-PAIR", 1),
        Line("DERAILLEUR-12S", 1),
        Line("SHIFTER-12S", 1),
        Line("BRAKE-DISC-SET", 1, operation=20),
        Line("HANDLEBAR-FLAT", 1),
        Line("SADDLE-SPORT", 1),
        Line("KIT-HW", 1),
        Line("BOX-BIKE-L", 1, operation=30),
    )),
    BomSpec("BOM-BIKE-KIDS-20", "BIKE-KIDS-20", "RT-BIKE-KIDS", (
        Line("FRAME-KIDS-P", 1),
        Line("FORK-KIDS-20", 1),
        Line("HEADSET-118", 1),
        Line("WHEEL-20-F", 1),
        Line("WHEEL-20-R", 1),
        Line("TYRE-20-KIDS", 2),
        Line("CHAIN-1S", 1),
        Line("CRANKSET-127", 1),
        Line("PEDAL-PAIR", 1),
        Line("BRAKE-V-SET", 1),
        Line("HANDLEBAR-RISER", 1),
        Line("SADDLE-KIDS", 1),
        Line("KIT-HW", 1),
        Line("BOX-BIKE-S", 1, operation=30),
    )),
    *_frame("FRAME-CITY-M", "TUBESET-CITY-M", "DROPOUT-STEEL", "PAINT-POWDER-BLUE", 0.35, "RT-FRAME-STEEL"),
    *_frame("FRAME-CITY-L", "TUBESET-CITY-L", "DROPOUT-STEEL", "PAINT-POWDER-BLUE", 0.38, "RT-FRAME-STEEL"),
    *_frame("FRAME-MTB", "TUBESET-MTB", "DROPOUT-ALU", "PAINT-POWDER-BLACK", 0.32, "RT-FRAME-ALU"),
    *_frame("FRAME-KIDS", "TUBESET-KIDS", "DROPOUT-STEEL", "PAINT-POWDER-BLUE", 0.22, "RT-FRAME-STEEL"),
    _tubeset("TUBESET-CITY-M", ("TUBE-STEEL-28", 1.9), ("TUBE-STEEL-25", 1.6)),
    _tubeset("TUBESET-CITY-L", ("TUBE-STEEL-28", 2.05), ("TUBE-STEEL-25", 1.7)),
    _tubeset("TUBESET-MTB", ("TUBE-ALU-35", 2.2)),
    _tubeset("TUBESET-KIDS", ("TUBE-STEEL-25", 2.1)),
    _wheel("WHEEL-28-F", "RIM-28", "HUB-F-36", "SPOKE-290", 36),
    _wheel("WHEEL-28-R", "RIM-28", "HUB-R-IGH3", "SPOKE-290", 36),
    _wheel("WHEEL-29-F", "RIM-29", "HUB-F-BOOST", "SPOKE-290", 32),
    _wheel("WHEEL-29-R", "RIM-29", "HUB-R-BOOST", "SPOKE-290", 32, Line("CASSETTE-12S", 1, operation=20)),
    _wheel("WHEEL-20-F", "RIM-20", "HUB-F-36", "SPOKE-186", 36),
    _wheel("WHEEL-20-R", "RIM-20", "HUB-R-COASTER", "SPOKE-186", 36),
    BomSpec("BOM-FORK-ASSY-CITY", "FORK-ASSY-CITY", "RT-FORK", (Line("FORK-STEEL-28", 1), Line("HEADSET-118", 1))),
    BomSpec("BOM-FORK-ASSY-MTB", "FORK-ASSY-MTB", "RT-FORK", (Line("FORK-SUSP-29", 1), Line("HEADSET-118", 1))),
    # a phantom: never stocked, its parts go straight into the bike that uses it
    BomSpec("BOM-KIT-HW", "KIT-HW", None, (
        Line("BOLT-M5", 12, operation=None, scrap=0.02),
        Line("WASHER-M5", 12, operation=None, scrap=0.02),
        Line("CABLE-TIE", 8, operation=None),
        Line("REFLECTOR-SET", 1, operation=None),
        Line("BELL", 1, operation=None),
    )),
    # separation: 100 l raw milk -> 10 l cream (main), 89.5 l skim milk (co), 0.1 kg sludge (by)
    BomSpec("BOM-SEPARATE", "CREAM-RAW", "RT-SEPARATE", (Line("MILK-RAW", 100),), quantity=10, outputs=(
        Output("SKIM-RAW", OutputKind.CO_PRODUCT, 89.5, 0.42),
        Output("SEP-SLUDGE", OutputKind.BY_PRODUCT, 0.1, 0.0),
    )),
    # modifications: one in, one out (a little is lost in the pipes)
    BomSpec("BOM-PAST-CREAM", "CREAM-PAST", "RT-PASTEURIZE", (Line("CREAM-RAW", 1004),), quantity=1000),
    BomSpec("BOM-PAST-SKIM", "SKIM-PAST", "RT-PASTEURIZE", (Line("SKIM-RAW", 1003),), quantity=1000),
    # assemblies: liquid + bottle + cap + label
    BomSpec("BOM-CREAM-BTL-250", "CREAM-BTL-250", "RT-FILL-CREAM", (
        Line("CREAM-PAST", 0.25, scrap=0.01),
        Line("BOTTLE-250", 1, scrap=0.005),
        Line("CAP-38", 1, scrap=0.005),
        Line("LABEL-CREAM", 1, scrap=0.01),
    )),
    BomSpec("BOM-SKIM-BTL-1L", "SKIM-BTL-1L", "RT-FILL-SKIM", (
        Line("SKIM-PAST", 1, scrap=0.005),
        Line("BOTTLE-1L", 1, scrap=0.005),
        Line("CAP-38", 1, scrap=0.005),
        Line("LABEL-SKIM", 1, scrap=0.01),
    )),
)
# fmt: on

# code, name, currency
SUPPLIERS: tuple[tuple[str, str, str], ...] = (
    ("SUP-ROHR", "Rohrwerk Sachsen GmbH", "EUR"),
    ("SUP-VELOPARTS", "Velo Parts Europe BV", "EUR"),
    ("SUP-TAIPEI", "Taipei Cycle Components Co.", "USD"),
    ("SUP-REIFEN-C", "Reifenwerk Hannover AG", "EUR"),
    ("SUP-REIFEN-S", "Rubber Trail GmbH", "EUR"),
    ("SUP-COATINGS", "Northern Powder Coatings Ltd", "GBP"),
    ("SUP-PACK", "Packaging Nord GmbH", "EUR"),
    ("SUP-MILK-COOP", "Munster Milk Producers Co-op", "EUR"),
)

# supplier, item, lead time days, minimum order, order multiple, rank, price factor on ItemSpec.price
SUPPLY: tuple[tuple[str, str, float, float | None, float | None, int, float], ...] = (
    ("SUP-ROHR", "TUBE-STEEL-28", 15, 60, 6, 1, 1.0),
    ("SUP-ROHR", "TUBE-STEEL-25", 15, 60, 6, 1, 1.0),
    ("SUP-ROHR", "TUBE-ALU-35", 20, 36, 6, 1, 1.0),
    ("SUP-TAIPEI", "TUBE-ALU-35", 45, 300, 6, 2, 0.82),
    ("SUP-ROHR", "DROPOUT-STEEL", 10, 50, 50, 1, 1.0),
    ("SUP-ROHR", "DROPOUT-ALU", 12, 25, 25, 1, 1.0),
    ("SUP-ROHR", "BB-SHELL", 10, 100, 100, 1, 1.0),
    ("SUP-ROHR", "SVC-HEAT-TREAT", 5, None, None, 1, 1.0),
    ("SUP-COATINGS", "PAINT-POWDER-BLUE", 12, 25, 25, 1, 1.0),
    ("SUP-COATINGS", "PAINT-POWDER-BLACK", 12, 25, 25, 1, 1.0),
    ("SUP-VELOPARTS", "RIM-28", 14, 50, 10, 1, 1.0),
    ("SUP-TAIPEI", "RIM-28", 42, 500, 50, 2, 0.78),
    ("SUP-VELOPARTS", "RIM-29", 14, 20, 10, 1, 1.0),
    ("SUP-VELOPARTS", "RIM-20", 14, 50, 10, 1, 1.0),
    ("SUP-VELOPARTS", "HUB-F-36", 14, 50, 10, 1, 1.0),
    ("SUP-TAIPEI", "HUB-F-36", 42, 500, 50, 2, 0.74),
    ("SUP-VELOPARTS", "HUB-R-IGH3", 21, 20, 10, 1, 1.0),
    ("SUP-TAIPEI", "HUB-R-IGH3", 49, 200, 20, 2, 0.85),
    ("SUP-VELOPARTS", "HUB-F-BOOST", 14, 10, 5, 1, 1.0),
    ("SUP-VELOPARTS", "HUB-R-BOOST", 14, 10, 5, 1, 1.0),
    ("SUP-VELOPARTS", "HUB-R-COASTER", 21, 20, 10, 1, 1.0),
    ("SUP-TAIPEI", "SPOKE-290", 35, 5000, 1000, 1, 1.0),
    ("SUP-VELOPARTS", "SPOKE-290", 7, 1000, 500, 2, 1.35),
    ("SUP-TAIPEI", "SPOKE-186", 35, 3000, 1000, 1, 1.0),
    ("SUP-TAIPEI", "NIPPLE-14G", 35, 10000, 1000, 1, 1.0),
    ("SUP-VELOPARTS", "NIPPLE-14G", 7, 2000, 500, 2, 1.4),
    ("SUP-REIFEN-C", "TYRE-28-CONTI", 10, 40, 20, 1, 1.0),
    ("SUP-REIFEN-S", "TYRE-28-SCHW", 8, 40, 20, 1, 1.0),
    ("SUP-REIFEN-C", "TYRE-29-MTB", 10, 20, 10, 1, 1.0),
    ("SUP-REIFEN-S", "TYRE-29-MTB", 8, 20, 10, 2, 1.05),
    ("SUP-REIFEN-C", "TYRE-20-KIDS", 10, 40, 20, 1, 1.0),
    ("SUP-VELOPARTS", "CHAIN-1S", 10, 50, 10, 1, 1.0),
    ("SUP-VELOPARTS", "CHAIN-1S-V2", 10, 50, 10, 1, 1.0),
    ("SUP-TAIPEI", "CHAIN-1S-V2", 40, 500, 50, 2, 0.8),
    ("SUP-VELOPARTS", "CHAIN-12S", 10, 10, 5, 1, 1.0),
    ("SUP-VELOPARTS", "CASSETTE-12S", 21, 10, 5, 1, 1.0),
    ("SUP-VELOPARTS", "DERAILLEUR-12S", 21, 10, 5, 1, 1.0),
    ("SUP-VELOPARTS", "SHIFTER-12S", 21, 10, 5, 1, 1.0),
    ("SUP-VELOPARTS", "SHIFTER-IGH3", 21, 20, 10, 1, 1.0),
    ("SUP-TAIPEI", "CRANKSET-170", 42, 100, 20, 1, 1.0),
    ("SUP-VELOPARTS", "CRANKSET-170", 10, 10, 5, 2, 1.25),
    ("SUP-TAIPEI", "CRANKSET-127", 42, 100, 20, 1, 1.0),
    ("SUP-TAIPEI", "PEDAL-PAIR", 42, 200, 50, 1, 1.0),
    ("SUP-VELOPARTS", "PEDAL-PAIR", 7, 20, 10, 2, 1.3),
    ("SUP-VELOPARTS", "SADDLE-COMFORT", 14, 20, 10, 1, 1.0),
    ("SUP-VELOPARTS", "SADDLE-SPORT", 14, 10, 5, 1, 1.0),
    ("SUP-VELOPARTS", "SADDLE-KIDS", 14, 20, 10, 1, 1.0),
    ("SUP-TAIPEI", "HANDLEBAR-RISER", 42, 100, 20, 1, 1.0),
    ("SUP-TAIPEI", "HANDLEBAR-FLAT", 42, 50, 10, 1, 1.0),
    ("SUP-VELOPARTS", "BRAKE-V-SET", 14, 20, 10, 1, 1.0),
    ("SUP-TAIPEI", "BRAKE-V-SET", 42, 200, 20, 2, 0.8),
    ("SUP-VELOPARTS", "BRAKE-DISC-SET", 21, 10, 5, 1, 1.0),
    ("SUP-VELOPARTS", "FORK-STEEL-28", 14, 20, 10, 1, 1.0),
    ("SUP-VELOPARTS", "FORK-SUSP-29", 28, 5, 5, 1, 1.0),
    ("SUP-TAIPEI", "FORK-KIDS-20", 42, 100, 20, 1, 1.0),
    ("SUP-VELOPARTS", "HEADSET-118", 14, 50, 10, 1, 1.0),
    ("SUP-VELOPARTS", "LIGHT-SET", 14, 20, 10, 1, 1.0),
    ("SUP-VELOPARTS", "FENDER-SET-28", 14, 20, 10, 1, 1.0),
    ("SUP-TAIPEI", "BOLT-M5", 35, 10000, 1000, 1, 1.0),
    ("SUP-TAIPEI", "WASHER-M5", 35, 10000, 1000, 1, 1.0),
    ("SUP-PACK", "CABLE-TIE", 5, 1000, 1000, 1, 1.0),
    ("SUP-TAIPEI", "REFLECTOR-SET", 35, 200, 50, 1, 1.0),
    ("SUP-TAIPEI", "BELL", 35, 200, 50, 1, 1.0),
    ("SUP-VELOPARTS", "SPARE-HANGER-01", 10, 20, 10, 1, 1.0),
    ("SUP-VELOPARTS", "SPARE-PADS-DISC", 10, 50, 10, 1, 1.0),
    ("SUP-PACK", "BOX-BIKE-L", 5, 50, 50, 1, 1.0),
    ("SUP-PACK", "BOX-BIKE-S", 5, 50, 50, 1, 1.0),
    ("SUP-MILK-COOP", "MILK-RAW", 1, None, None, 1, 1.0),
    ("SUP-PACK", "BOTTLE-250", 7, 8000, 4000, 1, 1.0),
    ("SUP-PACK", "BOTTLE-1L", 7, 6000, 3000, 1, 1.0),
    ("SUP-PACK", "CAP-38", 7, 10000, 5000, 1, 1.0),
    ("SUP-PACK", "LABEL-CREAM", 10, 20000, 10000, 1, 1.0),
    ("SUP-PACK", "LABEL-SKIM", 10, 20000, 10000, 1, 1.0),
)
