"""A small plant as CSV text: one of each kind of record, for import tests."""

from __future__ import annotations

from pathlib import Path

MINIMAL_PLANT: dict[str, str] = {
    "units": "code,name,dimension,decimals\npcs,pieces,count,0\nkg,kilogram,mass,3\nbox,box,count,0\n",
    "sites": "code,name,kind,time_zone\nP1,Plant one,plant,Europe/Berlin\n",
    "locations": "code,name,site,kind\nP1/RM,Raw materials,P1,storage\nP1/FG,Finished goods,P1,storage\n",
    "calendars": "code,name\nTWO,Two shifts\n",
    "calendar_shifts": "calendar,weekday,kind,start_time,end_time,name\n"
    "TWO,0,shift,06:00,14:00,early\nTWO,0,break,10:00,10:30,\nTWO,0,shift,14:00,22:00,late\n",
    "calendar_holidays": "calendar,day,name\nTWO,2026-12-25,Christmas\n",
    "work_centers": "code,name,site,calendar,parallel_units,efficiency,cost_per_hour\n"
    "WELD,Welding,P1,TWO,3,0.9,55\nASM,Assembly,P1,TWO,1,1,40\n",
    "work_center_downtimes": "work_center,starts_at,ends_at,reason\n"
    "WELD,2026-12-01T06:00:00+01:00,2026-12-01T10:00:00+01:00,service\n",
    "items": "code,name,item_type,unit,procurement,lead_time_days,lot_size_rule,fixed_order_quantity,"
    "safety_stock,standard_cost,tracking\n"
    "BIKE,Bike,finished_good,pcs,make,2,lot_for_lot,,5,250,none\n"
    "FRAME,Frame,intermediate,pcs,make,1,fixed_order_quantity,50,0,80,serial\n"
    "TUBE,Steel tube,raw_material,kg,buy,10,lot_for_lot,,100,2.5,lot\n"
    "MILK,Raw milk,raw_material,kg,buy,1,lot_for_lot,,0,0.4,none\n"
    "CREAM,Cream,finished_good,kg,make,0,lot_for_lot,,0,3,none\n"
    "SKIM,Skim milk,finished_good,kg,make,0,lot_for_lot,,0,0.3,none\n",
    "unit_conversions": "from_unit,to_unit,item,factor\nbox,pcs,BIKE,12\n",
    "routings": "code,name,production_type\nR-BIKE,Bike assembly,mass\nR-FRAME,Frame welding,job_shop\n",
    "routing_operations": "routing,sequence,name,work_center,setup_minutes,run_minutes,batch_size,transfer_quantity\n"
    "R-BIKE,10,Assemble,ASM,15,12,,\nR-FRAME,10,Weld,WELD,30,20,10,5\n",
    "routing_alternatives": "routing,sequence,work_center,setup_minutes,run_minutes,priority\nR-FRAME,10,ASM,45,30,2\n",
    "boms": "code,item,quantity,routing,priority\nB-BIKE,BIKE,1,R-BIKE,1\nB-FRAME,FRAME,1,R-FRAME,1\n"
    "B-MILK,CREAM,10,,1\n",
    "bom_components": "bom,line,item,quantity,scrap_factor,operation_sequence\n"
    "B-BIKE,1,FRAME,1,0,10\nB-FRAME,1,TUBE,2.5,0.05,10\nB-MILK,1,MILK,100,0,\n",
    "bom_outputs": "bom,item,kind,quantity,cost_share\nB-MILK,SKIM,co_product,88,0.3\n",
    "suppliers": "code,name,currency\nS1,Steel Co,EUR\n",
    "supplier_items": "supplier,item,supplier_part_code,lead_time_days,min_order_quantity,order_multiple,rank\n"
    "S1,TUBE,ST-25,10,100,25,1\n",
    "price_breaks": "supplier,item,min_quantity,unit_price\nS1,TUBE,0,2.6\nS1,TUBE,1000,2.4\n",
    "customers": "code,name\nC1,City Cycles\n",
    "lots": "item,code,expiry_date\nTUBE,L-001,\nFRAME,SN-1,\n",
    "sales_orders": "number,customer,site,status,order_date\nSO-1,C1,P1,open,2026-11-01\n",
    "sales_order_lines": "order,line,item,quantity,due_date,priority\nSO-1,1,BIKE,20,2026-12-10,1\n",
    "sales_history": "item,site,period_start,quantity\nBIKE,P1,2026-10-05,14\nBIKE,P1,2026-10-12,0\n",
    "demand_forecasts": "item,site,period_start,quantity\nBIKE,P1,2026-11-23,15\n",
    "purchase_orders": "number,supplier,site,status,order_date\nPO-1,S1,P1,confirmed,2026-11-02\n",
    "purchase_order_lines": "order,line,item,quantity,received_quantity,unit_price,due_date\n"
    "PO-1,1,TUBE,500,100,2.6,2026-11-30\n",
    "work_orders": "number,item,bom,site,status,quantity,start_date,due_date\n"
    "WO-1,FRAME,B-FRAME,P1,released,10,2026-11-20,2026-11-27\n",
    "opening_stock": "item,location,lot,quantity,unit_cost\nTUBE,P1/RM,L-001,250.5,2.5\nBIKE,P1/FG,,7,240\n"
    "FRAME,P1/FG,SN-1,1,80\n",
}


def write_plant(folder: Path, overrides: dict[str, str] | None = None) -> Path:
    """Write the minimal plant as CSV files, with some sheets replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in {**MINIMAL_PLANT, **(overrides or {})}.items():
        (folder / f"{name}.csv").write_text(body, encoding="utf-8")
    return folder


#: The minimal plant with a distribution center DC1 (its own stock location) that sells 30 bikes
#: (SO-2, due 2026-12-17); each test adds the item-site records it needs.
WITH_A_DC: dict[str, str] = {
    "sites": MINIMAL_PLANT["sites"] + "DC1,Distribution center,distribution_center,Europe/Berlin\n",
    "locations": MINIMAL_PLANT["locations"] + "DC1/FG,DC stock,DC1,storage\n",
    "sales_orders": MINIMAL_PLANT["sales_orders"] + "SO-2,C1,DC1,open,2026-11-01\n",
    "sales_order_lines": MINIMAL_PLANT["sales_order_lines"] + "SO-2,1,BIKE,30,2026-12-17,1\n",
}
