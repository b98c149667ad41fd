"""Edits a zone through wanmu's OGC API – Features Part 4 as an outside
client would: OWSLib (Debian's python3-owslib) reads the service, the
collections and the items; its 0.27 has no Part 4, so the writes go with
the requests library, sending back the ETag in If-Match as Part 4 asks.
Prints what happened as JSON.

Then it changes a platform's note (PATCH of its attributes, If-Match) and
creates a zone in a draft plan's own collection (scenario-<id>-zones),
which leaves the official zones as they were.

Usage: python3 ogc_transactions.py BASE_URL TOKEN PLAN_ID
"""
import json
import sys

import requests
from owslib.ogcapi.features import Features

base, token, plan = sys.argv[1], sys.argv[2], sys.argv[3]
auth = {"Authorization": "Bearer " + token}
out = {}
api = Features(base + "/ogc", headers=auth)
out["conforms_part4"] = any("ogcapi-features-4" in c for c in api.conformance()["conformsTo"])
out["collections"] = sorted(c["id"] for c in api.collections()["collections"] if c["id"] in ("zones", "platforms"))
before = api.collection_items("zones", limit=1000)
out["zones_before"] = len(before["features"])

items = base + "/ogc/collections/zones/items"
feature = {"type": "Feature",
           "geometry": {"type": "Polygon", "coordinates": [[[119.501, 28.001], [119.502, 28.001], [119.502, 28.002], [119.501, 28.002], [119.501, 28.001]]]},
           "properties": {"kind": "township", "name": "OWSLib 测试区", "county_adcode": "331102", "disposition": "待定"}}
r = requests.options(items, headers=auth)
out["options_allow"] = r.headers.get("Allow")
r = requests.post(items, json=feature, headers={**auth, "Content-Type": "application/geo+json"})
out["create"] = r.status_code
location = r.headers["Location"]
url = location if location.startswith("http") else base + location
item = api.collection_item("zones", location.rsplit("/", 1)[1])
out["read_back_name"] = item["properties"]["name"]
etag = requests.get(url, headers=auth).headers["ETag"]
feature["properties"]["name"] = "OWSLib 测试区（改）"
out["replace"] = requests.put(url, json=feature, headers={**auth, "If-Match": etag}).status_code
out["replace_stale"] = requests.put(url, json=feature, headers={**auth, "If-Match": etag}).status_code
out["update_without_if_match"] = requests.patch(url, json={"type": "Feature", "properties": {"disposition": "提"}}, headers=auth).status_code
etag = requests.get(url, headers=auth).headers["ETag"]
out["update"] = requests.patch(url, json={"type": "Feature", "properties": {"disposition": "提"}}, headers={**auth, "If-Match": etag}).status_code
out["after_update"] = api.collection_item("zones", location.rsplit("/", 1)[1])["properties"]["disposition"]
etag = requests.get(url, headers=auth).headers["ETag"]
out["delete"] = requests.delete(url, headers={**auth, "If-Match": etag}).status_code
out["after_delete"] = requests.get(url, headers=auth).status_code
out["zones_after"] = len(api.collection_items("zones", limit=1000)["features"])

# A platform's attributes, as QGIS's attribute table edits them.
platform = api.collection_items("platforms", limit=1)["features"][0]
url = base + "/ogc/collections/platforms/items/" + str(platform["id"])
out["platform_options_allow"] = requests.options(url, headers=auth).headers.get("Allow")
etag = requests.get(url, headers=auth).headers["ETag"]
patch = {"type": "Feature", "properties": {"note": "经 QGIS 复核"}}
out["platform_update"] = requests.patch(url, json=patch, headers={**auth, "If-Match": etag}).status_code
out["platform_update_stale"] = requests.patch(url, json=patch, headers={**auth, "If-Match": etag}).status_code
out["platform_after_update"] = api.collection_item("platforms", str(platform["id"]))["properties"]["note"]

# A zone drawn in a plan stays in the plan.
plan_zones = "scenario-%s-zones" % plan
feature["properties"]["name"] = "OWSLib 方案区"
r = requests.post(base + "/ogc/collections/" + plan_zones + "/items", json=feature, headers={**auth, "Content-Type": "application/geo+json"})
out["plan_create"] = r.status_code
created = r.headers.get("Location", "").rsplit("/", 1)[-1]
out["plan_zone_in_plan"] = any(str(f["id"]) == created for f in api.collection_items(plan_zones, limit=1000)["features"])
out["zones_after_plan"] = len(api.collection_items("zones", limit=1000)["features"])
print(json.dumps(out, ensure_ascii=False))
