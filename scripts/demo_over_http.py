"""The PlantOps demo flow, entirely over the HTTP API, with one bearer token.

Import master data, post stock, forecast (where the server offers it), plan, schedule
(where offered), release planned orders and read the audit trail: what an ERP connector
or a shop-floor script does. Run it against ``plantops serve``::

    plantops init && plantops user add demo-admin --role admin --machine
    plantops serve --port 8000 &
    python scripts/demo_over_http.py --url http://127.0.0.1:8000 --token "$(plantops user token demo-admin | tail -1)"

Without ``--plant``, the master data is the demo plant (bicycles and a dairy) built in
memory by PlantOps' generator and sent as rows; with it, a folder of CSV files or an
XLSX workbook is uploaded. Long runs are background jobs: the script polls their status
until they finish, as any client would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from plantops.engines.plantgen.demo_plant import build_demo_plant

API = "/api/v1"
RETRIES = 12
#: Quick forecasting candidates for the demo (the server's default is all of them).
DEMO_MODELS = ["SeasonalNaive", "DynamicOptimizedTheta", "CrostonSBA", "TSB"]


class DemoFailed(Exception):
    """A step answered an error; the message is the server's problem detail."""


class Client:
    """The API with a token; every error answer stops the demo with its problem detail."""

    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, API + path, **kwargs)
        for _ in range(RETRIES):  # the database is busy with a long run: wait as the server says
            if response.status_code != 503 or method != "GET":
                break
            time.sleep(float(response.headers.get("Retry-After", "5")))
            response = self.http.request(method, API + path, **kwargs)
        if response.status_code >= 400:
            problem = response.json() if response.headers.get("content-type", "").endswith("json") else {}
            raise DemoFailed(f"{method} {path}: {response.status_code} {problem.get('detail', response.text)}")
        return response.json() if response.content else None

    def run_job(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Start a background run and follow its job until it ends."""
        job = self.call("POST", path, json=body)
        print(f"  job {job['number']} {job['status']}")
        step = ""
        while job["status"] not in ("succeeded", "failed"):
            time.sleep(0.2)
            job = self.call("GET", f"/jobs/{job['number']}")
            if job["step"] != step:
                step = job["step"]
                print(f"  ... {step} ({job['steps_done']}/{job['steps_total'] or '?'} steps done)")
        if job["status"] == "failed":
            raise DemoFailed(f"job {job['number']} failed: {job['error']}")
        return job


def _cell(value: Any) -> Any:
    """A generator's value as JSON: exact decimals as text, dates in ISO, enumerations by value."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def import_master_data(client: Client, plant: Path | None, as_of: dt.date) -> None:
    print("1. Import master data")
    if plant is None:
        sheets = {
            name: [{k: _cell(v) for k, v in row.items()} for row in rows]
            for name, rows in build_demo_plant(as_of=as_of, seed=42).items()
        }
        report = client.call("POST", "/imports", json={"sheets": sheets})
    else:
        paths = [plant] if plant.is_file() else sorted(plant.glob("*.csv"))
        files = [("files", (path.name, path.read_bytes())) for path in paths]
        report = client.call("POST", "/imports/files", files=files)
    inserted = sum(report["inserted"].values())
    print(
        f"  {inserted} records inserted, {sum(report['updated'].values())} updated, {report['stock_lines']} stock moves"
    )


def post_stock(client: Client) -> None:
    print("2. Post stock")
    [item] = client.call("GET", "/items", params={"item_type": "raw_material", "tracking": "none", "limit": 1})["items"]
    [location] = client.call("GET", "/locations", params={"kind": "receiving", "limit": 1})["items"]
    receipt = {"item": item["code"], "location": location["code"], "quantity": "25", "document": "demo delivery"}
    key = {"Idempotency-Key": f"demo-{item['code']}-{dt.date.today()}"}
    first = client.call("POST", "/stock/receipts", json=receipt, headers=key)
    again = client.call("POST", "/stock/receipts", json=receipt, headers=key)
    print(f"  received 25 {item['code']} at {location['code']}: posting {first['posting_id']}")
    print(f"  sent again under the same Idempotency-Key: replayed={again['replayed']}, posting {again['posting_id']}")
    balances = client.call("GET", "/stock/balances", params={"item": item["code"]})
    print(f"  {item['code']} on hand: " + ", ".join(f"{b['location']} {b['on_hand']}" for b in balances["items"]))


def forecast(client: Client, paths: set[str], as_of: dt.date) -> None:
    print("3. Forecast")
    if f"{API}/forecasts/runs" not in paths:
        print("  not offered by this server: skipped")
        return
    job = client.run_job("/forecasts/runs", {"horizon": 26, "models": DEMO_MODELS})
    result = job["result"]
    state = "published to MRP" if result["published"] else "not published"
    print(f"  {result['number']}: {result['series']} items at sites forecast for {result['horizon']} weeks, {state}")


def plan(client: Client, as_of: dt.date) -> str:
    print("4. Plan (MRP)")
    job = client.run_job("/plan/runs", {"start": as_of.isoformat(), "weeks": 26})
    result = job["result"]
    print(f"  {result['number']}: {result['planned_orders']} planned orders, exceptions {result['exceptions']}")
    return str(result["number"])


def schedule(client: Client, paths: set[str], as_of: dt.date) -> None:
    print("5. Schedule")
    if f"{API}/schedules/runs" not in paths:
        print("  not offered by this server: skipped")
        return
    # the released work orders on the work centers' calendars (the plan's make orders wait for their release)
    body = {
        "horizon_start": f"{as_of.isoformat()}T06:00:00+00:00",
        "weeks": 2,
        "time_limit_s": 20,
        "include_planned": False,
    }
    result = client.run_job("/schedules/runs", body)["result"]
    print(
        f"  {result['number']} ({result['status']}): {result['operations']} operations of {result['orders']} orders, "
        f"{result['late_orders']} late"
    )


def release_orders(client: Client, as_of: dt.date) -> None:
    print("6. Release planned orders")
    for kind in ("buy", "make"):
        orders = client.call("GET", "/plan/orders", params={"kind": kind, "sort": "release_date", "limit": 2})["items"]
        for order in orders:
            released = client.call("POST", f"/plan/orders/{order['number']}/release", json={"today": as_of.isoformat()})
            what = f"{kind} {order['quantity']} {order['item']}"
            print(f"  {order['number']} ({what}) released as {released['released_as']}")


def read_audit_trail(client: Client, since: str, plan_number: str) -> None:
    print("7. Read the audit trail")
    trail = client.call("GET", "/audit", params={"since": since, "limit": 8})
    print(f"  {trail['total']} changes since the demo started; the newest:")
    for entry in trail["items"]:
        print(f"  {entry['at'][:19]} {entry['user']} {entry['action']} {entry['record']} {entry['key']}")
    [run] = client.call("GET", "/audit", params={"record": "plan_run", "key": plan_number, "action": "insert"})["items"]
    print(f"  the plan: {run['at'][:19]} {run['user']} {run['action']} {run['record']} {run['key']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="where `plantops serve` listens")
    parser.add_argument("--token", required=True, help="a bearer token (`plantops user token NAME`)")
    parser.add_argument("--plant", type=Path, help="a folder of CSV files or an XLSX workbook to import")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(), help="the plant's today")
    args = parser.parse_args(argv)
    client = Client(args.url, args.token)
    started = dt.datetime.now(dt.UTC).isoformat()
    try:
        me = client.call("GET", "/auth/me")
        print(f"Signed in as {me['username']} ({', '.join(me['roles'])})")
        paths = set(client.call("GET", "/openapi.json")["paths"])
        import_master_data(client, args.plant, args.as_of)
        post_stock(client)
        forecast(client, paths, args.as_of)
        plan_number = plan(client, args.as_of)
        schedule(client, paths, args.as_of)
        release_orders(client, args.as_of)
        read_audit_trail(client, started, plan_number)
    except (DemoFailed, httpx.HTTPError) as error:
        print(f"demo stopped: {error}", file=sys.stderr)
        return 1
    print("Demo flow complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
