"""Plant generators: master data in the exchange format, built without a database.

* :func:`build_demo_plant` - a realistic demo: a bicycle plant, a dairy and a
  distribution center, with calendars, BOMs, routings, suppliers, sales history,
  open orders and opening stock.
* :func:`build_synthetic_plant` - a plant of any number of items with deep, shared
  BOMs, for benchmarks.

Both return :data:`MasterData`: sheet name -> rows, each row column name -> typed value
(``str`` codes, ``Decimal`` numbers, ``int``, ``date``, ``time``, UTC ``datetime``,
``bool`` and :mod:`plantops.vocabulary` members), as the master data import reads them.
Both are deterministic for a given ``seed`` and ``as_of``.
"""

from plantops.engines.plantgen._common import MasterData, Row
from plantops.engines.plantgen.demo_plant import build_demo_plant
from plantops.engines.plantgen.synthetic import build_synthetic_plant

__all__ = ["MasterData", "Row", "build_demo_plant", "build_synthetic_plant"]
