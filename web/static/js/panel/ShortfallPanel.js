// ShortfallPanel.js: 缺口补足建议 in the platform panel. For a platform below
// its threshold, the button asks GET /platforms/{id}/shortfall for the land
// that could close the gap — zones in no platform and free blocks near it —
// draws the candidates on the map, numbered (the suggested set filled), and
// lists each one's marginal developable area, distance, whether it touches
// the platform and its county (another county flagged). Inside a plan,
// "加入方案" adds one through POST /platforms/{id}/shortfall/add and the
// platform's figures refresh as after any membership write; in the official
// data the list says to create or switch to a plan first.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var SUGGESTED = '#d9480f';
	var OTHER = '#7048e8';
	var RADII = [5000, 10000, 20000]; // the search radii offered (the server allows 100 m–20 km)

	function ShortfallPanel(app) {
		this.app = app;
		this.open = false;
		this.pid = null;   // the platform the list is open for
		this.key = null;   // "platform@version" shown or being loaded
		this.data = null;  // the GET answer
		this.failed = false;
		this.busy = null;  // the key of the candidate being added
		this.radius = RADII[0]; // metres searched around the platform
		this.fitted = null; // the platform the map was fitted to
		this.group = null;
		this._seq = 0;
	}

	// section is the panel's part for platform p with report r: nothing for a
	// platform that meets its threshold (unless the list is open), else the
	// button and, when open, the suggestions. A new platform version reloads.
	ShortfallPanel.prototype.section = function (p, r, canEdit) {
		var self = this;
		if (this.open && this.pid !== p.id) {
			this.close();
		}
		if (r.meets && !this.open) {
			return null;
		}
		if (this.open) {
			this._load(p);
		}
		var btn = h('button', {
			className: 'btn btn-small' + (this.open ? ' active' : ''), attrs: { type: 'button', 'data-action': 'shortfall', 'aria-expanded': String(this.open) },
			on: { click: function () { self.toggle(p); } }
		}, h('span', { i18n: this.open ? 'shortfall.hide' : 'shortfall.button' }));
		var body = null;
		if (this.open && this.failed) {
			body = h('div', { className: 'muted', i18n: 'shortfall.failed' });
		} else if (this.open && !this.data) {
			body = h('div', { className: 'muted', i18n: 'shortfall.loading' });
		} else if (this.open) {
			body = this._list(p, canEdit);
		}
		return h('section', { className: 'shortfall-section', attrs: { 'data-section': 'shortfall' } },
			h('div', { className: 'shortfall-head' }, btn), body);
	};

	ShortfallPanel.prototype.toggle = function (p) {
		if (this.open) {
			this.close();
		} else {
			this.open = true;
			this.pid = p.id;
		}
		this.app.platformPanel.render();
	};

	ShortfallPanel.prototype.close = function () {
		this.open = false;
		this.key = null;
		this.data = null;
		this.failed = false;
		this.busy = null;
		this.fitted = null;
		this._seq++;
		this._clear();
	};

	ShortfallPanel.prototype._load = function (p) {
		var key = p.id + '@' + p.version + '@' + this.radius;
		if (key === this.key) {
			return;
		}
		var seq = ++this._seq, self = this;
		this.key = key;
		this.data = null;
		this.failed = false;
		wanmu.api.get('/platforms/' + p.id + '/shortfall', { radius_m: this.radius }).then(function (d) {
			if (seq === self._seq) {
				self.data = d;
				self.busy = null;
				self._draw(p);
				self.app.platformPanel.render();
			}
		}, function (err) {
			if (seq === self._seq) {
				self.failed = true;
				self.app.platformPanel.render();
				wanmu.notifyError(err, t('shortfall.failed'));
			}
		});
	};

	ShortfallPanel.prototype._list = function (p, canEdit) {
		var d = this.data, self = this;
		var inPlan = !!wanmu.api.scenario();
		var fs = ordered(d);
		var number = {};
		fs.forEach(function (f, i) { number[f.properties.key] = i + 1; });
		var summary;
		if (d.meets) {
			summary = h('div', { className: 'info-box', attrs: { 'data-shortfall': 'meets' }, text: t('shortfall.meets') });
		} else if (!fs.length) {
			summary = h('div', { className: 'info-box', text: t('shortfall.none', { km: wanmu.i18n.number(d.radius_m / 1000, 0) }) });
		} else {
			var nums = d.suggested.map(function (k) { return '#' + number[k]; }).join(t('list.separator'));
			summary = h('div', { className: 'shortfall-summary', attrs: { 'data-shortfall': d.closes ? 'closes' : 'short' } },
				h('div', { text: t('shortfall.gap', { v: wanmu.units.area(d.shortfall.mu) }) }),
				h('div', null, h('strong', { text: t(d.closes ? 'shortfall.set' : 'shortfall.setShort', {
					list: nums, n: d.suggested.length, v: wanmu.units.area(d.suggested_gain.mu), km: wanmu.i18n.number(d.suggested_km, 2)
				}) })),
				h('div', { className: 'muted', text: t(d.minimal ? 'shortfall.minimal' : 'shortfall.notMinimal') }),
				canEdit && d.suggested.length > 1 ? h('button', {
					className: 'btn btn-small btn-primary', attrs: { type: 'button', 'data-action': 'shortfall-add-all' },
					disabled: !inPlan || !!self.busy || !d.suggested.every(function (k) {
						var f = fs[number[k] - 1];
						return f && wanmu.permissions.mayEditZone({ county_adcode: f.properties.county });
					}),
					title: inPlan ? '' : t('shortfall.planFirst'),
					on: { click: function () { self.addAll(p); } }
				}, h('span', { text: t(self.busy === 'all' ? 'shortfall.adding' : 'shortfall.addAll', { n: d.suggested.length }) })) : null,
				h('details', { className: 'shortfall-method' }, h('summary', { i18n: 'shortfall.methodTitle' }),
					h('p', { className: 'muted', text: t('shortfall.method') }),
					h('p', { className: 'muted', text: t('shortfall.search', {
						km: wanmu.i18n.number(d.radius_m / 1000, 0), block: wanmu.i18n.number(d.block_m, 0), min: wanmu.i18n.number(d.min_block_mu, 0)
					}) })));
		}
		var radii = h('div', { className: 'shortfall-radii' }, h('span', { className: 'muted', i18n: 'shortfall.radius' }),
			RADII.map(function (m) {
				return h('button', {
					className: 'btn btn-small' + (m === self.radius ? ' active' : ''), attrs: { type: 'button', 'data-radius': String(m) },
					disabled: !!self.busy, text: wanmu.i18n.number(m / 1000, 0) + ' km',
					on: { click: function () { self.setRadius(m, p); } }
				});
			}));
		var note = inPlan ? null : h('div', { className: 'warn-box', attrs: { 'data-shortfall': 'plan-first' }, i18n: 'shortfall.planFirst' });
		var rows = fs.map(function (f) {
			var c = f.properties, n = number[c.key];
			var county = c.county ? wanmu.i18n.tOr('county.' + c.county, c.county_name || c.county) : '—';
			return h('tr', { className: 'shortfall-row' + (c.suggested ? ' suggested' : ''), dataset: { key: c.key, suggested: String(c.suggested || 0), marginalMu: String(c.marginal_mu) } },
				h('td', null, h('span', { className: 'shortfall-num' + (c.suggested ? ' suggested' : ''), text: String(n) })),
				h('td', { className: 'shortfall-name' },
					h('div', { text: c.kind === 'zone' ? c.name : t('shortfall.block', { n: n }) }),
					h('div', { className: 'muted small' },
						h('span', { text: c.kind === 'zone' ? t('shortfall.zone', { d: c.disposition || '' }) : t('shortfall.free') }),
						h('span', { text: ' · ' + county }),
						c.cross_county ? h('span', { className: 'chip chip-warn', attrs: { 'data-flag': 'cross-county' }, i18n: 'shortfall.cross' }) : null,
						c.touches ? h('span', { className: 'chip', i18n: 'shortfall.touches' }) : null)),
				h('td', { className: 'num', attrs: { 'data-field': 'marginal' }, text: wanmu.units.area(c.marginal_mu, { bare: true }) }),
				h('td', { className: 'num muted', text: c.touches ? '0 m' : distance(c.distance_m) }),
				canEdit ? h('td', { className: 'row-action' }, h('button', {
					className: 'btn btn-small' + (c.suggested ? ' btn-primary' : ''), attrs: { type: 'button', 'data-action': 'shortfall-add' },
					disabled: !inPlan || !!self.busy || d.meets || !wanmu.permissions.mayEditZone({ county_adcode: c.county }),
					title: inPlan ? wanmu.permissions.zoneNote({ county_adcode: c.county }) || '' : t('shortfall.planFirst'),
					on: { click: function () { self.add(p, c); } }
				}, h('span', { i18n: self.busy === c.key ? 'shortfall.adding' : 'shortfall.add' }))) : null);
		});
		var table = fs.length && !d.meets ? h('table', { className: 'figures shortfall-list' },
			h('thead', null, h('tr', null, h('th'), h('th'),
				h('th', { className: 'num', text: t('shortfall.marginal', { unit: wanmu.units.symbol() }) }),
				h('th', { className: 'num', i18n: 'shortfall.distance' }), canEdit ? h('th') : null)),
			h('tbody', null, rows)) : null;
		return h('div', { className: 'shortfall-body' }, radii, summary, note, table);
	};

	// setRadius searches again within m metres.
	ShortfallPanel.prototype.setRadius = function (m, p) {
		if (m !== this.radius) {
			this.radius = m;
			this.fitted = null;
			this.app.platformPanel.render(); // reloads
		}
	};

	// add puts candidate c into the plan (If-Match: the platform's version),
	// then refreshes the platform as after a membership write.
	ShortfallPanel.prototype.add = function (p, c) {
		var app = this.app, self = this;
		this.busy = c.key;
		app.platformPanel.render();
		return wanmu.api.send('POST', '/platforms/' + p.id + '/shortfall/add', { key: c.key, radius_m: this.data.radius_m }, { ifMatch: p.version })
			.then(function (res) {
				var cur = res.data;
				wanmu.notify(t('shortfall.added', { name: c.kind === 'zone' ? c.name : t('shortfall.newZone'), platform: p.name }), 'ok');
				return app.ensureZones(cur.zone_ids || []).then(function () {
					app.setZonePlatform(cur.zone_ids || [], cur);
					return Promise.all([app.platformPanel.refresh(), app.refreshPlatforms(), app.refreshSummary()]);
				});
			}, function (err) {
				self.busy = null;
				self.key = null; // the land or the platform changed: ask again
				app.platformPanel.render();
				wanmu.notifyError(err, t('shortfall.addFailed'));
			});
	};

	// addAll adds the suggested set, one candidate after the other, each with
	// the platform's version the previous addition left (If-Match); the
	// platform is refreshed once, also after a refusal part of the way.
	ShortfallPanel.prototype.addAll = function (p) {
		var app = this.app, self = this, d = this.data, version = p.version, cur = null;
		this.busy = 'all';
		app.platformPanel.render();
		var chain = d.suggested.reduce(function (prev, key) {
			return prev.then(function () {
				return wanmu.api.send('POST', '/platforms/' + p.id + '/shortfall/add', { key: key, radius_m: d.radius_m }, { ifMatch: version })
					.then(function (res) { cur = res.data; version = cur.version; });
			});
		}, Promise.resolve());
		var refresh = function () {
			if (!cur) {
				return Promise.resolve();
			}
			return app.ensureZones(cur.zone_ids || []).then(function () {
				app.setZonePlatform(cur.zone_ids || [], cur);
				return Promise.all([app.platformPanel.refresh(), app.refreshPlatforms(), app.refreshSummary()]);
			});
		};
		return chain.then(function () {
			wanmu.notify(t('shortfall.addedAll', { n: d.suggested.length, platform: p.name }), 'ok');
			return refresh();
		}, function (err) {
			self.busy = null;
			self.key = null; // the land or the platform changed: ask again
			wanmu.notifyError(err, t('shortfall.addFailed'));
			return refresh().then(function () { app.platformPanel.render(); });
		});
	};

	ShortfallPanel.prototype._clear = function () {
		if (this.group) {
			this.group.clearLayers();
		}
	};

	ShortfallPanel.prototype._draw = function (p) {
		var map = this.app.map;
		if (!map.getPane('wanmuShortfall')) {
			// above the zones and the developable land; never takes a click
			var pane = map.createPane('wanmuShortfall');
			pane.style.zIndex = 418;
			pane.style.pointerEvents = 'none';
		}
		if (!this.group) {
			this.group = L.layerGroup().addTo(map);
		}
		this._clear();
		var self = this, bounds = null;
		ordered(this.data).forEach(function (f, i) {
			var c = f.properties, color = c.suggested ? SUGGESTED : OTHER;
			var layer = L.geoJSON(f, {
				pane: 'wanmuShortfall', interactive: false, pmIgnore: true, snapIgnore: true,
				style: function () {
					return c.suggested ? { color: color, weight: 2.2, fillColor: color, fillOpacity: 0.35 } :
						{ color: color, weight: 1.2, opacity: 0.8, dashArray: '4 4', fillColor: color, fillOpacity: 0.06 };
				}
			});
			self.group.addLayer(layer);
			var b = layer.getBounds();
			bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
			self.group.addLayer(L.marker(b.getCenter(), {
				pane: 'wanmuShortfall', interactive: false, keyboard: false, pmIgnore: true, snapIgnore: true,
				icon: L.divIcon({ className: 'shortfall-marker' + (c.suggested ? ' suggested' : ''), iconSize: [22, 22],
					html: h('span', { text: String(i + 1) }) })
			}));
		});
		if (bounds && this.fitted !== p.id) {
			this.fitted = p.id;
			map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
		}
	};

	// ordered lists the suggested set first, in the order chosen, then the
	// others as the server lists them (zones, then blocks by distance): the
	// numbers on the map and in the list follow it.
	function ordered(d) {
		var fs = (d.candidates.features || []).slice();
		var rank = function (f) { return f.properties.suggested || Infinity; };
		return fs.map(function (f, i) { return { f: f, i: i }; }).sort(function (a, b) {
			return rank(a.f) - rank(b.f) || a.i - b.i;
		}).map(function (x) { return x.f; });
	}

	function distance(m) {
		if (m === null || m === undefined || isNaN(m)) {
			return '—';
		}
		return m >= 1000 ? wanmu.i18n.number(m / 1000, 2) + ' km' : wanmu.i18n.number(m, 0) + ' m';
	}

	wanmu.ShortfallPanel = ShortfallPanel;
})(window.wanmu = window.wanmu || {});
