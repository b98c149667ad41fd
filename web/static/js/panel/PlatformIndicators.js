// PlatformIndicators.js: 亩均效益 in the platform panel (issue 18, item 3).
// The platform's indicators computed from the stored enterprise figures
// (GET /platforms/{id}/indicators?year=): each with its unit and definition,
// against the 2025 target where the policy sets one, against the base year
// (the doubling goal), how many enterprises report it and its trend over the
// stored years; then the land held by A/B/C/D/T enterprises. The panel
// re-renders often (selection, units): section() draws from what is loaded
// and loads what is missing, then asks the panel to render again.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h, svg = wanmu.dom.svg;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var CLASSES = ['A', 'B', 'C', 'D', 'T'];

	var years = null;      // the stored years, newest first; [] when none
	var yearsFailed = false;
	var year = null;       // the year shown (null: the newest)
	var data = {};         // "platform@version" → {year: GET answer}
	var pending = {};      // "platform@version|year" being loaded
	var failed = {};
	var shownFor = null;   // the platform last shown
	var gen = 0;           // answers of an older generation are dropped

	// section is the panel's part for platform p (GET /platforms/{id}).
	// Another platform starts afresh, so figures imported meanwhile show.
	function section(p) {
		var body;
		if (p.id !== shownFor) {
			shownFor = p.id;
			reset();
		}
		if (wanmu.api.scenario()) {
			body = h('p', { className: 'muted small', i18n: 'indicators.officialOnly' });
		} else if (yearsFailed) {
			body = h('p', { className: 'muted small', i18n: 'indicators.failed' });
		} else if (!years) {
			loadYears();
			body = h('p', { className: 'muted small', i18n: 'indicators.loading' });
		} else if (!years.length) {
			body = h('p', { className: 'muted small', i18n: 'indicators.none' });
		} else {
			body = content(p);
		}
		return h('section', { className: 'indicators-section', attrs: { 'data-section': 'indicators' } },
			h('div', { className: 'indicators-head' },
				h('h4', { className: 'section-title', i18n: 'indicators.title' }),
				years && years.length && !wanmu.api.scenario() ? yearPicker() : null),
			body);
	}

	// reset forgets what was loaded (e.g. after an import of enterprise figures).
	function reset() {
		gen++;
		years = null;
		yearsFailed = false;
		data = {};
		pending = {};
		failed = {};
	}

	function rerender() {
		var pp = wanmu.app && wanmu.app.platformPanel;
		if (pp) {
			pp.render();
		}
	}

	function loadYears() {
		if (pending.years) {
			return;
		}
		pending.years = true;
		var mine = gen;
		wanmu.api.get('/enterprises/years', { scenario: 0 }).then(function (res) {
			if (mine !== gen) {
				return;
			}
			years = (res.years || []).map(function (y) { return y.year; }).sort().reverse();
			pending.years = false;
			rerender();
		}, function () {
			if (mine !== gen) {
				return;
			}
			yearsFailed = true;
			pending.years = false;
			rerender();
		});
	}

	function shownYear() {
		return year && years.indexOf(year) >= 0 ? year : years[0];
	}

	function yearPicker() {
		var s = h('select', { className: 'indicators-year', attrs: { 'data-indicators-year': '', 'aria-label': t('indicators.year') } },
			years.map(function (y) { return h('option', { value: String(y), selected: y === shownYear(), text: t('indicators.yearOption', { year: y }) }); }));
		s.addEventListener('change', function () {
			year = Number(s.value);
			rerender();
		});
		return s;
	}

	// content is the indicators of the shown year, with every stored year
	// loaded for the trend.
	function content(p) {
		var key = p.id + '@' + p.version, y = shownYear();
		var have = data[key] = data[key] || {};
		// A year that failed is left out of the trend (and not waited for);
		// the shown year failing says so, with a retry.
		var missing = years.filter(function (yy) { return !have[yy] && !failed[key + '|' + yy]; });
		missing.forEach(function (yy) { load(p, key, yy); });
		if (failed[key + '|' + y]) {
			return h('p', { className: 'muted small', attrs: { 'data-indicators-failed': String(y) } },
				h('span', { i18n: 'indicators.failed' }), ' ',
				h('button', { className: 'btn btn-link', attrs: { type: 'button', 'data-action': 'indicators-retry' }, i18n: 'pind.retry',
					on: { click: function () { delete failed[key + '|' + y]; rerender(); } } }));
		}
		if (missing.length) {
			return h('p', { className: 'muted small', i18n: 'indicators.loading' });
		}
		var res = have[y], pi = res.platform;
		var trend = years.slice().reverse().filter(function (yy) { return have[yy]; }).map(function (yy) { return { year: yy, pi: have[yy].platform }; });
		var sub = [t('indicators.computed', { year: y, n: wanmu.i18n.number(pi.enterprises, 0) })];
		sub.push(res.base_year ? t('indicators.baseYear', { year: res.base_year }) : t('indicators.noBase'));
		return h('div', { className: 'indicators-body', attrs: { 'data-year': String(y), 'data-platform-id': String(p.id) } },
			h('p', { className: 'muted small indicators-sub' }, h('span', { className: 'computed-tag', i18n: 'indicators.computedTag' }), h('span', { text: ' ' + sub.join(' · ') })),
			h('div', { className: 'indicator-list' }, pi.values.map(function (v) { return indicatorRow(v, trend); })),
			classLand(pi),
			lowEfficiency(pi),
			wanmu.app.config && wanmu.app.config.sample_data ? h('p', { className: 'small print-note', i18n: 'indicators.sample' }) : null,
			h('p', { className: 'muted small', i18n: 'indicators.handTyped' }));
	}

	function load(p, key, y) {
		var k = key + '|' + y;
		if (pending[k] || failed[k]) {
			return;
		}
		pending[k] = true;
		var mine = gen;
		wanmu.api.get('/platforms/' + p.id + '/indicators', { year: y, scenario: 0 }).then(function (res) {
			if (mine !== gen) {
				return;
			}
			pending[k] = false;
			data[key][y] = res;
			rerender();
		}, function (err) {
			if (mine !== gen) {
				return;
			}
			pending[k] = false;
			failed[k] = true;
			rerender();
			if (err.status !== 401 && err.status !== 404) {
				wanmu.notifyError(err, t('indicators.failed'));
			}
		});
	}

	// indicatorRow: label (definition as its title) and unit, the value and
	// the trend; below, the target, the doubling goal and the reporting count.
	function indicatorRow(v, trend) {
		var facts = [];
		if (v.target !== undefined && v.target !== null) {
			var met = v.value !== null && v.value >= v.target;
			facts.push(h('span', { className: 'ind-target ' + (v.value === null ? '' : met ? 'met' : 'unmet'), attrs: { 'data-field': 'target', 'data-met': v.value === null ? null : String(met) } },
				h('span', { className: 'mark', text: v.value === null ? '' : met ? '✓ ' : '✗ ' }),
				h('span', { text: v.value === null ? t('indicators.target', { v: num(v.target) }) :
					t(met ? 'indicators.targetAbove' : 'indicators.targetGap', { v: num(v.target), gap: num(Math.abs(v.value - v.target)) }) })));
		}
		if (v.base !== undefined && v.base !== null) {
			var prog = v.progress === undefined || v.progress === null ? null : v.progress;
			facts.push(h('span', { className: 'ind-base', attrs: { 'data-field': 'doubling' }, title: t('indicators.doublingHelp') },
				h('span', { text: t('indicators.base', { base: num(v.base), goal: num(v.doubling) }) }),
				prog !== null ? progressBar(prog) : null,
				prog !== null ? h('span', { text: t('indicators.progress', { p: wanmu.i18n.number(prog * 100, 1) }) }) : null));
		}
		if (v.code !== 'ab_land_share') { // a share of land: no enterprise "reports" it
			facts.push(h('span', { className: 'ind-reporting', attrs: { 'data-field': 'reporting' }, text: t('indicators.reporting', { n: wanmu.i18n.number(v.reporting, 0) }) }));
		}
		return h('div', { className: 'ind-row', attrs: { 'data-code': v.code } },
			h('div', { className: 'ind-main' },
				h('span', { className: 'ind-label', title: words.def(v.code, v.definition) },
					h('span', { text: words.label(v.code, v.label) }), h('span', { className: 'ind-unit', text: ' ' + words.unit(v.unit) })),
				h('span', { className: 'ind-value num', attrs: { 'data-field': 'value' }, text: num(v.value) }),
				sparkline(trend.map(function (tr) { return { year: tr.year, v: valueOf(tr.pi, v.code) }; }), shownYear())),
			h('div', { className: 'ind-def small muted', text: words.def(v.code, v.definition) }),
			facts.length ? h('div', { className: 'ind-facts small' }, facts) : null);
	}

	function valueOf(pi, code) {
		var f = (pi.values || []).filter(function (x) { return x.code === code; })[0];
		return f && f.value !== null && f.value !== undefined ? f.value : null;
	}

	// progressBar shows the way from the base (0) to the doubling (1).
	function progressBar(p) {
		var w = Math.max(0, Math.min(1, p)) * 100;
		return h('span', { className: 'ind-progress' + (p < 0 ? ' back' : ''), attrs: { 'aria-hidden': 'true' } },
			h('span', { style: { width: w + '%' } }));
	}

	// sparkline is the value over the stored years (oldest first), the
	// shown year's point marked, with an arrow for the change into the
	// shown year from the year before it (none for the first year).
	function sparkline(pts, shown) {
		var known = pts.filter(function (q) { return q.v !== null; });
		if (known.length < 2) {
			return h('span', { className: 'ind-trend muted', title: t('indicators.noTrend'), text: '—' });
		}
		var W = 56, H = 18, pad = 3;
		var lo = Math.min.apply(null, known.map(function (q) { return q.v; }));
		var hi = Math.max.apply(null, known.map(function (q) { return q.v; }));
		var x = function (i) { return pad + (W - 2 * pad) * i / (pts.length - 1); };
		var y = function (v) { return hi === lo ? H / 2 : H - pad - (H - 2 * pad) * (v - lo) / (hi - lo); };
		var xy = [];
		pts.forEach(function (q, i) {
			if (q.v !== null) {
				xy.push(x(i).toFixed(1) + ',' + y(q.v).toFixed(1));
			}
		});
		var at = known.map(function (q) { return q.year; }).indexOf(shown);
		var cur = known[at], prev = at > 0 ? known[at - 1] : null;
		var dir = !cur || !prev ? 'none' : cur.v > prev.v * 1.0005 ? 'up' : cur.v < prev.v * 0.9995 ? 'down' : 'flat';
		var chart = svg('svg', { 'class': 'sparkline', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, 'aria-hidden': 'true' },
			svg('polyline', { points: xy.join(' ') }),
			cur ? svg('circle', { cx: x(pts.indexOf(cur)).toFixed(1), cy: y(cur.v).toFixed(1), r: 2.4 }) : null);
		var tip = known.map(function (q) { return q.year + ': ' + num(q.v); }).join(t('list.separator'));
		return h('span', { className: 'ind-trend ' + dir, title: tip, attrs: { 'data-trend': dir } },
			chart, h('span', { className: 'arrow', text: { up: '↑', down: '↓', flat: '→', none: '' }[dir] }));
	}

	// classLand is the platform's enterprise land by class: a stacked bar
	// and a legend with 亩 (or the unit chosen) and shares.
	function classLand(pi) {
		var land = pi.class_land || {}, share = pi.class_land_share || {};
		var present = CLASSES.filter(function (c) { return land[c] > 0; });
		if (!present.length) {
			return null;
		}
		return h('div', { className: 'class-land', attrs: { 'data-section': 'class-land' } },
			h('div', { className: 'class-land-title small', text: t('indicators.classLand', { v: wanmu.units.area(pi.enterprise_land_mu) }) }),
			h('div', { className: 'class-bar', attrs: { role: 'img', 'aria-label': t('indicators.classLandAria') } }, present.map(function (c) {
				return h('span', { className: 'seg seg-' + c, title: c + ' ' + pct(share[c]),
					style: { width: (100 * (share[c] || 0)) + '%', background: wanmu.style.classColor(c) } }, share[c] >= 0.08 ? c : '');
			})),
			h('div', { className: 'class-legend small' }, present.map(function (c) {
				return h('span', { className: 'class-item', attrs: { 'data-class': c } },
					h('span', { className: 'swatch', style: { background: wanmu.style.classColor(c) } }),
					h('span', { text: t('indicators.class.' + c) + ' ' + wanmu.units.area(land[c]) + ' · ' + pct(share[c]) }));
			})));
	}

	// lowEfficiency is the 低效用地 (C/D enterprises' land and vacant
	// parcels) when the server gives it.
	function lowEfficiency(pi) {
		var le = pi.low_efficiency;
		if (!le || !(le.total_mu > 0)) {
			return null;
		}
		return h('p', { className: 'small low-efficiency', attrs: { 'data-field': 'low-efficiency' },
			text: t('indicators.lowEfficiency', { v: wanmu.units.area(le.total_mu), cd: wanmu.units.area(le.cd_mu), vacant: wanmu.units.area(le.vacant_mu),
				share: le.share === null || le.share === undefined ? '—' : pct(le.share) }) });
	}

	function num(v) {
		return v === null || v === undefined ? '—' : wanmu.i18n.number(v, 2);
	}

	function pct(s) {
		return wanmu.i18n.number((s || 0) * 100, 1) + '%';
	}

	// words are the server's Chinese names in the page's language, by code:
	// Chinese shows the server's own text, another language its translation
	// (the server's text where there is none, e.g. a renamed tier).
	var DEFAULT_TIERS = ['第一档', '第二档', '第三档'];
	var zh = function () { return wanmu.i18n.lang() === 'zh'; };
	var words = {
		label: function (code, server) { return zh() ? server : wanmu.i18n.tOr('pind.' + code, server); },
		def: function (code, server) { return zh() ? server : wanmu.i18n.tOr('pind.def.' + code, server); },
		unit: function (u) { return !zh() && u === '万元/亩' ? t('pind.unit.yuanMu') : u; },
		tier: function (i, server) { return !zh() && DEFAULT_TIERS[i - 1] === server ? t('mapfix.tier.' + i) : server; }
	};

	// The panel is built with the words of the moment.
	wanmu.i18n.on('langchange', rerender);

	wanmu.PlatformIndicators = { section: section, reset: reset, words: words };
})(window.wanmu = window.wanmu || {});
