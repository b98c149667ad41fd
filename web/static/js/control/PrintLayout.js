// PrintLayout.js: the print preview. The map element moves onto a sheet of
// the chosen paper (A4/A3, portrait/landscape) beside the legend, the active
// platform's area table, a scale bar, a north arrow and a coordinate grid;
// the browser's own print (window.print, @page size) makes the PDF. The sheet
// is laid out in millimetres, so the map has the same CSS size on screen and
// on paper and the scale 1:N set here is the scale printed.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var SVG = 'http://www.w3.org/2000/svg';
	var PAPER = { A4: [210, 297], A3: [297, 420] }; // mm, portrait
	var MARGIN = 8; // mm inside the sheet
	var MM_PER_PX = 25.4 / 96; // a CSS pixel on paper
	var EARTH = 40075016.686; // Web Mercator's equator, metres
	var SCALES = [5000, 10000, 25000, 50000, 100000, 250000];

	function PrintLayout(app) {
		this.app = app;
		this.opts = { paper: 'A4', orient: 'landscape', scale: 'fit', grid: 'deg', title: '' };
	}

	PrintLayout.prototype.isOpen = function () {
		return !!this.el;
	};

	PrintLayout.prototype.open = function (opts) {
		var app = this.app, map = app.map, self = this;
		if (this.el) {
			return;
		}
		L.extend(this.opts, opts || {});
		var p = app.activePlatformId && app.platformPanel.platform;
		if (!this.opts.title) {
			this.opts.title = p ? p.name : t('print.defaultTitle');
		}
		// Fit the platform if one is open, else what is in view now.
		var pb = p ? app.zones.boundsOf(p.zone_ids || []) : null;
		this.fitBounds = pb && pb.isValid() ? pb : map.getBounds();
		this.home = { parent: app.mapEl.parentNode, next: app.mapEl.nextSibling, center: map.getCenter(), zoom: map.getZoom(), snap: map.options.zoomSnap };
		map.options.zoomSnap = 0; // any scale, not only half zoom levels

		this.pageStyle = h('style', { id: 'print-page-style' });
		document.head.appendChild(this.pageStyle);
		this.frame = h('div', { className: 'print-map' });
		this.gridSvg = document.createElementNS(SVG, 'svg');
		this.gridSvg.setAttribute('class', 'print-grid');
		this.sheet = h('div', { id: 'print-sheet', className: 'print-sheet' });
		this.stage = h('div', { className: 'print-stage' }, this.sheet);
		this.el = h('div', { id: 'print-overlay' }, this._controls(), this.stage);
		document.body.appendChild(this.el);
		document.body.classList.add('print-mode');
		this._onMove = function () { self._decorate(); };
		map.on('moveend zoomend resize', this._onMove);
		// The legend lists what is drawn: redo it when a layer comes or goes.
		this._onLayers = function () { self._redoLegend(); };
		app.on('layers', this._onLayers);
		map.on('layeradd layerremove', this._onLayers);
		// No editor's selection outline on paper; the selection itself stays.
		app.zones.setSelection([]);
		this._onResize = function () { self._fitStage(); };
		window.addEventListener('resize', this._onResize);
		this.layout();
	};

	PrintLayout.prototype.close = function () {
		var app = this.app, map = app.map;
		if (!this.el) {
			return;
		}
		map.off('moveend zoomend resize', this._onMove);
		map.off('layeradd layerremove', this._onLayers);
		app.off('layers', this._onLayers);
		app.zones.setSelection(app.selection.ids());
		window.removeEventListener('resize', this._onResize);
		this.home.parent.insertBefore(app.mapEl, this.home.next);
		map.options.zoomSnap = this.home.snap;
		document.body.classList.remove('print-mode');
		this.el.remove();
		this.pageStyle.remove();
		this.el = null;
		map.invalidateSize();
		map.setView(this.home.center, this.home.zoom, { animate: false });
	};

	PrintLayout.prototype.print = function () {
		window.print();
	};

	// size is the paper in mm, [width, height].
	PrintLayout.prototype.size = function () {
		var s = PAPER[this.opts.paper] || PAPER.A4;
		return this.opts.orient === 'landscape' ? [s[1], s[0]] : [s[0], s[1]];
	};

	// layout builds the sheet for the options and sets the map's view.
	PrintLayout.prototype.layout = function () {
		var app = this.app, map = app.map, o = this.opts, sz = this.size();
		this.pageStyle.textContent = '@page { size: ' + o.paper + ' ' + o.orient + '; margin: 0; }';
		wanmu.dom.clear(this.sheet);
		this.sheet.className = 'print-sheet ' + o.orient;
		// Half a millimetre short of the paper: never a second page.
		this.sheet.style.width = sz[0] + 'mm';
		this.sheet.style.height = (sz[1] - 0.5) + 'mm';
		this.sheet.style.padding = MARGIN + 'mm';
		this.scaleEl = h('span', { className: 'print-scale-text' });
		this.barEl = h('div', { className: 'print-scalebar' });
		this.frame.appendChild(app.mapEl);
		this.frame.appendChild(this.gridSvg);
		this.frame.appendChild(northArrow());
		this.sheet.appendChild(h('header', { className: 'print-head' },
			h('h1', { className: 'print-title', text: o.title }),
			h('div', { className: 'print-sub' }, this.scaleEl, h('span', { text: ' · ' + t('print.gridName.' + o.grid) }))));
		this.sheet.appendChild(h('div', { className: 'print-body' }, this.frame,
			h('aside', { className: 'print-side' }, this.legendEl = this._legend(), this._areas(), this.barEl)));
		this.sheet.appendChild(this._footer());
		this._fitStage();
		map.invalidateSize({ animate: false });
		if (o.scale === 'fit') {
			map.fitBounds(this.fitBounds, { padding: [40, 40], animate: false }); // room for the halo and the label
		} else {
			var c = map.getCenter();
			map.setView(c, zoomForScale(+o.scale, c.lat), { animate: false });
		}
		this._decorate();
	};

	// _fitStage shrinks the sheet on screen to fit the preview (a transform:
	// its layout, and so the map's pixels, stay those of the paper).
	PrintLayout.prototype._fitStage = function () {
		var r = this.stage.getBoundingClientRect();
		var w = this.sheet.offsetWidth, hgt = this.sheet.offsetHeight;
		var k = Math.min(1, (r.width - 32) / w, (r.height - 32) / hgt);
		this.sheet.style.transform = 'scale(' + Math.max(0.2, k) + ')';
	};

	// scale is the denominator N of 1:N at the map's centre.
	PrintLayout.prototype.scale = function () {
		var map = this.app.map, c = map.getCenter();
		var mPerPx = EARTH * Math.cos(c.lat * Math.PI / 180) / Math.pow(2, map.getZoom() + 8);
		return mPerPx / (MM_PER_PX / 1000);
	};

	PrintLayout.prototype._decorate = function () {
		if (!this.el) {
			return;
		}
		var n = this.scale();
		this.scaleEl.textContent = t('print.scaleText', { n: wanmu.i18n.number(roundScale(n), 0) });
		this.scaleEl.dataset.scale = String(Math.round(n));
		this._scaleBar(n);
		drawGrid(this.app.map, this.gridSvg, this.opts.grid);
	};

	PrintLayout.prototype._scaleBar = function (n) {
		var mPerMm = n / 1000;
		var maxM = 40 * mPerMm; // at most 40 mm of paper
		var step = niceBelow(maxM);
		var mm = step / mPerMm;
		wanmu.dom.clear(this.barEl);
		var segs = h('div', { className: 'bar', style: { width: mm + 'mm' } },
			[0, 1, 2, 3].map(function (i) { return h('span', { className: i % 2 ? 'w' : 'b' }); }));
		this.barEl.appendChild(segs);
		this.barEl.appendChild(h('div', { className: 'bar-labels', style: { width: mm + 'mm' } },
			h('span', { text: '0' }), h('span', { text: step >= 1000 ? wanmu.i18n.number(step / 1000, step % 1000 ? 1 : 0) + ' km' : step + ' m' })));
	};

	// _redoLegend replaces the legend once the map's layers have settled
	// (layeradd fires for every tile's shapes: one redo per frame).
	PrintLayout.prototype._redoLegend = function () {
		var self = this;
		if (!this.el || this._legendQueued) {
			return;
		}
		this._legendQueued = true;
		window.requestAnimationFrame(function () {
			self._legendQueued = false;
			if (self.el && self.legendEl && self.legendEl.parentNode) {
				var l = self._legend();
				self.legendEl.parentNode.replaceChild(l, self.legendEl);
				self.legendEl = l;
			}
		});
	};

	// _legend lists what is drawn on the map: the zones by the layers
	// panel's filter, the constraint layers on the map, and the developable
	// land with its deductions when the platform panel shows them.
	PrintLayout.prototype._legend = function () {
		var app = this.app, f = app.zones.filter(), st = wanmu.style, rows = [];
		if (f.halos) {
			rows.push(row(h('span', { className: 'swatch halo' }), t('layers.platforms')));
		}
		if (f.park) {
			rows.push(row(h('span', { className: 'swatch', style: { background: st.park.fill, 'border-color': st.park.color } }), t('kind.park')));
		}
		st.dispositions.forEach(function (d) {
			if (f.township[d] !== false) {
				var c = st.dispositionColor[d];
				rows.push(row(h('span', { className: 'swatch', style: { background: c, 'border-color': st.shade(c, -0.25) } }), t('kind.township') + ' · ' + t('disp.' + d)));
			}
		});
		developableRows(app).forEach(function (r) { rows.push(row(r[0], r[1])); });
		(app.evalLayers ? app.evalLayers.printRows() : []).forEach(function (r) { rows.push(row(r[0], r[1])); }); // EnterpriseLayer.js
		app.layers.forEach(function (l) {
			var tl = app.tileLayers[l.id];
			if (tl && app.map.hasLayer(tl) && tl.options.opacity > 0) {
				var s = st.layerStyle(l);
				rows.push(row(h('span', { className: 'swatch' + (s.hatch ? ' hatch' : '') + (l.kind === 'reference' ? ' line' : ''),
					style: { background: s.fill || 'transparent', 'border-color': s.stroke, color: s.hatch || s.stroke } }), l.name));
			}
		});
		return h('section', { className: 'print-legend' }, h('h2', { i18n: 'print.legend' }), rows);

		function row(sw, label) {
			return h('div', { className: 'legend-row' }, sw, h('span', { text: label }));
		}
	};

	// developableRows are the developable layer's legend (swatch, label) when
	// it is drawn, in DevelopableLayer.js's colours: green land, hatched
	// deductions in their layer's colour, grey outside the include layers.
	function developableRows(app) {
		var d = app.developable;
		if (!d || !d.on || !d.data || !d.group || !app.map.hasLayer(d.group)) {
			return [];
		}
		return d.data.features.map(function (f) {
			var pr = f.properties, c, label;
			if (pr.kind === 'developable') {
				c = '#2f8a57';
				label = t('developable.land');
			} else if (pr.kind === 'exclude') {
				c = wanmu.style.layerStyle({ kind: 'exclude', name: pr.layer }).stroke;
				label = t('print.deducted', { layer: pr.layer });
			} else {
				c = '#6b7785';
				label = t('developable.outside', { layers: (pr.layers || []).join(t('list.separator')) });
			}
			var bg = pr.kind === 'developable' ? c : 'repeating-linear-gradient(45deg, ' + c + ' 0 1.5px, #fff 1.5px 4px)';
			return [h('span', { className: 'swatch', dataset: { developable: pr.kind }, style: { background: bg, 'border-color': c } }), label];
		});
	}

	// _areas is the active platform's report as its panel shows it.
	PrintLayout.prototype._areas = function () {
		var pp = this.app.platformPanel, p = pp.platform, r = pp.report;
		if (!this.app.activePlatformId || !p || !r) {
			return null;
		}
		var a = function (mu) { return wanmu.units.area(mu, { bare: true }); };
		var km = function (m) { return m >= 1000 ? wanmu.i18n.number(m / 1000, 2) + ' km' : wanmu.i18n.number(m, 0) + ' m'; };
		var minus = function (mu) { return mu > 0.005 ? '−' + a(mu) : a(0); };
		var rows = [
			row('report.gross', a(r.gross.mu)),
			row('report.overlap', a(r.overlap.mu))
		].concat((r.layers || []).map(function (l) {
			return h('tr', null, h('th', { text: t('layerKind.' + l.kind) + ' ' + l.name }), h('td', { text: minus(l.own.mu) }));
		}), [
			row('report.deducted', minus(r.deducted.mu)),
			row('report.developable', a(r.developable.mu), 'developable'),
			row('report.threshold', a(r.threshold_mu)),
			r.meets ? row('report.margin', a(r.margin ? r.margin.mu : r.developable.mu - r.threshold_mu)) :
				row('report.shortfall', a(r.shortfall ? r.shortfall.mu : r.threshold_mu - r.developable.mu)),
			row('report.parts', r.parts > 1 ? t('print.partsGap', { n: r.parts, gap: km(r.largest_gap_m) }) : String(r.parts))
		]);
		return h('section', { className: 'print-areas' },
			h('h2', { text: t('print.areas') + '（' + wanmu.units.symbol() + '）' }),
			h('div', { className: 'print-platform', text: p.name }),
			h('table', null, h('tbody', null, rows)),
			h('div', { className: 'print-small', text: t('report.method', { method: r.method || '' }) + ' · ' + t('report.computedAt', { at: wanmu.i18n.datetime(r.computed_at) }) }));

		function row(key, text, field) {
			return h('tr', { className: field ? 'total' : '' }, h('th', { i18n: key }), h('td', { attrs: { 'data-field': field || '' }, text: text }));
		}
	};

	PrintLayout.prototype._footer = function () {
		return h('footer', { className: 'print-foot' },
			h('span', { text: t('print.date', { d: wanmu.i18n.datetime(new Date().toISOString()) }) }),
			h('span', { text: t('print.source') }),
			// Only on the sample data loaded at first start (the server's config
			// says so): an installation's own data are its own to qualify.
			this.app.config.sample_data ? h('strong', { className: 'print-note', i18n: 'layers.sampleNote' }) : null);
	};

	// _controls is the preview's panel: paper, orientation, scale, grid, title.
	PrintLayout.prototype._controls = function () {
		var self = this, o = this.opts;
		function select(name, values, label) {
			var s = h('select', { attrs: { name: name } }, values.map(function (v) {
				return h('option', { value: v[0], text: v[1], selected: String(o[name]) === String(v[0]) });
			}));
			s.addEventListener('change', function () { o[name] = s.value; self.layout(); });
			return h('label', { className: 'print-field' }, h('span', { i18n: label }), s);
		}
		var title = h('input', { type: 'text', value: o.title, attrs: { name: 'title' } });
		title.addEventListener('input', function () { o.title = title.value; self.sheet.querySelector('.print-title').textContent = title.value; });
		return h('div', { className: 'print-controls' },
			h('h2', { i18n: 'print.heading' }),
			h('label', { className: 'print-field' }, h('span', { i18n: 'print.mapTitle' }), title),
			select('paper', [['A4', 'A4'], ['A3', 'A3']], 'print.paper'),
			select('orient', [['landscape', t('print.landscape')], ['portrait', t('print.portrait')]], 'print.orientation'),
			select('scale', [['fit', t('print.fit')]].concat(SCALES.map(function (n) { return [String(n), '1:' + wanmu.i18n.number(n, 0)]; })), 'print.scale'),
			select('grid', gridKinds().map(function (g) { return [g, t('print.gridName.' + g)]; }), 'print.grid'),
			h('p', { className: 'muted small', i18n: 'print.help' }),
			h('div', { className: 'actions' },
				h('button', { className: 'btn btn-primary', attrs: { type: 'button', 'data-action': 'print' }, i18n: 'print.print', on: { click: function () { self.print(); } } }),
				h('button', { className: 'btn', attrs: { type: 'button', 'data-action': 'close-print' }, i18n: 'print.close', on: { click: function () { self.close(); } } })));
	};

	function zoomForScale(n, lat) {
		return Math.log(EARTH * Math.cos(lat * Math.PI / 180) / (n * MM_PER_PX / 1000)) / Math.LN2 - 8;
	}

	// roundScale keeps three significant figures: the fitted scale is true
	// at the centre only, so more digits would claim too much.
	function roundScale(n) {
		var k = Math.pow(10, Math.max(0, Math.floor(Math.log(n) / Math.LN10) - 2));
		return Math.round(n / k) * k;
	}

	// niceBelow is the largest 1, 2 or 5 × 10^k not above v.
	function niceBelow(v) {
		var k = Math.pow(10, Math.floor(Math.log(v) / Math.LN10));
		return [5, 2, 1].map(function (m) { return m * k; }).filter(function (x) { return x <= v; })[0] || k;
	}

	function northArrow() {
		var s = document.createElementNS(SVG, 'svg');
		s.setAttribute('class', 'print-north');
		s.setAttribute('viewBox', '0 0 40 56');
		var left = document.createElementNS(SVG, 'path');
		left.setAttribute('d', 'M20 4 L8 48 L20 40 Z');
		left.setAttribute('fill', '#222');
		var right = document.createElementNS(SVG, 'path');
		right.setAttribute('d', 'M20 4 L32 48 L20 40 Z');
		right.setAttribute('fill', '#fff');
		right.setAttribute('stroke', '#222');
		var n = document.createElementNS(SVG, 'text');
		n.setAttribute('x', '20');
		n.setAttribute('y', '56');
		n.setAttribute('text-anchor', 'middle');
		n.textContent = 'N';
		s.appendChild(left);
		s.appendChild(right);
		s.appendChild(n);
		return s;
	}

	// gridKinds are the grids offered: degrees, and the region's main
	// Gauss-Krüger zone with and without the zone prefix (丽水: 4528, 4549).
	function gridKinds() {
		var z = wanmu.gk.zone();
		return ['deg', String(4488 + z), String(4509 + z)];
	}

	// A grid's coordinates: a runs east, b north. Degrees for CGCS2000;
	// a Gauss-Krüger grid is named by its EPSG code (x north, y east).
	var GRIDS = {
		deg: {
			fwd: function (ll) { return [ll.lng, ll.lat]; },
			inv: function (a, b) { return L.latLng(b, a); },
			steps: [1 / 120, 1 / 60, 2 / 60, 5 / 60, 10 / 60, 15 / 60, 0.5, 1, 2],
			label: function (v, axis) {
				var m = Math.round(Math.abs(v) * 60), d = Math.floor(m / 60);
				var sec = Math.round(Math.abs(v) * 3600) % 60;
				return d + '°' + pad(m % 60) + '′' + (sec ? pad(sec) + '″' : '') + (axis === 'a' ? 'E' : 'N');
			}
		}
	};

	// gk is the grid of a Gauss-Krüger EPSG code (zone and prefix).
	function gk(z) {
		return {
			fwd: function (ll) { var p = wanmu.gk.toZone(ll.lng, ll.lat, z.prefixed, z.zone); return [p.y, p.x]; },
			inv: function (a, b) { var q = wanmu.gk.fromZone(b, a, z.zone); return L.latLng(q.lat, q.lon); },
			steps: [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000],
			// No digit grouping: surveyors write 40462 km, not 40,462 km.
			label: function (v) { return (v / 1000).toFixed(v % 1000 ? 1 : 0) + ' km'; }
		};
	}

	function pad(n) {
		return n < 10 ? '0' + n : String(n);
	}

	// drawGrid draws grid lines every step (3 to 7 across) and labels them
	// where they leave the top and left edges.
	function drawGrid(map, svg, kind) {
		var z = wanmu.gk.epsgZone(kind), g = z ? gk(z) : GRIDS.deg;
		var size = map.getSize();
		while (svg.firstChild) {
			svg.removeChild(svg.firstChild);
		}
		svg.setAttribute('width', size.x);
		svg.setAttribute('height', size.y);
		var pts = [];
		[0, 0.5, 1].forEach(function (fx) {
			[0, 0.5, 1].forEach(function (fy) { pts.push(g.fwd(map.containerPointToLatLng([fx * size.x, fy * size.y]))); });
		});
		var aMin = Math.min.apply(null, pts.map(function (p) { return p[0]; })), aMax = Math.max.apply(null, pts.map(function (p) { return p[0]; }));
		var bMin = Math.min.apply(null, pts.map(function (p) { return p[1]; })), bMax = Math.max.apply(null, pts.map(function (p) { return p[1]; }));
		var span = Math.max(aMax - aMin, bMax - bMin);
		var step = g.steps.filter(function (s) { return span / s <= 7; })[0] || g.steps[g.steps.length - 1];
		lines('a', aMin, aMax, bMin, bMax);
		lines('b', bMin, bMax, aMin, aMax);

		function lines(axis, lo, hi, olo, ohi) {
			for (var v = Math.ceil(lo / step) * step; v <= hi; v += step) {
				var xy = [];
				for (var i = 0; i <= 24; i++) {
					var o = olo + (ohi - olo) * i / 24;
					var p = map.latLngToContainerPoint(axis === 'a' ? g.inv(v, o) : g.inv(o, v));
					xy.push([p.x, p.y]);
				}
				var line = document.createElementNS(SVG, 'polyline');
				line.setAttribute('points', xy.map(function (q) { return q[0].toFixed(1) + ',' + q[1].toFixed(1); }).join(' '));
				svg.appendChild(line);
				// Where the line crosses the top (a) or left (b) edge.
				var at = crossing(xy, axis === 'a' ? 1 : 0);
				if (at !== null && at > 12 && at < (axis === 'a' ? size.x : size.y) - 12) {
					var tx = document.createElementNS(SVG, 'text');
					tx.textContent = g.label(v, axis);
					if (axis === 'a') {
						tx.setAttribute('x', at.toFixed(1));
						tx.setAttribute('y', '11');
						tx.setAttribute('text-anchor', 'middle');
					} else {
						tx.setAttribute('x', '3');
						tx.setAttribute('y', (at - 3).toFixed(1));
					}
					svg.appendChild(tx);
				}
			}
		}
	}

	// crossing is the other coordinate where a polyline passes 0 in
	// coordinate k (1: y = 0, the top; 0: x = 0, the left).
	function crossing(xy, k) {
		for (var i = 1; i < xy.length; i++) {
			var p = xy[i - 1], q = xy[i];
			if ((p[k] <= 0) !== (q[k] <= 0)) {
				var f = p[k] / (p[k] - q[k]);
				return p[1 - k] + f * (q[1 - k] - p[1 - k]);
			}
		}
		return null;
	}

	wanmu.PrintLayout = PrintLayout;
})(window.wanmu = window.wanmu || {});
