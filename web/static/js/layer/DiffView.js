// DiffView.js: what differs between two states of the data — the official
// data and a consolidation plan, or two plans — drawn on the map: zones the
// second one added (green), removed (red, dashed), reshaped (the first
// outline dashed grey, the second orange) or changed otherwise (purple), with
// a card listing them, the area each reshaping gained and lost, and a click
// to go to one. The differences come from GET /scenarios/diff. The same
// view shows an adoption's conflicts: both versions of each zone.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var STYLES = {
		added: { color: '#1a9850', weight: 3, fillColor: '#1a9850', fillOpacity: 0.25 },
		removed: { color: '#d73027', weight: 2.5, dashArray: '6 4', fillColor: '#d73027', fillOpacity: 0.1 },
		before: { color: '#4d4d4d', weight: 2, dashArray: '4 4', fill: false },
		after: { color: '#e66101', weight: 3, fillColor: '#e66101', fillOpacity: 0.2 },
		attributes: { color: '#5e3c99', weight: 2.5, fillColor: '#5e3c99', fillOpacity: 0.12 }
	};
	var ORDER = ['added', 'removed', 'after', 'before', 'attributes'];

	// kindOf is the legend entry of one feature's side.
	function kindOf(p) {
		if (p.status !== 'changed') {
			return p.status;
		}
		if (p.changes[0] !== 'outline') {
			return 'attributes';
		}
		return p.side === 'a' ? 'before' : 'after';
	}

	function DiffView(app) {
		this.app = app;
		this.group = L.featureGroup().addTo(app.map);
		this.card = null;
		this._seq = 0;
	}

	// show draws the differences from scenario a to scenario b (0: the
	// official data). opts.only(props) keeps some features (an adoption's
	// conflicts); opts.back {label, fn} adds a button leading back to where
	// the planner came from. It resolves with the number of zones shown.
	DiffView.prototype.show = function (a, b, opts) {
		opts = opts || {};
		var self = this, seq = ++this._seq;
		return wanmu.api.get('/scenarios/diff', { a: a, b: b, scenario: 0 }).then(function (fc) {
			if (seq !== self._seq) {
				return 0;
			}
			var features = fc.features.filter(function (f) { return !opts.only || opts.only(f.properties); });
			self._draw(features);
			self._card(fc, features, opts);
			var bounds = self.group.getBounds();
			if (bounds.isValid()) {
				self.app.map.fitBounds(bounds, { padding: [60, 60], maxZoom: 16 });
			}
			return self._zones(features).length;
		}, function (err) {
			wanmu.notifyError(err);
			throw err;
		});
	};

	DiffView.prototype.clear = function () {
		this._seq++;
		this.group.clearLayers();
		if (this.card) {
			this.card.remove();
			this.card = null;
		}
		document.body.classList.remove('showing-diff');
	};

	DiffView.prototype._draw = function (features) {
		var self = this;
		this.group.clearLayers();
		// Underneath first: the outlines a reshaped zone had, then the rest.
		features.slice().sort(function (x, y) {
			return ORDER.indexOf(kindOf(y.properties)) - ORDER.indexOf(kindOf(x.properties));
		}).forEach(function (f) {
			var kind = kindOf(f.properties);
			if (kind === 'attributes' && f.properties.side === 'a') {
				return; // the same outline as b's
			}
			var layer = L.geoJSON(f, {
				pane: 'wanmuCompare', pmIgnore: true, snapIgnore: true, interactive: true,
				style: function () { return STYLES[kind]; }
			});
			layer.bindTooltip(function () { return self._tip(f.properties, kind); }, { sticky: true });
			layer.eachLayer(function (l) { l.options.diffKey = f.properties.diff; });
			self.group.addLayer(layer);
		});
	};

	// _tip is a text node: names are never HTML.
	DiffView.prototype._tip = function (p, kind) {
		return h('div', {}, h('strong', { text: p.name }), h('div', { text: t('diff.kind.' + kind) + ' · ' + wanmu.units.area(p.area_mu) }));
	};

	// _zones groups the features by difference: one entry per zone.
	DiffView.prototype._zones = function (features) {
		var byDiff = {}, out = [];
		features.forEach(function (f) {
			var p = f.properties;
			if (!byDiff[p.diff]) {
				byDiff[p.diff] = { diff: p.diff, status: p.status, changes: p.changes, gained: p.gained_mu, lost: p.lost_mu, sides: {} };
				out.push(byDiff[p.diff]);
			}
			byDiff[p.diff].sides[p.side] = p;
		});
		return out;
	};

	DiffView.prototype._card = function (fc, features, opts) {
		var self = this;
		if (this.card) {
			this.card.remove();
		}
		var name = function (s) { return s.id === 0 ? t('scenario.official') : s.name; };
		var zones = this._zones(features);
		var legend = h('div', { className: 'diff-legend' }, ORDER.map(function (k) {
			var st = STYLES[k];
			return h('span', { className: 'diff-key' },
				h('i', { style: { border: '2px ' + (st.dashArray ? 'dashed ' : 'solid ') + st.color, background: st.fill === false ? 'none' : st.color + '40' } }),
				t('diff.kind.' + k));
		}));
		var list = h('ol', { className: 'diff-list' }, zones.map(function (z) {
			var side = z.sides.b || z.sides.a;
			var what = z.status === 'changed' ? z.changes.map(function (c) { return t('diff.change.' + c); }).join('、') : t('diff.status.' + z.status);
			var detail = [what];
			if (z.changes && z.changes[0] === 'outline') {
				detail.push(t('diff.gainedLost', { gained: wanmu.units.area(z.gained), lost: wanmu.units.area(z.lost) }));
			}
			if (z.sides.a && z.sides.b && z.sides.a.name !== z.sides.b.name) {
				detail.push(t('diff.rename', { from: z.sides.a.name, to: z.sides.b.name }));
			}
			if (z.sides.a && z.sides.b && z.sides.a.disposition !== z.sides.b.disposition) {
				detail.push(t('diff.disposition', { from: z.sides.a.disposition, to: z.sides.b.disposition }));
			}
			if (z.changes && z.changes.indexOf('platform') >= 0) {
				detail.push(t('diff.platformMove', { from: (z.sides.a && z.sides.a.platform) || t('diff.none'), to: (z.sides.b && z.sides.b.platform) || t('diff.none') }));
			}
			return h('li', {},
				h('button', { className: 'link', attrs: { type: 'button', 'data-diff': String(z.diff) }, on: { click: function () { self._goTo(z.diff); } } }, side.name),
				h('small', { className: 'muted', text: ' ' + detail.join(' · ') }));
		}));
		var counts = { added: 0, removed: 0, changed: 0 };
		zones.forEach(function (z) { counts[z.status]++; });
		var buttons = [h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'close-diff' }, on: { click: function () { self.clear(); } } }, t('diff.close'))];
		if (opts.back) {
			buttons.unshift(h('button', { className: 'btn btn-small btn-primary', attrs: { type: 'button', 'data-action': 'diff-back' },
				on: { click: function () { self.clear(); opts.back.fn(); } } }, opts.back.label));
		}
		this.card = h('section', { className: 'diff-card', attrs: { 'data-diff-a': String(fc.a.id), 'data-diff-b': String(fc.b.id), 'aria-label': t('diff.title') } },
			h('h3', { text: opts.title || t('diff.title') }),
			h('p', { className: 'diff-sides', text: t('diff.from', { a: name(fc.a), b: name(fc.b) }) }),
			h('p', { className: 'diff-counts', text: zones.length ? t('diff.counts', counts) : t('diff.nothing') }),
			fc.truncated ? h('p', { className: 'warn', text: t('diff.truncated', { n: fc.limit }) }) : null,
			legend, list, h('div', { className: 'diff-actions' }, buttons));
		this.app.mapEl.appendChild(this.card);
		document.body.classList.add('showing-diff');
	};

	// _goTo fits the map to one zone's outlines (both, when reshaped).
	DiffView.prototype._goTo = function (diff) {
		var b = L.latLngBounds([]);
		this.group.eachLayer(function (g) {
			g.eachLayer(function (l) {
				if (l.options.diffKey === diff) {
					b.extend(l.getBounds());
				}
			});
		});
		if (b.isValid()) {
			this.app.map.fitBounds(b, { padding: [80, 80], maxZoom: 17 });
		}
	};

	wanmu.DiffView = DiffView;
})(window.wanmu = window.wanmu || {});
