// Overview.js: the drawer under the map — every platform's developable area
// as a sortable table and a bar chart with the 10,000 mu line (a row or bar
// zooms the map to the platform), and how the township zones are disposed of
// (并、提、撤、转, kept, undecided).
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var s = wanmu.dom.svg;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	var COLUMNS = [
		{ key: 'name', label: 'overview.col.name', num: false },
		{ key: 'gross_mu', label: 'overview.col.gross', num: true },
		{ key: 'developable_mu', label: 'overview.col.developable', num: true },
		{ key: 'balance', label: 'overview.col.balance', num: true },
		{ key: 'parts', label: 'overview.col.parts', num: true }
	];

	function Overview(app, el) {
		this.app = app;
		this.el = el;
		this.sort = { key: 'developable_mu', dir: -1 };
		app.on('platforms', this.render, this);
		app.on('zones', this.render, this);
		wanmu.i18n.on('langchange', this.render, this);
		wanmu.units.on('unitchange', this.render, this);
		this.render();
	}

	Overview.prototype.rows = function () {
		var k = this.sort.key, dir = this.sort.dir;
		return this.app.platforms.map(function (p) {
			return L.extend({}, p, { balance: (p.developable_mu || 0) - (p.threshold_mu || 10000) });
		}).sort(function (a, b) {
			var x = a[k], y = b[k];
			if (typeof x === 'string' || typeof y === 'string') {
				return dir * String(x || '').localeCompare(String(y || ''), 'zh-CN');
			}
			return dir * ((x || 0) - (y || 0));
		});
	};

	Overview.prototype.render = function () {
		var app = this.app, self = this;
		var rows = this.rows();
		var meets = rows.filter(function (r) { return r.meets; }).length;
		wanmu.dom.clear(this.el);
		var head = h('div', { className: 'overview-head' },
			h('h2', null, wanmu.icon('chart', 16), h('span', { i18n: 'overview.title' })),
			h('span', { className: 'overview-summary', text: t('overview.summary', { n: rows.length, m: meets }) }),
			h('span', { className: 'spacer' }),
			h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'open-table' }, on: { click: function () { wanmu.ZoneTable.open(app); } } },
				wanmu.icon('attributes', 14), h('span', { i18n: 'table.open' })),
			h('button', { className: 'btn-icon', attrs: { type: 'button', 'data-action': 'close-overview' }, i18nTitle: 'action.close', on: { click: function () { app.toggleOverview(false); } } }, wanmu.icon('close', 15)));
		var table = h('table', { className: 'overview-table' },
			h('thead', null, h('tr', null, COLUMNS.map(function (c) {
				var active = self.sort.key === c.key;
				return h('th', {
					className: (c.num ? 'num ' : '') + 'sortable' + (active ? ' sorted' : ''),
					attrs: { 'data-sort': c.key, 'aria-sort': active ? (self.sort.dir > 0 ? 'ascending' : 'descending') : 'none' },
					on: { click: function () { self.sortBy(c.key); } }
				}, h('span', { text: t(c.label) + (c.num && c.key !== 'parts' ? ' (' + wanmu.units.symbol() + ')' : '') }),
				h('span', { className: 'sort-mark', text: active ? (self.sort.dir > 0 ? ' ▲' : ' ▼') : '' }));
			}))),
			h('tbody', null, rows.map(function (r) {
				return h('tr', {
					className: 'clickable' + (app.activePlatformId === r.id ? ' active' : ''), dataset: { platformId: String(r.id) },
					on: { click: function () { app.showPlatform(r.id, true); } }
				},
				h('td', { className: 'name-cell', title: t('role.' + r.role) }, h('span', { className: 'dot', style: { background: wanmu.style.platformColor(r.id) } }), h('span', { text: r.name }),
					h('span', { className: 'role-tag', text: wanmu.i18n.tOr('role.short.' + r.role, r.role) })),
				h('td', { className: 'num', text: wanmu.units.area(r.gross_mu, { bare: true }) }),
				h('td', { className: 'num strong', text: wanmu.units.area(r.developable_mu, { bare: true }) }),
				h('td', { className: 'num ' + (r.meets ? 'ok' : 'bad'), text: (r.meets ? '✓ ' : '✗ ') + wanmu.units.area(r.balance, { bare: true, sign: true }) }),
				h('td', { className: 'num', text: r.parts === undefined ? '—' : String(r.parts) }));
			})));
		this.el.appendChild(head);
		this.el.appendChild(h('div', { className: 'overview-body' },
			h('div', { className: 'overview-table-wrap' }, table),
			h('div', { className: 'overview-chart' }, this._chart(rows)),
			h('div', { className: 'overview-dispositions' }, this._dispositions())));
	};

	Overview.prototype.sortBy = function (key) {
		if (this.sort.key === key) {
			this.sort.dir = -this.sort.dir;
		} else {
			this.sort = { key: key, dir: key === 'name' || key === 'role' ? 1 : -1 };
		}
		this.render();
	};

	// _chart draws horizontal bars of developable area with the threshold line.
	Overview.prototype._chart = function (rows) {
		var app = this.app;
		var W = 360, rowH = 17, top = 18, left = 92, right = 16;
		var H = top + rows.length * rowH + 8;
		var th = rows.length ? Math.max.apply(null, rows.map(function (r) { return r.threshold_mu || 10000; })) : 10000;
		var max = Math.max(th * 1.15, Math.max.apply(null, rows.map(function (r) { return r.developable_mu || 0; }).concat([0])) * 1.05);
		function x(v) { return left + Math.max(0, v) / max * (W - left - right); }
		var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, width: '100%', 'class': 'overview-bars', role: 'img', 'aria-label': t('overview.chartAria') });
		// Grid lines every 5,000 mu (converted to the current unit for labels).
		for (var g = 5000; g < max; g += 5000) {
			svg.appendChild(s('line', { x1: x(g), y1: top - 4, x2: x(g), y2: H - 6, stroke: '#e3e7eb', 'stroke-width': 1 }));
		}
		rows.forEach(function (r, i) {
			var y = top + i * rowH;
			var name = s('text', { x: left - 6, y: y + rowH * 0.68, 'text-anchor': 'end', 'font-size': 10.5, fill: '#33404d', 'class': 'bar-name' });
			name.textContent = r.name.length > 8 ? r.name.slice(0, 8) + '…' : r.name;
			var bar = s('rect', {
				x: left, y: y + 3, width: Math.max(1, x(r.developable_mu || 0) - left), height: rowH - 6, rx: 1.5,
				fill: r.meets ? '#2f8a57' : '#c9822a', 'class': 'bar', 'data-platform-id': r.id
			});
			var title = s('title');
			title.textContent = r.name + ': ' + wanmu.units.area(r.developable_mu);
			bar.appendChild(title);
			var g2 = s('g', { 'class': 'bar-row' + (app.activePlatformId === r.id ? ' active' : '') }, name, bar);
			g2.addEventListener('click', function () { app.showPlatform(r.id, true); });
			svg.appendChild(g2);
		});
		svg.appendChild(s('line', { x1: x(th), y1: top - 6, x2: x(th), y2: H - 4, stroke: '#b02a1f', 'stroke-width': 1.6, 'stroke-dasharray': '4 3' }));
		var label = s('text', { x: x(th), y: top - 8, 'text-anchor': 'middle', 'font-size': 10.5, fill: '#b02a1f' });
		label.textContent = t('bar.thresholdLine', { v: wanmu.units.area(th, { bare: true, round: true }) });
		svg.appendChild(label);
		return svg;
	};

	Overview.prototype._dispositions = function () {
		// All zones, not only those in view: the server counts them.
		var sum = this.app.zoneSummary || {};
		var counts = {}, parks = (sum.by_kind || {}).park || 0;
		wanmu.style.dispositions.forEach(function (d) { counts[d] = (sum.by_disposition || {})[d] || 0; });
		var total = Object.keys(counts).reduce(function (a, k) { return a + counts[k]; }, 0);
		return h('div', null,
			h('h3', { i18n: 'overview.dispositions' }),
			h('div', { className: 'disp-total', text: t('overview.townshipTotal', { n: total }) }),
			h('div', { className: 'disp-stack' }, wanmu.style.dispositions.map(function (d) {
				return counts[d] ? h('span', { style: { background: wanmu.style.dispositionColor[d], flex: String(counts[d]) }, title: t('disp.' + d) + ' ' + counts[d] }) : null;
			})),
			h('ul', { className: 'disp-list' }, wanmu.style.dispositions.map(function (d) {
				return h('li', { dataset: { disposition: d } },
					h('span', { className: 'dot', style: { background: wanmu.style.dispositionColor[d] } }),
					h('span', { className: 'disp-name', text: t('disp.short.' + d) }),
					h('span', { className: 'disp-count', text: String(counts[d]) }));
			})),
			h('div', { className: 'muted small', text: t('overview.parks', { n: parks }) }));
	};

	wanmu.Overview = Overview;
})(window.wanmu = window.wanmu || {});
