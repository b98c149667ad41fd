// DevelopableLayer.js: the active platform's developable land on the map, in
// green, and the land each reason deducts from it, hatched in its constraint
// layer's colour, with a legend of their areas in the platform panel. The
// land comes from GET /platforms/{id}/developable, computed like the report,
// so the legend's parts add up to the report's developable and deducted
// figures. The planner turns it on in the panel; the choice is remembered.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var s = wanmu.dom.svg;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var STORAGE_KEY = 'wanmu.developable';
	var DEVELOPABLE = '#2f8a57';
	var OUTSIDE = '#6b7785'; // outside the include layers: neutral, the include style is green too

	function DevelopableLayer(app) {
		this.app = app;
		this.on = false;
		try {
			this.on = window.localStorage.getItem(STORAGE_KEY) === 'on';
		} catch (e) { /* off */ }
		this.key = null;  // "platform@report time" shown or being loaded
		this.data = null; // the FeatureCollection once loaded
		this.failed = false;
		this._seq = 0;
		this.group = null;
		this.renderer = null;
	}

	// sync shows the land of platform p under report r when the layer is on,
	// and nothing otherwise. A new report (another computed_at) reloads it.
	DevelopableLayer.prototype.sync = function (p, r) {
		var key = this.on && p && r ? p.id + '@' + r.computed_at : null;
		if (key === this.key) {
			return;
		}
		var seq = ++this._seq, self = this;
		this.key = key;
		this.data = null;
		this.failed = false;
		this._clear();
		if (!key) {
			return;
		}
		wanmu.api.get('/platforms/' + p.id + '/developable').then(function (fc) {
			if (seq === self._seq) {
				self.data = fc;
				self._draw();
				self.app.platformPanel.render();
			}
		}, function (err) {
			if (seq === self._seq) {
				self.failed = true;
				self.app.platformPanel.render();
				wanmu.notifyError(err, t('developable.failed'));
			}
		});
	};

	// control is the panel's toggle and, when on, the legend.
	DevelopableLayer.prototype.control = function () {
		var self = this;
		var toggle = h('label', { className: 'developable-toggle' },
			h('input', {
				type: 'checkbox', checked: this.on, attrs: { 'data-action': 'toggle-developable' },
				on: { change: function (e) { self.toggle(e.target.checked); } }
			}),
			h('span', { i18n: 'developable.show' }));
		var body = null;
		if (this.on && this.failed) {
			body = h('div', { className: 'muted', i18n: 'developable.failed' });
		} else if (this.on && !this.data) {
			body = h('div', { className: 'muted', i18n: 'developable.loading' });
		} else if (this.on) {
			body = this._legend();
		}
		return h('section', { className: 'developable-section', attrs: { 'data-section': 'developable' } }, toggle, body);
	};

	DevelopableLayer.prototype.toggle = function (on) {
		this.on = !!on;
		try {
			window.localStorage.setItem(STORAGE_KEY, this.on ? 'on' : 'off');
		} catch (e) { /* not remembered */ }
		this.app.platformPanel.render(); // calls sync
	};

	DevelopableLayer.prototype._legend = function () {
		var rows = this.data.features.map(function (f) {
			var pr = f.properties, c = color(pr);
			return h('tr', { dataset: { kind: pr.kind, mu: String(pr.area_mu) } },
				h('td', null, h('span', { className: 'developable-key', style: { background: pr.kind === 'developable' ? c : hatch(c), 'border-color': c } })),
				h('th', { text: label(pr) }),
				h('td', { className: 'num', text: wanmu.units.area(pr.area_mu, { bare: true }) }));
		});
		return h('table', { className: 'figures developable-legend' },
			h('thead', null, h('tr', null, h('th'), h('th'), h('th', { className: 'num', text: wanmu.units.symbol() }))),
			h('tbody', null, rows.length ? rows : h('tr', null, h('td', { attrs: { colspan: 3 }, className: 'muted', i18n: 'developable.none' }))));
	};

	DevelopableLayer.prototype._clear = function () {
		if (this.group) {
			this.group.clearLayers();
		}
		if (this.defs) {
			wanmu.dom.clear(this.defs);
		}
	};

	DevelopableLayer.prototype._draw = function () {
		var map = this.app.map;
		if (!map.getPane('wanmuDevelopable')) {
			// above the zones' fills, below the editing and compare panes; never
			// takes a click, so zones stay selectable through it
			var pane = map.createPane('wanmuDevelopable');
			pane.style.zIndex = 415;
			pane.style.pointerEvents = 'none';
		}
		if (!this.group) {
			this.renderer = L.svg({ pane: 'wanmuDevelopable' }).addTo(map);
			// Leaflet has no API for SVG <defs>: the hatch patterns go into the
			// renderer's own <svg>, which its paths' url(#…) fills refer to.
			this.defs = s('defs');
			this.renderer._container.insertBefore(this.defs, this.renderer._container.firstChild);
			this.group = L.layerGroup().addTo(map);
		}
		this._clear();
		var self = this;
		this.data.features.forEach(function (f, i) {
			var pr = f.properties, c = color(pr), style;
			if (pr.kind === 'developable') {
				style = { color: wanmu.style.shade(c, -0.25), weight: 1.4, fillColor: c, fillOpacity: 0.6 };
			} else {
				var id = 'devhatch-' + self._seq + '-' + i;
				self.defs.appendChild(s('pattern', { id: id, width: 7, height: 7, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
					s('rect', { width: 7, height: 7, fill: c, 'fill-opacity': 0.12 }),
					s('line', { x1: 0, y1: 0, x2: 0, y2: 7, stroke: c, 'stroke-width': 2.2, 'stroke-opacity': 0.85 })));
				style = { color: c, weight: 1, fillColor: 'url(#' + id + ')', fillOpacity: 1 };
			}
			self.group.addLayer(L.geoJSON(f, {
				renderer: self.renderer, pane: 'wanmuDevelopable', interactive: false, pmIgnore: true, snapIgnore: true,
				style: function () { return style; }
			}));
		});
	};

	// color: green for developable land, the layer's own colour for an
	// exclude layer (core/style.js), grey for land outside the include layers.
	function color(pr) {
		if (pr.kind === 'developable') {
			return DEVELOPABLE;
		}
		if (pr.kind === 'exclude') {
			return wanmu.style.layerStyle({ kind: 'exclude', name: pr.layer }).stroke;
		}
		return OUTSIDE;
	}

	function hatch(c) {
		return 'repeating-linear-gradient(45deg, ' + c + ' 0 1.5px, #fff 1.5px 4px)';
	}

	function label(pr) {
		if (pr.kind === 'developable') {
			return t('developable.land');
		}
		if (pr.kind === 'outside_include') {
			return t('developable.outside', { layers: (pr.layers || []).join(t('list.separator')) });
		}
		return pr.layer;
	}

	wanmu.DevelopableLayer = DevelopableLayer;
})(window.wanmu = window.wanmu || {});
