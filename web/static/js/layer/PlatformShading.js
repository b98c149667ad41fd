// PlatformShading.js: 平台着色 (issue 18, item 5): every platform's zones
// filled by the class of one of its indicators for the layers panel's year
// (GET /evaluation/platforms), darker for more; the legend gives the classes'
// breaks with the unit and marks the 2025 target where the policy sets one,
// and the outline says whether the platform meets it (solid) or not
// (dashed). Each platform's value is a badge in its name label. The
// shading takes no clicks: the zones stay selectable through it.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var PANE = 'wanmuShading';
	// The indicators offered, in the panel's order; low_share is the low-
	// efficiency land's share of the platform's land (low_efficiency.share).
	var INDICATORS = ['value_added_per_mu', 'tax_per_mu', 'investment_intensity', 'economic_density', 'tax_density', 'rd_intensity', 'low_share'];
	var BLUES = ['#d2e3f3', '#9cc3e4', '#5b9bd0', '#2a6cad', '#0d3f7a'];
	var ORANGES = ['#fde0c5', '#fbb57a', '#f0823a', '#d2520f', '#8f3004']; // more low-efficiency land: worse
	var OUTLINE = '#1d3557';
	var NO_VALUE = '#c9ced4';

	function PlatformShading(group) {
		this.group = group;
		this.app = group.app;
		this.on = false;
		this.indicator = 'tax_per_mu';
		this.data = null;    // GET /evaluation/platforms of this.year
		this.year = null;
		this.failed = false;
		this.zones = {};     // platform id → zone features (geometry does not change with the year)
		this.layer = null;
		this.scale = null;   // {breaks, colors, unit, byPlatform: id → class index (-1: no value)}
		this._seq = 0;
		// The zones and figures are reloaded when the platforms are (a zone's
		// edit or a membership change reloads them; 'zones' also fires on every
		// pan): the next sync fetches them afresh.
		var self = this;
		this.app.on('platforms', function () {
			self.zones = {};
			if (self.on && self.data) {
				self.year = null;
				self.sync();
			}
		});
	}

	PlatformShading.prototype.toggle = wanmu.YearLayer.toggle;
	PlatformShading.prototype.sync = wanmu.YearLayer.sync;

	PlatformShading.prototype.setIndicator = function (code) {
		this.indicator = code;
		this._draw();
		this.group.changed();
	};

	// _fetch reads the year's platform figures and the zones not loaded yet.
	PlatformShading.prototype._fetch = function (year) {
		var self = this;
		return wanmu.api.get('/evaluation/platforms', { year: year, scenario: 0 }).then(function (res) {
			return self._loadZones(res.platforms || []).then(function () { return res; });
		});
	};

	// _loadZones fetches the official member zones of the platforms not
	// loaded before.
	PlatformShading.prototype._loadZones = function (ps) {
		var self = this;
		return Promise.all(ps.filter(function (p) { return !self.zones[p.platform]; }).map(function (p) {
			return wanmu.api.get('/zones', { platform: p.platform, limit: 5000, scenario: 0 }).then(function (fc) {
				self.zones[p.platform] = fc.features || [];
			});
		}));
	};

	// value is platform p's figure of the chosen indicator (null: none).
	PlatformShading.prototype.value = function (p) {
		if (this.indicator === 'low_share') {
			var s = p.low_efficiency && p.low_efficiency.share;
			return s === null || s === undefined ? null : s * 100;
		}
		var v = this._entry(p);
		return v && v.value !== null && v.value !== undefined ? v.value : null;
	};

	PlatformShading.prototype._entry = function (p) {
		var code = this.indicator;
		return (p.values || []).filter(function (v) { return v.code === code; })[0] || null;
	};

	PlatformShading.prototype.unit = function () {
		if (this.indicator === 'low_share') {
			return '%';
		}
		var code = this.indicator;
		var d = ((this.data && this.data.definitions) || []).filter(function (x) { return x.code === code; })[0];
		return d ? wanmu.PlatformIndicators.words.unit(d.unit) : '';
	};

	// classOf is the class index of platform id (0 lightest), -1 without a value.
	PlatformShading.prototype.classOf = function (id) {
		return this.scale ? (this.scale.byPlatform[String(id)] === undefined ? -1 : this.scale.byPlatform[String(id)]) : -1;
	};

	PlatformShading.prototype._computeScale = function () {
		var self = this, ps = this.data.platforms || [];
		var vals = ps.map(function (p) { return self.value(p); }).filter(function (v) { return v !== null; });
		var breaks = niceBreaks(vals, 5);
		var colors = ramp(this.indicator === 'low_share' ? ORANGES : BLUES, breaks.length - 1);
		var by = {}, targets = [];
		ps.forEach(function (p) {
			var v = self.value(p);
			by[p.platform] = v === null ? -1 : classIndex(breaks, v);
			var e = self.indicator === 'low_share' ? null : self._entry(p);
			if (e && e.target !== null && e.target !== undefined) {
				targets.push(e.target);
			}
		});
		this.scale = { breaks: breaks, colors: colors, byPlatform: by, targets: targets };
	};

	PlatformShading.prototype._remove = function () {
		if (this.layer) {
			this.app.map.removeLayer(this.layer);
			this.layer = null;
		}
		if (this._badges) {
			this._badges = null;
			this._eachLabel(this._badge);
		}
	};

	// The value badges go inside the platforms' name labels (ZoneLayer.js),
	// so each badge is its platform's and the labels' placement keeps them
	// apart; a platform without a label gets a badge at its largest zone.
	// Labels rebuilt later (a zoom, a language switch) get theirs on adding.
	PlatformShading.prototype._eachLabel = function (fn) {
		var self = this;
		this.app.map.eachLayer(function (l) {
			if (l.platformId !== undefined) {
				fn.call(self, l);
			}
		});
		if (this.app.zones && this.app.zones.placeLabels) {
			this.app.zones.placeLabels();
		}
	};

	PlatformShading.prototype._badge = function (marker) {
		var el = marker.getElement && marker.getElement(), lab = el && el.querySelector('.platform-label');
		if (!lab) {
			return false;
		}
		var old = lab.querySelector('.shading-badge');
		if (old) {
			old.remove();
		}
		var b = this._badges && this._badges[String(marker.platformId)];
		if (b) {
			lab.appendChild(badge(b, 'shading-badge'));
		}
		return !!b;
	};

	function badge(b, cls) {
		return h('span', { className: cls, dataset: { platformId: b.id, cls: String(b.k) }, text: b.text,
			style: { background: b.fill, color: b.ink, 'border-color': b.border, 'border-style': b.dashed ? 'dashed' : 'solid' } });
	}

	PlatformShading.prototype._draw = function () {
		var map = this.app.map, self = this;
		this._remove();
		if (!this.on || !this.data) {
			return;
		}
		this._computeScale();
		if (!map.getPane(PANE)) {
			var pane = map.createPane(PANE);
			pane.style.zIndex = 412; // above the zones' fills, below the enterprises
			pane.style.pointerEvents = 'none';
		}
		if (!this._renderer) {
			this._renderer = L.canvas({ pane: PANE, padding: 0.3 });
		}
		if (!this._hooked) {
			this._hooked = true;
			map.on('layeradd', function (e) {
				if (e.layer.platformId !== undefined && self._badges) {
					self._badge(e.layer);
				}
			});
		}
		var sc = this.scale, layers = [], labelled = {};
		this._badges = {};
		(this.data.platforms || []).forEach(function (p) {
			var k = sc.byPlatform[p.platform], e = self.indicator === 'low_share' ? null : self._entry(p), v = self.value(p);
			var fill = k < 0 ? NO_VALUE : sc.colors[k];
			self._badges[String(p.platform)] = { id: String(p.platform), k: k, fill: fill, text: v === null ? '—' : wanmu.i18n.number(v, 1),
				ink: k >= (sc.colors.length - 1) / 2 ? '#fff' : '#1d3557', border: wanmu.style.shade(fill, -0.4), dashed: e && e.meets_target === false };
		});
		this._eachLabel(function (m) {
			if (this._badge(m)) {
				labelled[String(m.platformId)] = true;
			}
		});
		(this.data.platforms || []).forEach(function (p) {
			var k = sc.byPlatform[p.platform], e = self.indicator === 'low_share' ? null : self._entry(p);
			var meets = e && e.meets_target !== undefined && e.meets_target !== null ? e.meets_target : null;
			// A wide outline in the class's colour keeps small zones visible
			// over the whole city; dashed where the target is missed.
			var fill = k < 0 ? NO_VALUE : sc.colors[k];
			var style = {
				pane: PANE, renderer: self._renderer, interactive: false,
				fillColor: fill, fillOpacity: 0.85,
				color: wanmu.style.shade(fill, -0.3), weight: 3, opacity: 0.95, dashArray: meets === false ? '6 4' : null
			};
			var zs = self.zones[p.platform] || [];
			var biggest = null, area = -1;
			zs.forEach(function (f) {
				layers.push(L.geoJSON(f, { pane: PANE, renderer: self._renderer, interactive: false, pmIgnore: true, snapIgnore: true, style: function () { return style; } }));
				largestPart(f.geometry, function (ring, a) {
					if (a > area) {
						area = a;
						biggest = ring;
					}
				});
			});
			if (biggest && !labelled[String(p.platform)]) {
				// No name label: the badge (the class's key too: over the whole
				// city the zones are specks) above the largest zone's centre.
				var label = L.tooltip({ permanent: true, direction: 'top', offset: [0, -6], className: 'shading-label', interactive: false, pane: 'tooltipPane' })
					.setLatLng(L.polygon(biggest.map(function (c) { return [c[1], c[0]]; })).getBounds().getCenter())
					.setContent(badge(self._badges[String(p.platform)], 'shading-tip'));
				layers.push(label);
			}
		});
		this.layer = L.layerGroup(layers).addTo(map);
	};

	// item is the panel's row: the toggle, and when on the indicator and the legend.
	PlatformShading.prototype.item = function () {
		var self = this;
		var cb = h('input', { type: 'checkbox', checked: this.on, attrs: { 'data-layer': 'evalmap-shading' } });
		cb.addEventListener('change', function () { self.toggle(cb.checked); });
		var extra = null;
		if (this.on) {
			var sel = h('select', { className: 'evalmap-indicator', attrs: { 'data-evalmap-indicator': '', 'aria-label': t('evalmap.indicator') },
				on: { change: function () { self.setIndicator(sel.value); } } },
			INDICATORS.map(function (c) { return h('option', { value: c, selected: c === self.indicator, text: t('evalmap.ind.' + c) }); }));
			var legend;
			if (this.failed) {
				legend = h('div', { className: 'muted small', i18n: 'evalmap.failed' });
			} else if (!this.data || !this.scale) {
				legend = h('div', { className: 'muted small', i18n: 'evalmap.loadingLayer' });
			} else {
				legend = this._legend();
			}
			extra = h('div', { className: 'evalmap-shading' }, sel, legend);
		}
		return h('div', { className: 'layer-item' },
			h('label', { className: 'layer-row' }, cb, h('span', { className: 'swatch evalmap-ramp' }), h('span', { className: 'layer-name', i18n: 'evalmap.shading' })),
			extra);
	};

	// legendRows are the classes (darkest first) and, where the policy sets
	// one, the 2025 target.
	PlatformShading.prototype.legendRows = function () {
		var sc = this.scale, unit = this.unit(), rows = [];
		var fmt = breakFormat(sc.breaks); // one number format for the whole legend
		var counts = {};
		Object.keys(sc.byPlatform).forEach(function (id) { counts[sc.byPlatform[id]] = (counts[sc.byPlatform[id]] || 0) + 1; });
		var tmin = sc.targets.length ? Math.min.apply(null, sc.targets) : null, tmax = sc.targets.length ? Math.max.apply(null, sc.targets) : null;
		for (var i = sc.breaks.length - 2; i >= 0; i--) {
			var lo = sc.breaks[i], hi = sc.breaks[i + 1];
			var hasTarget = tmin !== null && tmin >= lo && (tmin < hi || i === sc.breaks.length - 2 && tmin <= hi);
			rows.push({
				key: 'class-' + i, cls: i, target: hasTarget,
				swatch: h('span', { className: 'swatch', style: { background: sc.colors[i], 'border-color': wanmu.style.shade(sc.colors[i], -0.25) } }),
				label: fmt(lo) + ' – ' + fmt(hi) + ' ' + unit + (hasTarget ? ' ◆' : ''),
				count: t('evalmap.platforms', { n: counts[i] || 0 })
			});
		}
		if (counts[-1]) {
			rows.push({ key: 'none', swatch: h('span', { className: 'swatch', style: { background: NO_VALUE } }), label: t('evalmap.noValue'), count: t('evalmap.platforms', { n: counts[-1] }) });
		}
		if (tmin !== null) {
			var meets = (this.data.platforms || []).filter(function (p) { return p.values && p.values.some(function (v) { return v.code === this.indicator && v.meets_target; }, this); }, this).length;
			rows.push({
				key: 'target', wide: true, swatch: h('span', { className: 'swatch evalmap-target-key' }),
				label: t('evalmap.target', { v: tmin === tmax ? fmt(tmin) : fmt(tmin) + '–' + fmt(tmax), unit: unit, n: meets, m: sc.targets.length })
			});
		}
		return rows;
	};

	PlatformShading.prototype._legend = function () {
		var table = wanmu.evalmap.legendTable(this.legendRows(), 'evalmap-shading');
		table.dataset.indicator = this.indicator;
		return table;
	};

	PlatformShading.prototype.printRows = function () {
		if (!this.on || !this.data || !this.scale) {
			return [];
		}
		var title = t('evalmap.shading') + ' ' + this.year + ' · ' + t('evalmap.ind.' + this.indicator);
		return this.legendRows().map(function (r) { return [r.swatch, title + ' · ' + r.label + (r.count ? ' (' + r.count + ')' : '')]; });
	};

	// largestPart calls fn with each outer ring of a (Multi)Polygon and its
	// planar area in square degrees: the label goes on the largest part.
	function largestPart(g, fn) {
		var polys = g.type === 'MultiPolygon' ? g.coordinates : (g.type === 'Polygon' ? [g.coordinates] : []);
		polys.forEach(function (p) {
			var r = p[0], a = 0;
			for (var i = 0, j = r.length - 1; i < r.length; j = i++) {
				a += (r[j][0] - r[i][0]) * (r[j][1] + r[i][1]);
			}
			fn(r, Math.abs(a / 2));
		});
	}

	function fmt(v) {
		var d = Math.abs(v) >= 100 || v === Math.round(v) ? 0 : (Math.abs(v) >= 10 ? 1 : 2);
		return wanmu.i18n.number(v, d);
	}

	// breakFormat formats every break with the decimals the finest one
	// needs, so a legend does not mix "9.50" with "11".
	function breakFormat(b) {
		var d = 0;
		b.forEach(function (v) {
			while (d < 3 && Math.abs(v * Math.pow(10, d) - Math.round(v * Math.pow(10, d))) > 1e-6) {
				d++;
			}
		});
		return function (v) { return wanmu.i18n.number(v, d); };
	}

	// niceBreaks cuts [min, max] of vals into about n classes of a round width.
	function niceBreaks(vals, n) {
		if (!vals.length) {
			return [0, 1];
		}
		var min = Math.min.apply(null, vals), max = Math.max.apply(null, vals);
		if (max <= min) {
			return [min, min + (Math.abs(min) || 1)];
		}
		var raw = (max - min) / n, mag = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10)), f = raw / mag;
		var step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
		var b = [Math.floor(min / step) * step];
		while (b[b.length - 1] < max && b.length < 12) {
			b.push(+(b[b.length - 1] + step).toPrecision(12));
		}
		return b;
	}

	// classIndex: v in [b[i], b[i+1]); the maximum in the last class.
	function classIndex(b, v) {
		for (var i = 0; i < b.length - 2; i++) {
			if (v < b[i + 1]) {
				return i;
			}
		}
		return b.length - 2;
	}

	// ramp picks k colours from light to dark along the stops.
	function ramp(stops, k) {
		var out = [];
		for (var i = 0; i < k; i++) {
			var x = k === 1 ? 1 : i / (k - 1) * (stops.length - 1);
			var a = Math.floor(x), b = Math.min(a + 1, stops.length - 1), f = x - a;
			out.push(mix(stops[a], stops[b], f));
		}
		return out;
	}

	function mix(c1, c2, f) {
		var a = parseInt(c1.slice(1), 16), b = parseInt(c2.slice(1), 16);
		var ch = function (s) { return Math.round(((a >> s) & 255) * (1 - f) + ((b >> s) & 255) * f); };
		return '#' + ((1 << 24) + (ch(16) << 16) + (ch(8) << 8) + ch(0)).toString(16).slice(1);
	}

	wanmu.PlatformShading = PlatformShading;
})(window.wanmu = window.wanmu || {});
