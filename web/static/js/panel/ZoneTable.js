// ZoneTable.js: the zone attribute table, a drawer in place of the overview.
// Filters go to the server (GET /zones takes county, kind, disposition,
// platform, retired and q), which answers a page at a time, so the table
// works on 200,000 zones: it shows the first page and loads more on demand.
// Sorting is the server's too (sort=, pinyin order for names), so the first
// page of a sort by area holds the largest zones of all, not of the loaded
// rows; the totals are those of every matching zone. Selection is shared with the map both ways. On demand the table
// lists a constraint layer's features instead (read-only, paged through the
// OGC API's items route); a row click zooms to the feature.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	// sort: the server's sort key of the column (GET /zones?sort=).
	var COLUMNS = [
		{ key: 'id', sort: 'id', label: 'table.col.id', num: true },
		{ key: 'name', sort: 'name', label: 'table.col.name' },
		{ key: 'kind', sort: 'kind', label: 'table.col.kind', text: function (p) { return t('kind.' + p.kind); } },
		{ key: 'county_adcode', sort: 'county', label: 'table.col.county', text: function (p) { return wanmu.i18n.tOr('county.' + p.county_adcode, p.county_adcode); } },
		{ key: 'disposition', sort: 'disposition', label: 'table.col.disposition', text: function (p) { return p.disposition ? wanmu.i18n.tOr('disp.short.' + p.disposition, p.disposition) : '—'; } },
		{ key: 'platform_name', sort: 'platform', label: 'table.col.platform', text: function (p) { return p.platform_name || '—'; } },
		{ key: 'document_no', sort: 'document', label: 'table.col.document', text: function (p) { return p.document_no || '—'; } },
		{ key: 'area_mu', sort: 'area', label: 'table.col.area', num: true, area: true }
	];

	function ZoneTable(app) {
		this.app = app;
		this.filter = {};
		this.source = ''; // '' for zones, else an OGC collection 'layer-<id>'
		this.sort = { key: 'id', dir: 1 }; // key: a column's sort key
		this.rows = [];
		this.next = null;
		this.selected = [];
		this.el = h('section', { id: 'zone-table', className: 'drawer zone-table', hidden: true });
		var overview = document.getElementById('overview');
		overview.parentNode.insertBefore(this.el, overview.nextSibling);
		this._build();
		var self = this;
		app.selection.on('change', function (e) { self._fromMap(e.ids); });
		wanmu.i18n.on('langchange', this._rebuild, this);
		wanmu.units.on('unitchange', this._renderRows, this);
	}

	ZoneTable.prototype.isOpen = function () { return !this.el.hidden; };

	ZoneTable.prototype.toggle = function (on) {
		on = on === undefined ? this.el.hidden : on;
		if (on) {
			this.app.toggleOverview(false);
		}
		this.el.hidden = !on;
		if (on && !this._loaded) {
			this.reload();
		}
		this.app.map.invalidateSize();
	};

	ZoneTable.prototype._rebuild = function () {
		wanmu.dom.clear(this.el);
		this._build();
		this._renderRows();
	};

	ZoneTable.prototype._build = function () {
		var self = this, app = this.app;
		this.el.classList.toggle('layer-mode', !!this.source);
		function sel(name, options) {
			var s = h('select', { name: name, attrs: { 'data-filter': name, 'aria-label': t('table.filter.' + name) }, on: { change: function () { self._set(name, s.value); } } },
				options.map(function (o) { return h('option', { value: o[0], text: o[1], selected: (self.filter[name] || '') === o[0] }); }));
			return s;
		}
		var any = function (k) { return ['', t('table.filter.' + k) + ': ' + t('table.any')]; };
		var text = h('input', {
			type: 'search', name: 'q', value: this.filter.q || '', placeholder: t('table.filter.q'), attrs: { 'aria-label': t('table.filter.q') },
			on: { input: wanmu.dom.debounce(function () { self._set('q', text.value.trim()); }, 300) }
		});
		var source = h('select', { name: 'source', attrs: { 'aria-label': t('table.source') }, on: { change: function () { self.source = source.value; self.rows = []; self.next = null; self._rebuild(); self.reload(); } } },
			[['', t('table.source.zones')]].concat(app.layers.map(function (l) { return ['layer-' + l.id, l.name]; })).map(function (o) {
				return h('option', { value: o[0], text: o[1], selected: self.source === o[0] });
			}));
		this.note = h('span', { className: 'zone-table-note' });
		this.totals = h('span', { className: 'zone-table-totals', attrs: { 'aria-live': 'polite' } });
		this.more = h('button', { type: 'button', className: 'btn btn-small', hidden: true, attrs: { 'data-action': 'table-more' }, i18n: 'table.more', on: { click: function () { self.loadMore(); } } });
		this.body = h('tbody');
		this.head = h('tr');
		this.el.appendChild(h('div', { className: 'overview-head zone-table-head' },
			h('h2', null, wanmu.icon('attributes', 16), h('span', this.source ? { text: source.selectedOptions[0].textContent } : { i18n: 'table.title' })),
			this.totals, this.note,
			h('span', { className: 'spacer' }),
			h('button', { type: 'button', className: 'btn btn-small', attrs: { 'data-action': 'table-zoom' }, i18n: 'table.zoom', on: { click: function () { self.zoomTo(); } } }),
			h('button', { type: 'button', className: 'btn btn-small', attrs: { 'data-action': 'table-export' }, i18n: 'table.export', on: { click: function () { self.exportSelection(); } } }),
			h('button', { type: 'button', className: 'btn btn-small', attrs: { 'data-action': 'table-overview' }, i18n: 'overview.title', on: { click: function () { self.toggle(false); app.toggleOverview(true); } } }),
			h('button', { className: 'btn-icon', attrs: { type: 'button', 'data-action': 'close-table' }, i18nTitle: 'action.close', on: { click: function () { self.toggle(false); } } }, wanmu.icon('close', 15))));
		this.el.appendChild(h('div', { className: 'zone-table-filters' + (this.source ? ' layer-mode' : '') }, source,
			sel('county', [any('county')].concat(wanmu.style.counties.map(function (c) { return [c, t('county.' + c)]; }))),
			sel('kind', [any('kind'), ['park', t('kind.park')], ['township', t('kind.township')]]),
			sel('disposition', [any('disposition')].concat(wanmu.style.dispositions.map(function (d) { return [d, t('disp.short.' + d)]; }))),
			sel('platform', [any('platform'), ['none', t('table.noPlatform')]].concat(app.platforms.map(function (p) { return [String(p.id), p.name]; }))),
			sel('retired', [['', t('table.retired.live')], ['true', t('table.retired.all')], ['only', t('table.retired.only')]]),
			text));
		this.el.appendChild(h('div', { className: 'zone-table-wrap' },
			h('table', { className: 'overview-table zone-table-grid' }, h('thead', null, this.head), this.body),
			h('div', { className: 'zone-table-foot' }, this.more)));
	};

	ZoneTable.prototype._set = function (name, value) {
		if ((this.filter[name] || '') === value) {
			return;
		}
		this.filter[name] = value;
		this.reload();
	};

	// reload asks the server for the first page under the current filters.
	ZoneTable.prototype.reload = function () {
		this._loaded = true;
		var q = { limit: ZoneTable.PAGE };
		Object.keys(this.filter).forEach(function (k) { q[k] = this.filter[k]; }, this);
		if (this.sort.key !== 'id' || this.sort.dir < 0) {
			q.sort = (this.sort.dir < 0 ? '-' : '') + this.sort.key;
		}
		this.rows = [];
		this.matched = null;
		this.sums = null;
		var self = this, gen = this._gen = (this._gen || 0) + 1;
		if (this.source) {
			// The OGC route is outside /api/v1: an absolute address is used as is.
			this._fetch(wanmu.api.get(window.location.origin + '/ogc/collections/' + this.source + '/items', { limit: ZoneTable.PAGE, f: 'json' }));
			return;
		}
		this._fetch(wanmu.api.get('/zones', q));
		// The totals of all matching zones, not only the loaded pages.
		var tq = L.extend({}, q);
		delete tq.limit;
		delete tq.sort;
		wanmu.api.get('/zones/totals', tq).then(function (sums) {
			if (gen === self._gen) { // not overtaken by a later filter
				self.sums = sums;
				self._renderRows();
			}
		}, function () { /* the loaded rows' totals stand */ });
	};

	ZoneTable.prototype.loadMore = function () {
		if (this.next) {
			this._fetch(wanmu.api.get(this.next));
		}
	};

	// _fetch appends a page; an answer overtaken by a later request is dropped.
	ZoneTable.prototype._fetch = function (promise) {
		var self = this, seq = this._seq = (this._seq || 0) + 1;
		this.el.classList.add('loading');
		promise.then(function (fc) {
			if (seq !== self._seq) {
				return;
			}
			self.rows = self.rows.concat(fc.features || []);
			if (typeof fc.numberMatched === 'number') {
				self.matched = fc.numberMatched;
			}
			var next = (fc.links || []).filter(function (l) { return l.rel === 'next'; })[0];
			self.next = next ? next.href : null;
			self.el.classList.remove('loading');
			self._renderRows();
		}, function (err) {
			if (seq === self._seq) {
				self.el.classList.remove('loading');
				wanmu.notifyError(err);
			}
		});
	};

	// sortBy orders the table by a column's sort key (again: the other
	// way; the area starts with the largest) and loads its first page.
	ZoneTable.prototype.sortBy = function (key) {
		this.sort = this.sort.key === key ? { key: key, dir: -this.sort.dir } : { key: key, dir: key === 'area' ? -1 : 1 };
		this.reload();
	};

	ZoneTable.prototype._renderRows = function () {
		if (this.source) {
			this._renderLayerRows();
			return;
		}
		var self = this;
		wanmu.dom.clear(this.head);
		COLUMNS.forEach(function (c) {
			var active = self.sort.key === c.sort;
			self.head.appendChild(h('th', {
				className: (c.num ? 'num ' : '') + 'sortable' + (active ? ' sorted' : ''),
				attrs: { 'data-sort': c.sort, 'aria-sort': active ? (self.sort.dir > 0 ? 'ascending' : 'descending') : 'none' },
				on: { click: function () { self.sortBy(c.sort); } }
			}, h('span', { text: t(c.label) + (c.area ? ' (' + wanmu.units.symbol() + ')' : '') }),
			h('span', { className: 'sort-mark', text: active ? (self.sort.dir > 0 ? ' ▲' : ' ▼') : '' })));
		});
		wanmu.dom.clear(this.body);
		var total = 0;
		this.rows.forEach(function (f) {
			var p = f.properties;
			total += p.area_mu || 0;
			self.body.appendChild(h('tr', {
				className: 'clickable' + (self.selected.indexOf(p.id) >= 0 ? ' active' : '') + (p.retired_at ? ' retired' : ''),
				dataset: { zoneId: String(p.id) },
				on: { click: function (e) { self._click(p.id, e.shiftKey || e.ctrlKey || e.metaKey); } }
			}, COLUMNS.map(function (c) {
				var v = c.area ? wanmu.units.area(p.area_mu, { bare: true }) : c.text ? c.text(p) : String(p[c.key]);
				return h('td', { className: c.num ? 'num' : '', text: v, title: c.key === 'name' ? v : undefined });
			})));
		});
		var sums = this.sums || { count: this.rows.length, area_mu: total };
		this.totals.textContent = t('table.totals', { n: wanmu.i18n.number(sums.count, 0), area: wanmu.units.area(sums.area_mu), s: this.selected.length });
		this.totals.dataset.count = String(sums.count);
		this.totals.dataset.areaMu = String(sums.area_mu);
		this.totals.dataset.loaded = String(this.rows.length);
		this.totals.dataset.loadedAreaMu = String(total);
		this.note.textContent = this.next ? t('table.partial', { n: wanmu.i18n.number(this.rows.length, 0) }) : '';
		this.more.hidden = !this.next;
	};

	// _renderLayerRows lists a layer's features: the id, the attributes of
	// the first rows (at most eight), in id order, and the ellipsoidal area
	// the server adds (area_mu) in the chosen unit, totalled over the rows.
	ZoneTable.prototype._renderLayerRows = function () {
		var self = this, keys = [], total = 0;
		var AREA = ['area_m2', 'area_mu', 'area_ha'];
		this.rows.slice(0, 50).forEach(function (f) {
			Object.keys(f.properties || {}).forEach(function (k) {
				if (keys.indexOf(k) < 0 && AREA.indexOf(k) < 0 && keys.length < 8) {
					keys.push(k);
				}
			});
		});
		wanmu.dom.clear(this.head);
		this.head.appendChild(h('th', { className: 'num', text: t('table.col.id') }));
		keys.forEach(function (k) { self.head.appendChild(h('th', { text: k })); });
		this.head.appendChild(h('th', { className: 'num', attrs: { 'data-col': 'area' }, text: t('table.col.area') + ' (' + wanmu.units.symbol() + ')' }));
		wanmu.dom.clear(this.body);
		this.rows.forEach(function (f) {
			var p = f.properties || {};
			var mu = typeof p.area_mu === 'number' ? p.area_mu : null;
			total += mu || 0;
			self.body.appendChild(h('tr', { dataset: { featureId: String(f.id) }, on: { click: function () { self._zoomFeature(f); } } },
				h('td', { className: 'num', text: String(f.id) }),
				keys.map(function (k) {
					var v = p[k];
					return h('td', { text: v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v) });
				}),
				h('td', { className: 'num', text: mu === null ? '—' : wanmu.units.area(mu, { bare: true }) })));
		});
		this.totals.textContent = t('table.layerTotals', { n: wanmu.i18n.number(this.rows.length, 0), m: this.matched === null ? '?' : wanmu.i18n.number(this.matched, 0) }) +
			' · ' + t(this.next ? 'table.layerAreaLoaded' : 'table.layerArea', { area: wanmu.units.area(total) });
		this.totals.dataset.count = String(this.rows.length);
		this.totals.dataset.loadedAreaMu = String(total);
		this.note.textContent = '';
		this.more.hidden = !this.next;
	};

	ZoneTable.prototype._zoomFeature = function (f) {
		var b = f.geometry ? L.geoJSON(f).getBounds() : null;
		if (b && b.isValid()) {
			this.app.map.fitBounds(b, { padding: [30, 30], maxZoom: 16 });
		}
	};

	// _click selects a row (Shift/Ctrl toggles it) and the zone on the map,
	// loading it first where the map loads zones by view (large installs).
	ZoneTable.prototype._click = function (id, toggle) {
		var ids = toggle ? (this.selected.indexOf(id) >= 0 ? this.selected.filter(function (x) { return x !== id; }) : this.selected.concat([id])) : [id];
		var app = this.app;
		this.selected = ids;
		this._renderRows();
		app.ensureZones(ids).then(function () { app.selection.set(ids); });
	};

	// _fromMap follows the map's selection: rows of the selected zones are
	// highlighted and the first is scrolled into view.
	ZoneTable.prototype._fromMap = function (ids) {
		this.selected = ids;
		if (!this.isOpen()) {
			return;
		}
		this._renderRows();
		var first = this.body.querySelector('tr.active');
		if (first && first.scrollIntoView) {
			first.scrollIntoView({ block: 'nearest' });
		}
	};

	ZoneTable.prototype.zoomTo = function () {
		if (this.selected.length) {
			this.app.zoomToZones(this.selected);
		} else {
			wanmu.notify(t('table.noSelection'), 'info');
		}
	};

	ZoneTable.prototype.exportSelection = function () {
		if (!this.selected.length) {
			wanmu.notify(t('table.noSelection'), 'info');
			return;
		}
		wanmu.ExportDialog.open(this.app, { selectionOnly: true, ids: this.selected.slice() });
	};

	// open toggles the app's one table, made on first use.
	ZoneTable.open = function (app) {
		if (!app.zoneTable) {
			app.zoneTable = new ZoneTable(app);
		}
		app.zoneTable.toggle();
	};

	ZoneTable.PAGE = 500; // rows a page; GET /zones allows more, the DOM would not like it

	wanmu.ZoneTable = ZoneTable;
})(window.wanmu = window.wanmu || {});
