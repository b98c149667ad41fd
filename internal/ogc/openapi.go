package ogc

// openAPIDocument is the API definition (OpenAPI 3.0) served at /api: the
// paths, the parameters and their limits. Clients read the limit's maximum
// from it (QGIS asks for pages of that size), so it must match
// ParseItemsQuery. With writable, the Part 4 operations are listed too.
func openAPIDocument(base string, crsURIs []string, writable bool) map[string]any {
	type m = map[string]any
	param := func(name, in, desc string, required bool, schema m) m {
		p := m{"name": name, "in": in, "description": desc, "required": required, "schema": schema}
		if in == "query" {
			p["style"], p["explode"] = "form", false
		}
		return p
	}
	f := param("f", "query", "The format of the answer: JSON (GeoJSON for features) only.", false,
		m{"type": "string", "enum": []string{"json", "geojson"}, "default": "json"})
	collectionID := param("collectionId", "path", "zones, platforms, scenario-<id>-zones and scenario-<id>-platforms (a draft plan's), or layer-<id> (GET /collections lists them).", true, m{"type": "string"})
	crs := param("crs", "query", "The CRS of the coordinates in the answer (Part 2), in the axis order of its EPSG definition: "+
		"CRS84 longitude/latitude (the default); EPSG:4490 and 4326 latitude/longitude; the region's Gauss-Kruger CRSs (丽水: EPSG:4528 and 4549) northing/easting in metres. "+
		"The answer's Content-Crs header names it.", false, m{"type": "string", "format": "uri", "enum": crsURIs, "default": CRS84})
	featureID := param("featureId", "path", "The feature's id: the stable id of the zone, platform or layer feature.", true,
		m{"type": "integer", "minimum": 1})
	ok := func(desc, mediaType string) m {
		return m{"200": m{"description": desc, "content": m{mediaType: m{"schema": m{"type": "object"}}}},
			"400": m{"description": "A query parameter is unknown, repeated or malformed (application/problem+json)."},
			"401": m{"description": "Not signed in: send Authorization: Bearer <token>."},
			"404": m{"description": "No such collection or feature (application/problem+json)."}}
	}
	get := func(id, summary string, params []m, responses m) m {
		return m{"get": m{"operationId": id, "summary": summary, "parameters": params, "responses": responses}}
	}
	doc := m{
		"openapi": "3.0.3",
		"info": m{
			"title":       "万亩 wanmu — OGC API – Features",
			"version":     "1.0.0",
			"description": "Zones, platforms and constraint layers of wanmu (and each draft plan's zones and platforms), in CRS84 (CGCS2000 longitude/latitude) or, with crs=, in EPSG:4490, 4326 or the region's Gauss-Kruger CRSs (listed with the crs parameter).",
		},
		"servers": []m{{"url": base}},
		"components": m{"securitySchemes": m{
			"bearer": m{"type": "http", "scheme": "bearer", "description": "An API token (wanmu token create)."},
		}},
		// A token is needed unless the server runs with --public-read.
		"security": []m{{"bearer": []string{}}, {}},
		"paths": m{
			"/":            get("getLandingPage", "The landing page.", []m{f}, ok("The landing page.", typeJSON)),
			"/api":         get("getAPI", "This API definition.", []m{f}, ok("The API definition.", typeOpenAPI)),
			"/conformance": get("getConformance", "The conformance classes.", []m{f}, ok("The conformance classes.", typeJSON)),
			"/collections": get("getCollections", "The collections.", []m{f}, ok("The collections.", typeJSON)),
			"/collections/{collectionId}": get("describeCollection", "One collection.", []m{collectionID, f},
				ok("The collection.", typeJSON)),
			"/collections/{collectionId}/items": get("getFeatures", "A page of a collection's features, in id order.", []m{
				collectionID,
				param("limit", "query", "The most features on a page.", false,
					m{"type": "integer", "minimum": 1, "maximum": MaxLimit, "default": DefaultLimit}),
				param("offset", "query", "Features to skip from the start (not with after or before).", false,
					m{"type": "integer", "minimum": 0, "maximum": MaxOffset, "default": 0}),
				param("after", "query", "Only features with a greater id (the next links use it).", false,
					m{"type": "integer", "minimum": 1}),
				param("before", "query", "Only the last features with a smaller id (the prev links use it).", false,
					m{"type": "integer", "minimum": 1}),
				param("bbox", "query", "Only features that intersect the box west,south,east,north (CRS84), or in bbox-crs in its axis order (lower corner first); six numbers west,south,bottom,east,north,top are accepted and the heights ignored. "+
					"A box in a Gauss-Kruger CRS selects the features that intersect the longitude/latitude box enclosing it.", false,
					m{"type": "array", "minItems": 4, "maxItems": 6, "items": m{"type": "number"}}),
				param("bbox-crs", "query", "The CRS of bbox (Part 2): one of the collection's crs; CRS84 by default.", false,
					m{"type": "string", "format": "uri", "enum": crsURIs, "default": CRS84}),
				param("datetime", "query", "Only features last changed (a constraint layer's: imported) at this instant or in this interval: an RFC 3339 date-time or date, or start/end with .. for an open end, e.g. 2026-11-01/.. for the changes since 1 November.", false,
					m{"type": "string"}),
				crs, f,
			}, ok("A page of features (a GeoJSON FeatureCollection).", typeGeoJSON)),
			"/collections/{collectionId}/items/{featureId}": get("getFeature", "One feature.", []m{collectionID, featureID, crs, f},
				ok("The feature (a GeoJSON Feature).", typeGeoJSON)),
		},
	}
	if writable {
		addWrites(doc["paths"].(m), collectionID, featureID)
	}
	return doc
}

