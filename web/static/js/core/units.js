// units.js: areas as planners read them. The server gives every area in m²,
// mu and ha computed on the CGCS2000 ellipsoid; this file only converts and
// formats for display (1 mu = 2000/3 m², 15 mu = 1 ha, 1 km² = 1500 mu).
// Comparisons with the threshold are made by the server on unrounded values.
(function (wanmu) {
	'use strict';

	var STORAGE_KEY = 'wanmu.unit';
	var M2_PER_MU = 2000 / 3;
	var units = {
		mu: { perMu: 1, decimals: 2, key: 'unit.mu' },
		ha: { perMu: 1 / 15, decimals: 2, key: 'unit.ha' },
		km2: { perMu: 1 / 1500, decimals: 3, key: 'unit.km2' }
	};
	var current = 'mu';
	try {
		var saved = window.localStorage.getItem(STORAGE_KEY);
		if (units[saved]) {
			current = saved;
		}
	} catch (e) { /* keep default */ }
	var events = new wanmu.Emitter();

	function set(u) {
		if (!units[u] || u === current) {
			return;
		}
		current = u;
		try {
			window.localStorage.setItem(STORAGE_KEY, u);
		} catch (e) { /* ignore */ }
		events.fire('unitchange', { unit: u });
	}

	// value converts mu into the current (or the given) unit.
	function value(mu, unit) {
		return mu * units[unit || current].perMu;
	}

	// area formats an area given in mu, e.g. "10,234.50 亩".
	function area(mu, opts) {
		opts = opts || {};
		var u = opts.unit || current;
		if (mu === null || mu === undefined || isNaN(mu)) {
			return '—';
		}
		// round: whole numbers where they are whole in mu (thresholds, axes).
		var s = wanmu.i18n.number(value(mu, u), opts.round && u === 'mu' ? 0 : units[u].decimals);
		if (opts.sign && mu > 0) {
			s = '+' + s;
		}
		return opts.bare ? s : s + ' ' + wanmu.i18n.t(units[u].key);
	}

	// symbol is the current unit's name (亩, 公顷, km²).
	function symbol(unit) {
		return wanmu.i18n.t(units[unit || current].key);
	}

	wanmu.units = {
		M2_PER_MU: M2_PER_MU,
		list: Object.keys(units),
		current: function () { return current; },
		set: set,
		value: value,
		area: area,
		symbol: symbol,
		fromM2: function (m2) { return m2 / M2_PER_MU; },
		on: function (type, fn, ctx) { events.on(type, fn, ctx); },
		off: function (type, fn, ctx) { events.off(type, fn, ctx); }
	};
})(window.wanmu = window.wanmu || {});
