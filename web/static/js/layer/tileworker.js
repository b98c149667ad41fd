// tileworker.js: a Web Worker that fetches GeoJSON tiles, parses them and
// projects their coordinates to the tile's pixels (spherical Mercator, as
// the map), so that TileGeoJSON.js only draws. A dense tile of 永久基本农田
// on 200,000 parcels is a megabyte of JSON and 20,000 vertices: parsed and
// projected in the page, it held frames for up to a second while panning
// (issue 15's benchmark).
//
// In:  { id, url, z, x, y, size, props }   or   { abort: id }
// Out: { id, n, ops: Int32Array, coords: Float32Array, props: [] | null }
//      or { id, error: true, status, aborted }
// ops lists, for each of the n features: its number of shapes, then for
// each shape its kind (1 polygon, 2 line, 3 point), its number of rings and
// each ring's number of points; coords are the points' x, y in order.
'use strict';

var controllers = {};

self.onmessage = function (e) {
	var m = e.data;
	if (m.abort) {
		if (controllers[m.abort]) {
			controllers[m.abort].abort();
			delete controllers[m.abort];
		}
		return;
	}
	var ctrl = controllers[m.id] = new AbortController();
	fetch(m.url, { credentials: 'same-origin', signal: ctrl.signal }).then(function (res) {
		if (res.status === 204) {
			return null;
		}
		if (!res.ok) {
			var err = new Error('tile ' + res.status);
			err.status = res.status;
			throw err;
		}
		return res.json();
	}).then(function (fc) {
		delete controllers[m.id];
		var out = pack(fc ? fc.features || [] : [], m);
		out.id = m.id;
		self.postMessage(out, [out.ops.buffer, out.coords.buffer]);
	}).catch(function (err) {
		delete controllers[m.id];
		self.postMessage({ id: m.id, error: true, status: err.status || 0, aborted: err.name === 'AbortError' });
	});
};

var D = Math.PI / 180, MAXLAT = 85.0511287798;

function pack(features, m) {
	var scale = m.size * Math.pow(2, m.z);
	var ox = m.x * m.size, oy = m.y * m.size;
	var ops = [], coords = [], props = m.props ? [] : null;
	function ring(r) {
		ops.push(r.length);
		for (var i = 0; i < r.length; i++) {
			var lat = Math.max(-MAXLAT, Math.min(MAXLAT, r[i][1]));
			coords.push((r[i][0] / 360 + 0.5) * scale - ox,
				(0.5 - Math.log(Math.tan(Math.PI / 4 + lat * D / 2)) / (2 * Math.PI)) * scale - oy);
		}
	}
	function shape(kind, rings) {
		ops.push(kind, rings.length);
		rings.forEach(ring);
	}
	var n = 0;
	features.forEach(function (f) {
		var g = f.geometry;
		if (!g) {
			return;
		}
		var at = ops.length;
		ops.push(0);
		var shapes = 0;
		switch (g.type) {
		case 'Polygon':
			shape(1, g.coordinates);
			shapes = 1;
			break;
		case 'MultiPolygon':
			g.coordinates.forEach(function (p) { shape(1, p); });
			shapes = g.coordinates.length;
			break;
		case 'LineString':
			shape(2, [g.coordinates]);
			shapes = 1;
			break;
		case 'MultiLineString':
			g.coordinates.forEach(function (l) { shape(2, [l]); });
			shapes = g.coordinates.length;
			break;
		case 'Point':
			shape(3, [[g.coordinates]]);
			shapes = 1;
			break;
		case 'MultiPoint':
			shape(3, [g.coordinates]);
			shapes = 1;
			break;
		default:
			ops.length = at;
			return;
		}
		ops[at] = shapes;
		if (props) {
			props.push(f.properties || {});
		}
		n++;
	});
	return { n: n, ops: new Int32Array(ops), coords: new Float32Array(coords), props: props };
}
