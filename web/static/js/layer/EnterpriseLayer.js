// EnterpriseLayer.js: 亩均评价 on the map (issue 18, items 3 and 5). Two
// layers from GET /evaluation/map of the year chosen in the layers panel:
// 企业（按类）, every enterprise's parcel (else point) coloured by its class,
// and 低效用地, the C and D enterprises' land with the vacant parcels
// (闲置土地 layers, vacant=true), with their total in the legend. Drawn on a
// canvas: a county has thousands of enterprises. Below zoom 14 a parcel is
// drawn as a dot (a 30 亩 parcel is a pixel there). EvaluationLayers, at the
// end, is the panel's group: the year, these two and PlatformShading.js.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var CLASSES = ['A', 'B', 'C', 'D', 'T'];
	// The classes' colours are PlatformIndicators.js's.
	var LOW_CD = '#d9480f';     // C/D enterprises' land
	var LOW_VACANT = '#7048a8'; // vacant parcels: another hue, so the two parts read apart
	var DOT_ZOOM = 14;          // from this zoom on parcels are drawn as polygons
	var PANE = 'wanmuEvaluation';

	// EnterpriseLayer draws one of the two: mode 'class' or 'low'.
	function EnterpriseLayer(group, mode) {
		this.group = group;
		this.app = group.app;
		this.mode = mode;
		this.on = false;
		this.data = null;   // the FeatureCollection drawn (GET /evaluation/map)
		this.year = null;   // the year of data
		this.failed = false;
		this.layer = null;  // the L.FeatureGroup on the map
		this._seq = 0;
	}

	EnterpriseLayer.prototype.toggle = wanmu.YearLayer.toggle;
	EnterpriseLayer.prototype.sync = wanmu.YearLayer.sync;

	// _fetch reads the year's enterprises: all, or the low-efficiency land.
	EnterpriseLayer.prototype._fetch = function (year) {
		var q = { year: year, scenario: 0 };
		if (this.mode === 'low') {
			q['class'] = 'C,D';
			q.vacant = 'true';
		}
		return wanmu.api.get('/evaluation/map', q);
	};

	EnterpriseLayer.prototype._remove = function () {
		if (this.layer) {
			this.app.map.removeLayer(this.layer);
			this.layer = null;
		}
		if (this._zoomWired) {
			this.app.map.off('zoomend', this._zoomed, this);
			this._zoomWired = false;
		}
	};

	// drawn is how many features are on the map (for the tests and the legend).
	EnterpriseLayer.prototype.drawn = function () {
		return this.layer ? this.layer.getLayers().length : 0;
	};

	EnterpriseLayer.prototype._zoomed = function () {
		var dots = this.app.map.getZoom() < DOT_ZOOM;
		if (dots !== this._dots) {
			this._draw();
		}
	};

	EnterpriseLayer.prototype._draw = function () {
		var map = this.app.map, self = this;
		if (!this.on || !this.data) {
			return;
		}
		if (this.layer) {
			map.removeLayer(this.layer);
		}
		this._dots = map.getZoom() < DOT_ZOOM;
		var renderer = this.group.renderer();
		var radius = map.getZoom() < 11 ? 2.5 : 4; // thousands of dots over the city: small
		var layers = this.data.features.map(function (f) {
			var st = self._style(f.properties), l;
			var g = f.geometry;
			if (g.type === 'Point' || self._dots) {
				var c = g.type === 'Point' ? g.coordinates : centre(g);
				l = L.circleMarker([c[1], c[0]], L.extend({ radius: radius, pane: PANE, renderer: renderer }, st, { fillOpacity: 0.9 }));
			} else {
				l = L.geoJSON(f, { pane: PANE, renderer: renderer, style: function () { return st; } }).getLayers()[0];
			}
			l.options.pmIgnore = true;
			l.options.snapIgnore = true;
			l.feature = f;
			return l;
		});
		this.layer = L.featureGroup(layers, { pane: PANE });
		this.layer.on('click', function (e) {
			L.DomEvent.stopPropagation(e);
			var f = (e.propagatedFrom || e.layer).feature;
			L.popup({ className: 'evalmap-popup', maxWidth: 300 }).setLatLng(e.latlng)
				.setContent(popup(f.properties, self)).openOn(map);
		});
		this.layer.addTo(map);
		if (!this._zoomWired) {
			map.on('zoomend', this._zoomed, this);
			this._zoomWired = true;
		}
	};

	EnterpriseLayer.prototype._style = function (pr) {
		var c;
		if (this.mode === 'low') {
			c = pr.kind === 'vacant' ? LOW_VACANT : LOW_CD;
			return { color: wanmu.style.shade(c, -0.2), weight: 1.2, fillColor: c, fillOpacity: 0.55, dashArray: pr.kind === 'vacant' ? '4 3' : null };
		}
		c = wanmu.style.classColor(pr['class'] || 'T');
		return { color: wanmu.style.shade(c, -0.3), weight: 1, fillColor: c, fillOpacity: 0.75 };
	};

	// totals sums the low-efficiency land: {cd, vacant} in 亩. The C/D
	// parcels' land is the enterprise's own figure (land_mu).
	EnterpriseLayer.prototype.totals = function () {
		var s = { cd: 0, vacant: 0, cdN: 0, vacantN: 0 };
		(this.data ? this.data.features : []).forEach(function (f) {
			var pr = f.properties;
			if (pr.kind === 'vacant') {
				s.vacant += pr.area_mu || 0;
				s.vacantN++;
			} else {
				s.cd += pr.land_mu || 0;
				s.cdN++;
			}
		});
		return s;
	};

	// classCounts counts the drawn enterprises per class.
	EnterpriseLayer.prototype.classCounts = function () {
		var n = {};
		(this.data ? this.data.features : []).forEach(function (f) {
			var c = f.properties['class'];
			n[c] = (n[c] || 0) + 1;
		});
		return n;
	};

	// legend is the layer's key: [swatch, label, count] rows.
	EnterpriseLayer.prototype.legend = function () {
		if (this.mode === 'class') {
			var n = this.classCounts();
			return CLASSES.map(function (c) {
				return { key: c, swatch: swatch(wanmu.style.classColor(c)), label: t('evalmap.class.' + c), count: wanmu.i18n.number(n[c] || 0, 0) };
			});
		}
		var s = this.totals();
		return [
			{ key: 'cd', swatch: swatch(LOW_CD), label: t('evalmap.lowCD'), count: wanmu.units.area(s.cd) },
			{ key: 'vacant', swatch: swatch(LOW_VACANT, true), label: t('evalmap.lowVacant'), count: wanmu.units.area(s.vacant) },
			// A feature-by-feature sum: where a vacant parcel overlaps C/D land it
			// counts twice (the platform panel's figure counts it once).
			{ key: 'total', swatch: null, label: t('mapfix.lowMapSum'), title: t('mapfix.lowMapSumHelp'), count: wanmu.units.area(s.cd + s.vacant), total: true }
		];
	};

	function swatch(c, dashed) {
		return h('span', { className: 'swatch' + (dashed ? ' dashed' : ''), style: { background: c, 'border-color': wanmu.style.shade(c, -0.25) } });
	}

	// centre is the middle of a polygon's outer ring's box.
	function centre(g) {
		var ring = g.type === 'MultiPolygon' ? g.coordinates[0][0] : g.coordinates[0];
		var w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
		ring.forEach(function (p) {
			w = Math.min(w, p[0]); e = Math.max(e, p[0]);
			s = Math.min(s, p[1]); n = Math.max(n, p[1]);
		});
		return [(w + e) / 2, (s + n) / 2];
	}

	// popup is a feature's card, text only; an enterprise's leads to its
	// evaluation (the dialog found by its credit code, in the layer's year).
	function popup(pr, layer) {
		var rows;
		if (pr.kind === 'vacant') {
			rows = [
				['evalmap.popup.layer', pr.layer],
				['evalmap.popup.area', wanmu.units.area(pr.area_mu)]
			];
			return h('div', { className: 'evalmap-card', dataset: { kind: 'vacant' } },
				h('div', { className: 'evalmap-card-title', text: t('evalmap.lowVacant') }), table(rows));
		}
		var c = pr['class'] || 'T';
		rows = [
			['evalmap.popup.class', t('evalmap.class.' + c)],
			['evalmap.popup.score', pr.score === null || pr.score === undefined || c === 'T' ? '—' : wanmu.i18n.number(pr.score, 1)],
			['evalmap.popup.rank', pr.rank ? t('evalmap.popup.rankOf', { rank: wanmu.i18n.number(pr.rank, 0), of: wanmu.i18n.number(pr.of, 0) }) : '—'],
			['evalmap.popup.land', pr.land_mu === null || pr.land_mu === undefined ? '—' : wanmu.units.area(pr.land_mu)]
		];
		if (pr.reason) {
			rows.push(['evalmap.popup.reason', pr.reason]);
		}
		return h('div', { className: 'evalmap-card', dataset: { kind: 'enterprise', creditCode: pr.credit_code || '' } },
			h('div', { className: 'evalmap-card-title' },
				h('span', { className: 'evalmap-class', style: { background: wanmu.style.classColor(c) }, text: c }),
				h('span', { className: 'evalmap-name', text: pr.name || '' })),
			table(rows),
			pr.credit_code ? h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'open-enterprise' }, i18n: 'evsearch.open',
				on: { click: function () {
					layer.app.map.closePopup();
					wanmu.EvaluationDialog.open(layer.app, { year: layer.year, q: pr.credit_code });
				} } }) : null);
	}

	function table(rows) {
		return h('table', { className: 'evalmap-card-table' }, h('tbody', null, rows.map(function (r) {
			return h('tr', null, h('th', { i18n: r[0] }), h('td', { text: r[1] }));
		})));
	}

	// EvaluationLayers is the layers panel's group 亩均评价: the year, the
	// two enterprise layers and the platforms' shading. The panel draws its
	// section() on every render; the layers stay on the map between renders.
	function EvaluationLayers(app) {
		this.app = app;
		this.years = null;  // stored years, newest first
		this.chosen = null; // the year picked; null: the newest
		this.yearsFailed = false;
		this.enterprises = new EnterpriseLayer(this, 'class');
		this.low = new EnterpriseLayer(this, 'low');
		this.shading = new wanmu.PlatformShading(this);
		this._renderer = null;
		wanmu.units.on('unitchange', this.changed, this); // the legends' areas
	}

	EvaluationLayers.prototype.year = function () {
		if (!this.years || !this.years.length) {
			return null;
		}
		return this.chosen && this.years.indexOf(this.chosen) >= 0 ? this.chosen : this.years[0];
	};

	// renderer is the canvas the enterprise layers share, in a pane above
	// the zones (below the editing panes).
	EvaluationLayers.prototype.renderer = function () {
		var map = this.app.map;
		if (!map.getPane(PANE)) {
			map.createPane(PANE).style.zIndex = 430;
		}
		if (!this._renderer) {
			this._renderer = L.canvas({ pane: PANE, padding: 0.3 });
		}
		return this._renderer;
	};

	EvaluationLayers.prototype.changed = function () {
		if (this.app.layersPanel) {
			this.app.layersPanel.render();
		} else {
			this.app.fire('layers');
		}
	};

	EvaluationLayers.prototype._loadYears = function () {
		var self = this;
		if (this._yearsPending) {
			return;
		}
		this._yearsPending = true;
		wanmu.api.get('/enterprises/years', { scenario: 0 }, { quiet401: true }).then(function (res) {
			self.years = (res.years || []).map(function (y) { return y.year; }).sort().reverse();
			self._yearsPending = false;
			self.changed();
		}, function () {
			self.yearsFailed = true;
			self._yearsPending = false;
			self.changed();
		});
	};

	EvaluationLayers.prototype._setYear = function (y) {
		this.chosen = y;
		this.enterprises.sync();
		this.low.sync();
		this.shading.sync();
		this.changed();
	};

	// section is the panel's group.
	EvaluationLayers.prototype.section = function () {
		var self = this, body;
		if (!this.years && !this.yearsFailed) {
			this._loadYears();
		}
		if (this.yearsFailed) {
			body = h('div', { className: 'muted small', i18n: 'evalmap.failed' });
		} else if (!this.years) {
			body = h('div', { className: 'muted small', i18n: 'evalmap.loading' });
		} else if (!this.years.length) {
			body = h('div', { className: 'muted small', i18n: 'evalmap.none' });
		} else {
			var year = this.year();
			var sel = h('select', { className: 'evalmap-year', attrs: { 'data-evalmap-year': '', 'aria-label': t('evalmap.year') },
				on: { change: function () { self._setYear(parseInt(sel.value, 10)); } } },
			this.years.map(function (y) { return h('option', { value: String(y), selected: y === year, text: t('evalmap.yearOption', { year: y }) }); }));
			body = [
				h('label', { className: 'evalmap-year-row' }, h('span', { className: 'muted small', i18n: 'evalmap.year' }), sel),
				this._item(this.enterprises, 'evalmap-enterprises', 'evalmap.enterprises'),
				this._item(this.low, 'evalmap-low', 'evalmap.low'),
				this.shading.item(),
				wanmu.api.scenario() ? h('div', { className: 'muted small', i18n: 'evalmap.officialOnly' }) : null,
				// The tables, also where the top bar has no room for their buttons (tablet, phone).
				h('div', { className: 'evalmap-open' },
					h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'open-evaluation' }, i18n: 'top.evaluation',
						on: { click: function () { wanmu.EvaluationDialog.open(self.app); } } }),
					h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'open-assessment' }, i18n: 'top.assessment',
						on: { click: function () { wanmu.AssessmentDialog.open(self.app); } } }))
			];
		}
		return h('section', { className: 'layer-section evalmap-section', attrs: { 'data-section': 'evaluation-map' } },
			h('h3', null, h('span', { i18n: 'evalmap.title' }), h('span', { className: 'help', i18nTitle: 'evalmap.help', text: '?' })), body);
	};

	// _item is one layer's row and, when on, its legend.
	EvaluationLayers.prototype._item = function (layer, id, label) {
		var cb = h('input', { type: 'checkbox', checked: layer.on, attrs: { 'data-layer': id } });
		cb.addEventListener('change', function () { layer.toggle(cb.checked); });
		var sw = layer.mode === 'class' ? h('span', { className: 'swatch evalmap-classes', style: { background: 'linear-gradient(90deg, ' + ['A', 'B', 'C', 'D'].map(function (c, i) { return wanmu.style.classColor(c) + ' ' + i * 25 + '% ' + (i + 1) * 25 + '%'; }).join(', ') + ')' } }) : h('span', { className: 'swatch', style: { background: LOW_CD, 'border-color': LOW_VACANT } });
		var count = layer.data ? wanmu.i18n.number(layer.data.features.length, 0) : null;
		var legend = null;
		if (layer.on && layer.failed) {
			legend = h('div', { className: 'muted small', i18n: 'evalmap.failed' });
		} else if (layer.on && !layer.data) {
			legend = h('div', { className: 'muted small', i18n: 'evalmap.loadingLayer' });
		} else if (layer.on) {
			legend = legendTable(layer.legend(), id);
		}
		return h('div', { className: 'layer-item' },
			h('label', { className: 'layer-row' }, cb, sw, h('span', { className: 'layer-name', i18n: label }),
				count !== null && layer.on ? h('span', { className: 'layer-count', text: count }) : null),
			legend);
	};

	function legendTable(rows, id) {
		return h('table', { className: 'evalmap-legend', dataset: { legend: id } }, h('tbody', null, rows.map(function (r) {
			return h('tr', { className: r.total ? 'total' : '', dataset: { key: r.key } },
				h('td', null, r.swatch), h('th', { text: r.label, title: r.title || '', attrs: { colspan: r.wide ? 2 : null } }), r.wide ? null : h('td', { className: 'num', text: r.count }));
		})));
	}

	// printRows are the visible layers' legend for the print layout:
	// [swatch, label] pairs, as PrintLayout.js's developableRows.
	EvaluationLayers.prototype.printRows = function () {
		var out = [], year = this.year();
		[this.enterprises, this.low].forEach(function (l) {
			if (l.on && l.data) {
				l.legend().forEach(function (r) {
					out.push([r.swatch || h('span', { className: 'swatch' }), t(l.mode === 'class' ? 'evalmap.enterprises' : 'evalmap.low') + ' ' + year + ' · ' + r.label + ' ' + r.count]);
				});
			}
		});
		return out.concat(this.shading.printRows());
	};

	wanmu.EnterpriseLayer = EnterpriseLayer;
	wanmu.EvaluationLayers = EvaluationLayers;
	wanmu.evalmap = { PANE: PANE, legendTable: legendTable };
})(window.wanmu = window.wanmu || {});
