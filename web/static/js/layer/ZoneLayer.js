// ZoneLayer.js: the parks and township zones in view, drawn whole as vectors
// (the planners click, select, snap to and edit them); app.js loads them by
// the view's box and shows the overview tiles instead where too many are in
// view. Township zones are coloured by disposition, parks in teal; a wide
// soft halo in the platform's colour outlines each platform's members, and a
// label on top names the platform with its developable area.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;

	// ZoneName is a zone's name tooltip, centred by CSS (translate(-50%,
	// -50%) after Leaflet's own translate) instead of by measuring it:
	// Leaflet's tooltip reads its element's size each time it is placed,
	// which laid the page out once per zone when the map opened (~0.1 s for
	// the sample's 86 names on a quiet machine) and again on every zoom.
	var ZoneName = L.Tooltip.extend({
		_setPosition: function (pos) {
			var el = this._container;
			L.DomUtil.setPosition(el, pos.add(L.point(this.options.offset)));
			el.style.transform += ' translate(-50%, -50%)';
		}
	});

	wanmu.ZoneLayer = L.Layer.extend({
		options: {
			zonePane: 'wanmuZones',
			haloPane: 'wanmuHalo',
			labelPane: 'wanmuLabels'
		},

		initialize: function (options) {
			L.setOptions(this, options);
			this._features = {};     // id → GeoJSON feature
			this._layers = {};       // id → L.Polygon
			this._halos = {};        // id → L.Polygon
			this._selected = {};
			this._hidden = {};
			this._platforms = [];
			this._filter = { park: true, township: {}, halos: true, labels: true, platformLabels: true };
			wanmu.style.dispositions.forEach(function (d) { this._filter.township[d] = true; }, this);
			this._zoneGroup = L.featureGroup();
			this._haloGroup = L.layerGroup();
			this._labelGroup = L.layerGroup();
		},

		onAdd: function (map) {
			this._zoneGroup.addTo(map);
			this._haloGroup.addTo(map);
			this._labelGroup.addTo(map);
			map.on('zoomend', this._zoomClass, this);
			map.on('movestart moveend resize', this._viewChanged, this);
			wanmu.i18n.on('langchange', this._refreshPlatformLabels, this);
			wanmu.units.on('unitchange', this._refreshPlatformLabels, this);
			// A control over the map that shows, hides or opens (the editing
			// session's bar, the basemap switcher) makes room or takes it.
			var self = this;
			this._controlWatch = new MutationObserver(function () { self.placeLabels(); });
			this._controlWatch.observe(map.getContainer(), { subtree: true, attributes: true, attributeFilter: ['hidden', 'open'] });
			this._zoomClass();
		},

		onRemove: function (map) {
			map.off('zoomend', this._zoomClass, this);
			map.off('movestart moveend resize', this._viewChanged, this);
			this._controlWatch.disconnect();
			wanmu.i18n.off('langchange', this._refreshPlatformLabels, this);
			wanmu.units.off('unitchange', this._refreshPlatformLabels, this);
			map.removeLayer(this._zoneGroup);
			map.removeLayer(this._haloGroup);
			map.removeLayer(this._labelGroup);
		},

		// setData replaces every zone.
		setData: function (features) {
			Object.keys(this._layers).forEach(function (id) { this._drop(id); }, this);
			this._features = {};
			features.forEach(function (f) { this._features[f.properties.id] = f; this._build(f); }, this);
			this._refreshPlatformLabels();
		},

		// upsert adds or replaces one zone (after a write).
		upsert: function (f) {
			var id = f.properties.id;
			this._drop(id);
			if (f.properties.retired_at) {
				delete this._features[id];
			} else {
				this._features[id] = f;
				this._build(f);
			}
			this._refreshPlatformLabels();
		},

		// addMany adds or replaces the zones loaded for a view, keeping the
		// others (a zone being edited or selected stays whatever the view).
		addMany: function (features) {
			features.forEach(function (f) {
				var id = f.properties.id;
				this._drop(id);
				this._features[id] = f;
				this._build(f);
			}, this);
			this._refreshPlatformLabels();
		},

		// prune drops zones outside bounds that are not selected or kept,
		// so that panning across a large installation does not pile up
		// every zone in the page.
		prune: function (bounds, keep) {
			var dropped = 0;
			Object.keys(this._features).forEach(function (id) {
				if (this._selected[id] || this._hidden[id] || (keep && keep[id])) {
					return;
				}
				var l = this._layers[id];
				if (l && !bounds.intersects(l.getBounds())) {
					this._drop(id);
					delete this._features[id];
					dropped++;
				}
			}, this);
			if (dropped) {
				this._refreshPlatformLabels();
			}
			return dropped;
		},

		count: function () { return Object.keys(this._features).length; },

		remove: function (id) {
			this._drop(id);
			delete this._features[id];
			delete this._selected[id];
			this._refreshPlatformLabels();
		},

		feature: function (id) { return this._features[id]; },
		features: function () {
			var fs = this._features;
			return Object.keys(fs).map(function (k) { return fs[k]; });
		},
		layerOf: function (id) { return this._layers[id]; },

		// setPlatforms gives the platforms (for halo colours and labels).
		setPlatforms: function (platforms) {
			this._platforms = platforms || [];
			this._refreshPlatformLabels();
		},

		setFilter: function (filter) {
			L.extend(this._filter, filter);
			this.setData(this.features());
			this._zoomClass();
		},
		filter: function () { return this._filter; },

		setSelection: function (ids) {
			var sel = {};
			ids.forEach(function (id) { sel[id] = true; });
			var changed = Object.keys(L.extend({}, this._selected, sel));
			this._selected = sel;
			changed.forEach(function (id) { this._restyle(id); }, this);
			this.placeLabels(); // a selected zone's name is always shown
		},

		// setPassive lets clicks through to the map (while Geoman draws).
		setPassive: function (on) {
			this._passive = on;
			L.DomUtil[on ? 'addClass' : 'removeClass'](this._map.getContainer(), 'wanmu-passive');
		},

		// hide / show a zone while its editable copy is on the map.
		hide: function (id) {
			this._hidden[id] = true;
			if (this._layers[id]) {
				this._zoneGroup.removeLayer(this._layers[id]);
			}
		},
		show: function (id) {
			delete this._hidden[id];
			if (this._layers[id] && !this._zoneGroup.hasLayer(this._layers[id])) {
				this._zoneGroup.addLayer(this._layers[id]);
			}
		},

		// boundsOf returns the bounds of the given zones (all when ids is empty).
		boundsOf: function (ids) {
			var b = L.latLngBounds([]);
			(ids && ids.length ? ids : Object.keys(this._features)).forEach(function (id) {
				var f = this._features[id];
				if (f) {
					b.extend(L.geoJSON(f).getBounds());
				}
			}, this);
			return b;
		},

		// zonesInBounds lists the visible zones that intersect a box.
		zonesInBounds: function (bounds) {
			var out = [];
			Object.keys(this._layers).forEach(function (id) {
				var l = this._layers[id];
				if (this._zoneGroup.hasLayer(l) && bounds.intersects(l.getBounds())) {
					out.push(Number(id));
				}
			}, this);
			return out;
		},

		_visible: function (p) {
			if (p.kind === 'park') {
				return this._filter.park;
			}
			return this._filter.township[p.disposition] !== false;
		},

		_build: function (f) {
			var p = f.properties;
			if (!this._visible(p)) {
				return;
			}
			var layer = L.GeoJSON.geometryToLayer(f, { pane: this.options.zonePane, snapIgnore: false });
			layer.setStyle(this._style(p.id));
			layer.feature = f;
			layer.zoneId = p.id;
			layer.on('click', function (e) {
				if (this._passive) {
					return; // drawing or cutting: the click belongs to Geoman
				}
				L.DomEvent.stop(e);
				this.fire('zoneclick', { id: p.id, originalEvent: e.originalEvent, latlng: e.latlng });
			}, this);
			layer.on('mouseover', function () {
				if (!this._selected[p.id]) {
					layer.setStyle(wanmu.style.hover);
				}
			}, this);
			layer.on('mouseout', function () { this._restyle(p.id); }, this);
			if (this._filter.labels) {
				layer.bindTooltip(new ZoneName({
					permanent: true, direction: 'center', className: 'zone-label zone-label-' + p.kind, pane: this.options.labelPane, interactive: false
				}).setContent(h('span', { text: p.name })));
			}
			this._layers[p.id] = layer;
			if (!this._hidden[p.id]) {
				this._zoneGroup.addLayer(layer);
			}
			if (p.platform_id && this._filter.halos) {
				var halo = L.GeoJSON.geometryToLayer(f, {
					pane: this.options.haloPane, interactive: false, pmIgnore: true, snapIgnore: true
				});
				halo.setStyle(this._haloStyle(p.platform_id));
				this._halos[p.id] = halo;
				this._haloGroup.addLayer(halo);
			}
		},

		// setActivePlatform makes the open platform's outline stand out.
		setActivePlatform: function (id) {
			this._active = id || null;
			Object.keys(this._halos).forEach(function (zid) {
				var f = this._features[zid];
				if (f) {
					this._halos[zid].setStyle(this._haloStyle(f.properties.platform_id));
				}
			}, this);
			this.placeLabels(); // and the open platform's label
		},

		_haloStyle: function (pid) {
			var on = this._active && pid === this._active;
			return { color: wanmu.style.platformColor(pid), weight: on ? 12 : 9, opacity: on ? 0.7 : 0.38, fill: false, lineJoin: 'round' };
		},

		_drop: function (id) {
			if (this._layers[id]) {
				this._zoneGroup.removeLayer(this._layers[id]);
				delete this._layers[id];
			}
			if (this._halos[id]) {
				this._haloGroup.removeLayer(this._halos[id]);
				delete this._halos[id];
			}
		},

		_style: function (id) {
			var f = this._features[id];
			var s = wanmu.style.zoneStyle(f.properties);
			if (this._selected[id]) {
				s = L.extend({}, s, wanmu.style.selected, { fillOpacity: Math.min(0.75, s.fillOpacity + 0.2) });
			}
			return s;
		},

		_restyle: function (id) {
			var l = this._layers[id];
			if (l) {
				l.setStyle(this._style(id));
				if (this._selected[id]) {
					l.bringToFront();
				}
			}
		},

		_refreshPlatformLabels: function () {
			this._labelGroup.clearLayers();
			if (!this._filter.platformLabels) {
				this.placeLabels();
				return;
			}
			this._platforms.forEach(function (pl) {
				var ids = (pl.zone_ids || []).filter(function (id) { return this._features[id]; }, this);
				if (!ids.length) {
					return;
				}
				var b = this.boundsOf(ids);
				var color = wanmu.style.platformColor(pl.id);
				var label = h('div', { className: 'platform-label' + (pl.meets ? ' meets' : ' short'), style: { 'border-color': color } },
					h('span', { className: 'swatch', style: { background: color } }),
					h('span', { className: 'name', text: pl.name }),
					pl.developable_mu !== undefined ? h('span', { className: 'figure', text: wanmu.units.area(pl.developable_mu) }) : null);
				var m = L.marker([b.getNorth(), b.getCenter().lng], {
					pane: this.options.labelPane, interactive: true, keyboard: false, pmIgnore: true, snapIgnore: true,
					icon: L.divIcon({ html: label, className: 'platform-label-icon', iconSize: null, iconAnchor: [0, 0] })
				});
				m.on('click', function (e) {
					if (this._passive) {
						return;
					}
					L.DomEvent.stop(e);
					this.fire('platformclick', { id: pl.id });
				}, this);
				m.platformId = pl.id;
				this._labelGroup.addLayer(m);
			}, this);
			this.placeLabels();
		},

		refreshLabels: function () { this._refreshPlatformLabels(); },

		// placeLabels keeps the labels apart and clear of the controls
		// (LabelPlacer.js). Asked for many times in one change (new data,
		// zoom, move, resize, selection), it runs once, at the end of it.
		placeLabels: function () {
			if (this._labelsDue || !this._map) {
				return;
			}
			this._labelsDue = true;
			var self = this;
			Promise.resolve().then(function () {
				self._labelsDue = false;
				self._placeLabelsNow();
			});
		},

		// labelsSettled says no label placement is waiting (for tests).
		labelsSettled: function () {
			return !this._labelsDue && !this._moving && !!this._map && !this._map._animatingZoom && this._labelView === this._viewKey();
		},

		_viewKey: function () {
			var m = this._map, c = m.getPixelOrigin(), s = m.getSize();
			return [m.getZoom(), c.x, c.y, s.x, s.y, m._getMapPanePos().x, m._getMapPanePos().y].join(',');
		},

		_viewChanged: function (e) {
			this._moving = e.type === 'movestart';
			if (!this._moving) {
				this.placeLabels();
			}
		},

		_placeLabelsNow: function () {
			var map = this._map;
			if (!map || map._animatingZoom) {
				return; // the labels are moving: the zoom's end places them
			}
			var labels = [];
			this._labelGroup.eachLayer(function (m) {
				var el = m.getElement() && m.getElement().firstChild;
				if (el) {
					labels.push({ el: el, at: map.latLngToContainerPoint(m.getLatLng()).round(), platform: true, pinned: m.platformId === this._active });
				}
			}, this);
			Object.keys(this._layers).forEach(function (id) {
				var l = this._layers[id];
				var tip = l.getTooltip && l.getTooltip();
				var el = tip && tip.getElement && tip.getElement();
				if (!el || !this._zoneGroup.hasLayer(l)) {
					return;
				}
				// A zone's name may not be much wider than the zone on screen;
				// parks are few and named on the policy map: they get more room.
				var b = l.getBounds();
				var w = map.latLngToContainerPoint(b.getNorthEast()).x - map.latLngToContainerPoint(b.getSouthWest()).x;
				var room = l.feature.properties.kind === 'park' ? 2.2 : 1.15;
				labels.push({ el: el, at: map.latLngToContainerPoint(tip.getLatLng()).round(), platform: false,
					pinned: !!this._selected[id], area: l.feature.properties.area_mu || 0, room: w * room + 8 });
			}, this);
			wanmu.labelPlacer.place(map.getContainer(), labels);
			this._labelView = this._viewKey();
		},

		_zoomClass: function () {
			if (!this._map) {
				return;
			}
			this.placeLabels();
			var c = this._map.getContainer();
			var z = this._map.getZoom();
			L.DomUtil[z < 11 ? 'addClass' : 'removeClass'](c, 'wanmu-far');
			L.DomUtil[z < 9 ? 'addClass' : 'removeClass'](c, 'wanmu-very-far');
		}
	});
})(window.wanmu = window.wanmu || {});
