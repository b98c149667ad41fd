// ZoneDevelopable.js: a zone's own developable area — its gross area, what
// lies outside the include layers, what each exclude layer takes and what is
// left — from GET /zones/{id}/developable (the platform report's engine run
// on the zone alone). The zone panel shows it once loaded, without waiting
// for it; the live panel shows the same table for a draft (the "zone" of
// POST /zones/{id}/preview).
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	// ZoneDevelopable loads the figures of the zone the panel shows; changed
	// is called when an answer arrives or the constraint layers change.
	function ZoneDevelopable(app, changed) {
		this.app = app;
		this._changed = changed;
		this._key = null;  // what the figures below are (being) loaded for
		this._zone = null; // the zone last shown
		this._data = null;
		this._error = null;
		app.on('layers', function () {
			if (this._zone && this._keyOf(this._zone) !== this._key) {
				this._changed();
			}
		}, this);
	}

	// _keyOf names everything the figures depend on: the zone's version and
	// the constraint layers in force.
	ZoneDevelopable.prototype._keyOf = function (p) {
		return p.id + '@' + p.version + '|' + (this.app.layers || []).map(function (l) {
			return l.id + ':' + l.version + ':' + l.enabled;
		}).join(',');
	};

	// section is the panel's part for zone properties p; it asks for the
	// figures when they are not those of p as it is now. An answer for an
	// earlier zone or version is dropped.
	ZoneDevelopable.prototype.section = function (p) {
		var key = this._keyOf(p);
		this._zone = p;
		if (key !== this._key) {
			this._load(p.id, key);
		}
		var body = this._error ? h('div', { className: 'muted', text: t('zonedev.failed', { e: this._error.describe() }) }) :
			this._data ? table(this._data) : h('div', { className: 'muted', i18n: 'zonedev.loading' });
		return h('section', { className: 'zone-dev', attrs: { 'data-state': this._error ? 'error' : this._data ? 'ready' : 'loading' } },
			h('h4', { i18n: 'zonedev.title' }), body);
	};

	ZoneDevelopable.prototype._load = function (id, key) {
		var self = this;
		this._key = key;
		this._data = null;
		this._error = null;
		wanmu.api.get('/zones/' + id + '/developable', null, { quiet401: true }).then(function (d) {
			if (self._key === key) {
				self._data = d;
				self._changed();
			}
		}, function (err) {
			if (self._key === key && err.status !== 401) {
				self._error = err;
				self._changed();
			}
		});
	};

	// table lists gross, the deductions (each only what those above it did
	// not take, so they add up) and developable, in the chosen unit.
	function table(d) {
		var units = wanmu.units;
		var rows = (d.deductions || []).map(function (x) {
			var name = x.kind === 'exclude' ? x.layers[0] : t('developable.outside', { layers: x.layers.join('、') });
			return h('tr', { className: 'deduction-row', dataset: { deduction: x.kind, layerIds: x.layer_ids.join(',') } },
				h('th', { text: name }),
				h('td', { className: 'num', text: x.area.mu > 0.005 ? '−' + units.area(x.area.mu, { bare: true }) : units.area(0, { bare: true }) }));
		});
		var share = d.gross.m2 > 0 ? t('zonedev.share', { p: wanmu.i18n.number(100 * d.developable.m2 / d.gross.m2, 1) }) : '';
		return h('div', { className: 'zone-dev-body' },
			h('div', { className: 'zone-dev-figure' },
				h('span', { className: 'big', attrs: { 'data-field': 'developable' }, text: units.area(d.developable.mu) }),
				h('span', { className: 'muted', text: ' ' + share })),
			h('table', { className: 'figures zone-dev-table' },
				h('tbody', null,
					h('tr', null, h('th', { i18n: 'zonedev.gross' }), h('td', { className: 'num', attrs: { 'data-field': 'gross' }, text: units.area(d.gross.mu, { bare: true }) })),
					rows.length ? rows : h('tr', null, h('th', { className: 'muted', attrs: { colspan: 2 }, i18n: 'zonedev.noLayers' })),
					h('tr', { className: 'total' }, h('th', { text: t('zonedev.developable') + ' (' + units.symbol() + ')' }),
						h('td', { className: 'num', text: units.area(d.developable.mu, { bare: true }) })))),
			rows.length ? h('div', { className: 'zone-dev-note muted', i18n: 'zonedev.note' }) : null);
	}

	ZoneDevelopable.table = table;
	wanmu.ZoneDevelopable = ZoneDevelopable;
})(window.wanmu = window.wanmu || {});
