// TraceBoundary.js: with "trace" on, two consecutive points snapped onto
// the same neighbour zone's boundary are joined along that boundary (the
// shorter way round): its vertices in between are inserted, as exact
// copies, so the zone follows the neighbour instead of cutting across it.
// This works while drawing (attach) and while editing vertices (attachEdit).
(function (wanmu) {
	'use strict';

	var TOL = 1e-8; // degrees (about 1 mm): a snapped point lies on the edge to within this

	// attach watches the polygon being drawn (working layer of draw).
	// enabled() says whether tracing is on; zoneLayers() are the neighbours
	// (zones, and the constraint layers' parcels read for snapping).
	function attach(draw, working, enabled, zoneLayers) {
		var busy = false;
		working.on('pm:vertexadded', function () {
			if (busy || !enabled()) {
				return;
			}
			var pts = working.getLatLngs();
			if (pts.length < 2) {
				return;
			}
			var a = pts[pts.length - 2], b = pts[pts.length - 1];
			var path = between(zoneLayers(), a, b);
			if (!path.length) {
				return;
			}
			busy = true;
			try {
				draw._removeLastVertex();
				path.concat([b]).forEach(function (ll) { wanmu.TypedVertex.place(draw, ll); });
			} finally {
				busy = false;
			}
		});
	}

	// attachEdit watches a polygon in Geoman's vertex edit mode: a vertex
	// dragged (or added) onto a neighbour's boundary is joined along it to
	// the vertex on either side that lies on the same ring. changed() is
	// the edit session's own re-measure.
	function attachEdit(layer, enabled, zoneLayers, changed) {
		function trace(e) {
			// A drag Geoman undid (self-intersection), or a vertex added by
			// starting to drag a middle marker (its drag end comes later).
			if (!enabled() || e.intersectionReset || !e.indexPath || (e.marker && e.marker._dragging)) {
				return;
			}
			if (traceVertex(layer, e.indexPath, zoneLayers())) {
				changed();
			}
		}
		layer.on('pm:markerdragend pm:vertexadded', trace);
	}

	// traceVertex inserts the traced vertices around the vertex at indexPath
	// (into layer's nested latlngs) and redraws the edit markers; false when
	// there was nothing to trace or the result would cross itself.
	function traceVertex(layer, indexPath, layers) {
		var ring = layer.getLatLngs();
		for (var k = 0; k < indexPath.length - 1; k++) {
			ring = ring[indexPath[k]];
		}
		var i = indexPath[indexPath.length - 1], n = ring.length, v = ring[i];
		if (!(v instanceof L.LatLng) || n < 3) {
			return false;
		}
		var before = between(layers, ring[mod(i - 1, n)], v), after = between(layers, v, ring[mod(i + 1, n)]);
		if (!before.length && !after.length) {
			return false;
		}
		var old = ring.slice();
		var copy = function (p) { return L.latLng(p.lat, p.lng); };
		ring.splice.apply(ring, [i, 1].concat(before.map(copy), [v], after.map(copy)));
		// A traced vertex that is already one of the ring's (the walk went
		// past the other neighbour): leave the edit as it was dragged.
		if (hasDuplicate(ring) || !redraw(layer, true)) {
			ring.splice.apply(ring, [0, ring.length].concat(old));
			redraw(layer, false);
			return false;
		}
		return true;
	}

	// redraw shows the changed latlngs and rebuilds the edit markers (as
	// Geoman does when it resets a vertex); check refuses a self-crossing.
	function redraw(layer, check) {
		var pm = layer.pm;
		layer.setLatLngs(layer.getLatLngs());
		if (check && !pm.options.allowSelfIntersection && pm.hasSelfIntersection()) {
			return false;
		}
		pm._initMarkers();
		if (pm.options.snappable) {
			pm._initSnappableMarkers();
		}
		return true;
	}

	function hasDuplicate(ring) {
		// Sorted by longitude, only neighbours in that order can be within
		// TOL: n log n on a ring of thousands of vertices, at every drag's end.
		var s = ring.slice().sort(function (a, b) { return a.lng - b.lng; });
		for (var i = 0; i < s.length; i++) {
			for (var j = i + 1; j < s.length && s[j].lng - s[i].lng < TOL; j++) {
				if (Math.abs(s[i].lat - s[j].lat) < TOL) {
					return true;
				}
			}
		}
		return false;
	}

	// between is the neighbour vertices from a to b along the shorter way of
	// the first ring both lie on ([] when none).
	function between(layers, a, b) {
		for (var l = 0; l < layers.length; l++) {
			var rings = rings0(layers[l].getLatLngs());
			for (var r = 0; r < rings.length; r++) {
				var ring = rings[r], pa = locate(ring, a), pb = locate(ring, b);
				if (pa < 0 || pb < 0) {
					continue;
				}
				var n = ring.length, rev = ring.slice().reverse();
				var fw = forward(ring, pa, pb);
				var bw = forward(rev, mod(n - 1 - pa, n), mod(n - 1 - pb, n));
				return length(a, fw, b) <= length(a, bw, b) ? fw : bw;
			}
		}
		return [];
	}

	// rings0 flattens Leaflet's nested latlngs into rings.
	function rings0(lls) {
		if (!lls.length) {
			return [];
		}
		if (lls[0] instanceof L.LatLng) {
			return [lls];
		}
		return lls.reduce(function (acc, x) { return acc.concat(rings0(x)); }, []);
	}

	// locate is p's position on the ring: i for vertex i, i+t on the edge
	// from vertex i to i+1, or -1.
	function locate(ring, p) {
		var n = ring.length;
		for (var i = 0; i < n; i++) {
			var q = ring[i], s = ring[(i + 1) % n];
			if (Math.abs(q.lng - p.lng) < TOL && Math.abs(q.lat - p.lat) < TOL) {
				return i;
			}
			var dx = s.lng - q.lng, dy = s.lat - q.lat, len2 = dx * dx + dy * dy;
			var t = len2 ? ((p.lng - q.lng) * dx + (p.lat - q.lat) * dy) / len2 : 0;
			if (t > 0 && t < 1) {
				var ex = q.lng + t * dx - p.lng, ey = q.lat + t * dy - p.lat;
				if (ex * ex + ey * ey < TOL * TOL) {
					return i + t;
				}
			}
		}
		return -1;
	}

	// forward is the ring's vertices strictly between positions pa and pb,
	// going up the indices.
	function forward(ring, pa, pb) {
		var n = ring.length, out = [];
		var ia = Math.floor(pa), ib = Math.floor(pb), bOnVertex = pb === ib;
		if (ia === ib && pb >= pa) {
			return out;
		}
		for (var s = 1; s <= n; s++) {
			var idx = (ia + s) % n;
			if (idx === ib) {
				if (!bOnVertex) {
					out.push(ring[idx]);
				}
				break;
			}
			out.push(ring[idx]);
		}
		return out;
	}

	function length(a, path, b) {
		var pts = [a].concat(path, [b]), d = 0;
		for (var i = 1; i < pts.length; i++) {
			d += Math.hypot(pts[i].lng - pts[i - 1].lng, pts[i].lat - pts[i - 1].lat);
		}
		return d;
	}

	function mod(x, n) {
		return ((x % n) + n) % n;
	}

	wanmu.TraceBoundary = { attach: attach, attachEdit: attachEdit, between: between };
})(window.wanmu = window.wanmu || {});