// addWrites lists Part 4's operations: a zone's create, replace, update
// and delete, and the update of a platform's attributes, each replace,
// update and delete with the ETag of the feature read in If-Match.
func addWrites(paths, collectionID, featureID map[string]any) {
	type m = map[string]any
	ifMatch := m{"name": "If-Match", "in": "header", "required": true, "schema": m{"type": "string"},
		"description": "The ETag of the feature as read (GET …/items/{featureId}): a feature changed since is not overwritten (412)."}
	body := func(desc string) m {
		return m{"required": true, "description": desc, "content": m{typeGeoJSON: m{"schema": m{"type": "object"}}, typeJSON: m{"schema": m{"type": "object"}}}}
	}
	answers := func(code, desc string) m {
		return m{code: m{"description": desc},
			"400": m{"description": "The body is not a feature wanmu can read (application/problem+json)."},
			"401": m{"description": "Not signed in."}, "403": m{"description": "Not an editor, or outside the counties the editor may edit."},
			"404": m{"description": "No such collection or feature."}, "405": m{"description": "Not allowed on this collection (OPTIONS says what is)."},
			"412": m{"description": "The feature changed since it was read: read it again."},
			"422": m{"description": "A property or the geometry is invalid: the answer names which and what to do."},
			"428": m{"description": "If-Match is missing."}}
	}
	op := func(id, summary string, params []m, reqBody m, responses m) m {
		o := m{"operationId": id, "summary": summary, "parameters": params, "responses": responses}
		if reqBody != nil {
			o["requestBody"] = reqBody
		}
		return o
	}
	items := paths["/collections/{collectionId}/items"].(m)
	items["post"] = op("createFeature", "Create a zone (zones collections only); Location answers its URL.", []m{collectionID},
		body("A GeoJSON Feature: a (multi)polygon in CRS84 and the zone's properties kind, name, county_adcode, disposition."),
		answers("201", "Created."))
	item := paths["/collections/{collectionId}/items/{featureId}"].(m)
	item["put"] = op("replaceFeature", "Replace a zone.", []m{collectionID, featureID, ifMatch},
		body("The whole zone as a GeoJSON Feature."), answers("200", "Replaced."))
	item["patch"] = op("updateFeature", "Change some properties (and the geometry) of a zone, or a platform's attributes (its outline is its zones').",
		[]m{collectionID, featureID, ifMatch}, body("A Feature with the properties to change; unchanged properties may be sent as read."),
		answers("200", "Updated."))
	item["delete"] = op("deleteFeature", "Retire a zone (kept in its history; restorable).", []m{collectionID, featureID, ifMatch},
		nil, answers("204", "Retired."))
}
