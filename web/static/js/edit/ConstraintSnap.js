// ConstraintSnap.js: snapping (and tracing) onto the boundaries of the
// constraint layers on the map (永久基本农田, 生态保护红线, 城镇开发边界 …).
// Those layers are drawn as canvas tiles, which Geoman cannot snap to, and
// tiles are clipped and simplified. So while an editing session snaps, the
// exact features of each visible layer in the view are read from /ogc (full
// precision) and kept as hidden, snappable shapes: a vertex snapped onto
// one is an exact copy of the parcel's vertex.
(function (wanmu) {
	'use strict';

	var MIN_ZOOM = 14;  // below this a view holds too many parcels to read
	var LIMIT = 2000;   // features per layer and view
	var KEEP = 20000;   // shapes kept across moves before starting afresh

	function ConstraintSnap(app) {
		wanmu.Emitter.call(this);
		this.app = app;
		this.map = app.map;
		this.active = false;
		this.status = { state: 'off' }; // off | zoom | loading | ready (count, truncated names)
		this._pane = this.map.createPane('wanmuSnapShapes');
		this._pane.style.display = 'none'; // never painted: only Geoman reads them
		this._group = L.layerGroup();
		this._seen = {};  // 'layerId/featureId' → true
		this._count = 0;
		this._gen = 0;    // answers of an older view are dropped
	}
	ConstraintSnap.prototype = Object.create(wanmu.Emitter.prototype);

	// setActive starts or stops reading the view's parcels.
	ConstraintSnap.prototype.setActive = function (on) {
		on = !!on;
		if (on === this.active) {
			return;
		}
		this.active = on;
		this._gen++;
		if (on) {
			this._group.addTo(this.map);
			this.map.on('moveend', this._load, this);
			this.map.on('layeradd layerremove', this._toggled, this);
			this._load();
		} else {
			this.map.off('moveend', this._load, this);
			this.map.off('layeradd layerremove', this._toggled, this);
			this.map.removeLayer(this._group);
			this._clear();
			this._setStatus({ state: 'off' });
		}
	};

	// layers are the shapes read so far (for tracing along a parcel's edge).
	ConstraintSnap.prototype.layers = function () {
		return this.active ? this._group.getLayers() : [];
	};

	// _visible is the constraint layers now shown on the map.
	ConstraintSnap.prototype._visible = function () {
		var app = this.app, map = this.map;
		return app.layers.filter(function (l) {
			var tl = app.tileLayers[l.id];
			return l.kind !== 'reference' && tl && map.hasLayer(tl);
		});
	};

	ConstraintSnap.prototype._load = function () {
		var self = this, gen = ++this._gen;
		var layers = this._visible();
		if (!layers.length) {
			this._setStatus({ state: 'none' });
			return;
		}
		if (this.map.getZoom() < MIN_ZOOM) {
			this._setStatus({ state: 'zoom', zoom: MIN_ZOOM });
			return;
		}
		if (this._count > KEEP) {
			this._clear();
		}
		var b = this.map.getBounds().pad(0.25);
		var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].join(',');
		this._setStatus({ state: 'loading' });
		Promise.all(layers.map(function (l) {
			return wanmu.api.get(window.location.origin + '/ogc/collections/layer-' + l.id + '/items', { bbox: bbox, limit: LIMIT, f: 'json' }, { quiet401: true })
				.then(function (fc) { return { layer: l, fc: fc }; }, function () { return { layer: l, fc: null }; });
		})).then(function (answers) {
			if (gen !== self._gen || !self.active) {
				return;
			}
			var truncated = [], failed = [];
			answers.forEach(function (a) {
				if (!a.fc) {
					failed.push(a.layer.name);
					return;
				}
				var fs = a.fc.features || [];
				fs.forEach(function (f) { self._add(a.layer.id, f); });
				if (typeof a.fc.numberMatched === 'number' && a.fc.numberMatched > fs.length) {
					truncated.push(a.layer.name);
				}
			});
			self._setStatus({ state: 'ready', count: self._count, layers: layers.length, truncated: truncated, failed: failed });
		});
	};

	// _toggled follows a constraint layer switched on or off in the layer
	// panel: a hidden layer's parcels no longer attract the pointer.
	ConstraintSnap.prototype._toggled = function (e) {
		if (!(e.layer instanceof wanmu.TileGeoJSONLayer)) {
			return;
		}
		if (e.type === 'layerremove') {
			var id = this._layerIdOf(e.layer), self = this;
			this._group.eachLayer(function (shape) {
				if (shape.constraintLayerId === id) {
					self._group.removeLayer(shape);
					self._count--;
				}
			});
			Object.keys(this._seen).forEach(function (k) {
				if (k.split('/')[0] === String(id)) {
					delete self._seen[k];
				}
			});
		}
		this._load();
	};

	ConstraintSnap.prototype._layerIdOf = function (tl) {
		var tls = this.app.tileLayers;
		for (var id in tls) {
			if (tls[id] === tl) {
				return Number(id);
			}
		}
		return null;
	};

	ConstraintSnap.prototype._add = function (layerId, f) {
		var key = layerId + '/' + f.id;
		if (this._seen[key] || !f.geometry || (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon')) {
			return;
		}
		this._seen[key] = true;
		var shape = L.GeoJSON.geometryToLayer(f, {
			pane: 'wanmuSnapShapes', interactive: false, pmIgnore: true, snapIgnore: false,
			stroke: false, fill: false
		});
		shape.constraintLayerId = layerId;
		this._group.addLayer(shape);
		this._count++;
	};

	ConstraintSnap.prototype._clear = function () {
		this._group.clearLayers();
		this._seen = {};
		this._count = 0;
	};

	ConstraintSnap.prototype._setStatus = function (s) {
		this.status = s;
		this.fire('change', s);
	};

	// describe is the status in words, for the snapping popover.
	ConstraintSnap.prototype.describe = function () {
		var s = this.status, t = wanmu.i18n.t;
		switch (s.state) {
		case 'none':
			return t('snap.layersNone');
		case 'zoom':
			return t('snap.layersZoom', { z: s.zoom });
		case 'loading':
			return t('snap.layersLoading');
		case 'ready':
			return t('snap.layersReady', { n: wanmu.i18n.number(s.count, 0), layers: s.layers }) +
				(s.truncated.length ? ' ' + t('snap.layersTruncated', { names: s.truncated.join('、'), limit: LIMIT }) : '') +
				(s.failed.length ? ' ' + t('snap.layersFailed', { names: s.failed.join('、') }) : '');
		}
		return '';
	};

	wanmu.ConstraintSnap = ConstraintSnap;
})(window.wanmu = window.wanmu || {});
