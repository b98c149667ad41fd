// Selection.js: which zones are selected. Geoman's free edition has no
// selection, so this is ours: click selects one zone, Shift-click adds or
// removes one, a box (Shift-drag or the box tool) selects what it touches.
(function (wanmu) {
	'use strict';

	function Selection(app) {
		wanmu.Emitter.call(this);
		this.app = app;
		this._ids = [];
		this.box = new wanmu.BoxSelect(app.map, { onBox: this._onBox.bind(this) });
		this.box.enable();
	}
	Selection.prototype = Object.create(wanmu.Emitter.prototype);

	Selection.prototype.ids = function () { return this._ids.slice(); };
	Selection.prototype.count = function () { return this._ids.length; };
	Selection.prototype.has = function (id) { return this._ids.indexOf(id) >= 0; };

	// features returns the selected zones' features, in selection order.
	Selection.prototype.features = function () {
		var zones = this.app.zones;
		return this._ids.map(function (id) { return zones.feature(id); }).filter(Boolean);
	};

	Selection.prototype.set = function (ids) {
		var seen = {};
		this._ids = ids.filter(function (id) {
			if (seen[id] || !this.app.zones.feature(id)) {
				return false;
			}
			seen[id] = true;
			return true;
		}, this);
		this.app.zones.setSelection(this._ids);
		this.fire('change', { ids: this.ids() });
	};

	Selection.prototype.clear = function () {
		if (this._ids.length) {
			this.set([]);
		}
	};

	// click handles a click on a zone (toggle with Shift, else replace).
	Selection.prototype.click = function (id, shift) {
		if (shift) {
			this.set(this.has(id) ? this._ids.filter(function (x) { return x !== id; }) : this._ids.concat([id]));
		} else {
			this.set([id]);
		}
	};

	// drop removes ids that no longer exist (after a merge, split or retire).
	Selection.prototype.prune = function () {
		this.set(this._ids);
	};

	Selection.prototype._onBox = function (bounds, add) {
		var zones = this.app.zones;
		var hits = zones.zonesInBounds(bounds).filter(function (id) {
			return touches(zones.layerOf(id), bounds);
		});
		this.set(add ? this._ids.concat(hits) : hits);
	};

	// touches tells whether a polygon layer touches a box: a vertex in the
	// box, a box corner in the polygon, or an edge crossing the box edges.
	function touches(layer, bounds) {
		var rings = flatten(layer.getLatLngs());
		var i, j;
		for (i = 0; i < rings.length; i++) {
			for (j = 0; j < rings[i].length; j++) {
				if (bounds.contains(rings[i][j])) {
					return true;
				}
			}
		}
		var corners = [bounds.getSouthWest(), bounds.getNorthWest(), bounds.getNorthEast(), bounds.getSouthEast()];
		for (i = 0; i < corners.length; i++) {
			if (inside(corners[i], rings)) {
				return true;
			}
		}
		for (i = 0; i < rings.length; i++) {
			var r = rings[i];
			for (j = 0; j < r.length; j++) {
				var a = r[j], b = r[(j + 1) % r.length];
				for (var k = 0; k < 4; k++) {
					if (cross(a, b, corners[k], corners[(k + 1) % 4])) {
						return true;
					}
				}
			}
		}
		return false;
	}

	function flatten(ll) {
		if (!ll.length) {
			return [];
		}
		if (ll[0] instanceof L.LatLng) {
			return [ll];
		}
		return ll.reduce(function (acc, x) { return acc.concat(flatten(x)); }, []);
	}

	// inside is the even-odd rule over all rings (holes included).
	function inside(p, rings) {
		var c = false;
		rings.forEach(function (r) {
			for (var i = 0, j = r.length - 1; i < r.length; j = i++) {
				if ((r[i].lat > p.lat) !== (r[j].lat > p.lat) &&
					p.lng < (r[j].lng - r[i].lng) * (p.lat - r[i].lat) / (r[j].lat - r[i].lat) + r[i].lng) {
					c = !c;
				}
			}
		});
		return c;
	}

	function cross(a, b, c, d) {
		function o(p, q, r) {
			return (q.lng - p.lng) * (r.lat - p.lat) - (q.lat - p.lat) * (r.lng - p.lng);
		}
		return (o(a, b, c) > 0) !== (o(a, b, d) > 0) && (o(c, d, a) > 0) !== (o(c, d, b) > 0);
	}

	Selection.inside = inside;
	wanmu.Selection = Selection;
})(window.wanmu = window.wanmu || {});
