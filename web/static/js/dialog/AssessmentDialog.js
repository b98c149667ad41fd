// AssessmentDialog.js: 年度考核 (issue 18, item 4). The platforms of a year
// ranked by the assessment scheme (GET /evaluation/assessment?year=): rank,
// county, score and each criterion's score, the tier (进退档) with the move
// from last year, 约谈 for the last; a chart of every platform's rank or
// score over the stored years (GET /evaluation/assessment/years); the
// workbook (GET /evaluation/assessment.xlsx) and a printable report on the
// print preview's sheet (css/print.css). Official data only: every request
// names scenario 0.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h, svg = wanmu.dom.svg;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	// open shows the assessment of year (default: the newest stored).
	function open(app, year) {
		var st = { app: app, year: year || null, all: null, res: null, mode: 'rank', focus: app.activePlatformId ? String(app.activePlatformId) : null };
		var yearSel = h('select', { attrs: { name: 'year', 'data-assessment-year': '' } });
		var modeSel = h('select', { attrs: { name: 'mode', 'data-chart-mode': '' } },
			h('option', { value: 'rank', i18n: 'assessment.byRank' }), h('option', { value: 'score', i18n: 'assessment.byScore' }));
		var tableEl = h('div', { className: 'assessment-table' }, h('p', { className: 'muted', i18n: 'assessment.loading' }));
		var chartEl = h('div', { className: 'assessment-chart' });
		var body = h('div', { className: 'assessment' },
			h('div', { className: 'assessment-controls' },
				h('label', null, h('span', { i18n: 'assessment.year' }), yearSel),
				h('label', null, h('span', { i18n: 'assessment.chartMode' }), modeSel)),
			tableEl,
			h('h3', { className: 'assessment-h', i18n: 'assessment.chartTitle' }),
			chartEl);
		var d = new wanmu.Dialog({
			title: 'assessment.title', body: body, className: 'assessment-dialog',
			buttons: [
				{ label: 'assessment.xlsx', action: function () {
					return downloadXLSX(st.res.year, d.el).then(function () { return false; });
				} },
				{ label: 'assessment.print', action: function () {
					d.close('print');
					report(st);
					return false;
				} },
				{ label: 'action.close', value: null }
			]
		});
		st.redraw = function () {
			renderTable(tableEl, st);
			wanmu.dom.clear(chartEl);
			chartEl.appendChild(chart(st, 1000));
		};
		yearSel.addEventListener('change', function () { load(Number(yearSel.value)); });
		modeSel.addEventListener('change', function () { st.mode = modeSel.value; st.redraw(); });

		// load asks for year y; an answer for a year no longer chosen (the
		// picker moved on meanwhile) is dropped.
		var seq = 0;
		function load(y) {
			var mine = ++seq;
			tableEl.classList.add('loading');
			return wanmu.api.get('/evaluation/assessment', { year: y, scenario: 0 }).then(function (res) {
				if (mine !== seq) {
					return;
				}
				tableEl.classList.remove('loading');
				st.res = res;
				st.year = res.year;
				d.el.dataset.year = String(res.year);
				st.redraw();
			}, function (err) {
				if (mine !== seq) {
					return;
				}
				tableEl.classList.remove('loading');
				d.showError(err);
			});
		}

		wanmu.api.get('/evaluation/assessment/years', { scenario: 0 }).then(function (res) {
			st.all = res.years || [];
			if (!st.all.length) {
				wanmu.dom.clear(tableEl);
				tableEl.appendChild(h('p', { className: 'muted', i18n: 'assessment.none' }));
				return;
			}
			var ys = st.all.map(function (y) { return y.year; });
			var pick = st.year && ys.indexOf(st.year) >= 0 ? st.year : ys[ys.length - 1];
			ys.slice().reverse().forEach(function (y) {
				yearSel.appendChild(h('option', { value: String(y), selected: y === pick, text: t('indicators.yearOption', { year: y }) }));
			});
			return load(pick);
		}, function (err) {
			wanmu.dom.clear(tableEl);
			d.showError(err);
		});
		// The table and chart are built with the words of the moment.
		var relabel = function () {
			if (st.res) {
				st.redraw();
			}
		};
		wanmu.i18n.on('langchange', relabel);
		return d.open().then(function (v) {
			wanmu.i18n.off('langchange', relabel);
			return v;
		});
	}

	var words = function () { return wanmu.PlatformIndicators.words; };

	// label is a criterion's name (the server's definitions, translated by code).
	function label(res, code) {
		var def = (res.definitions || []).filter(function (x) { return x.code === code; })[0];
		return words().label(code, def ? def.label : code);
	}

	// indicator is platform id's figure of indicator code (res.indicators).
	function indicator(res, id, code) {
		var pi = (res.indicators || []).filter(function (x) { return String(x.platform) === String(id); })[0];
		return pi ? (pi.values || []).filter(function (v) { return v.code === code; })[0] || null : null;
	}

	// critCell is a criterion's points with the indicator value behind them.
	function critCell(res, a, c) {
		var pts = (a.scores || {})[c.code], v = indicator(res, a.platform, c.code);
		var val = v && v.value !== null && v.value !== undefined ? wanmu.i18n.number(v.value, 2) + ' ' + words().unit(v.unit) : '—';
		return h('td', { className: 'num crit', attrs: { 'data-code': c.code },
			title: t('mapfix.valueTip', { label: label(res, c.code), v: val, s: wanmu.i18n.number(pts, 2) }) },
		h('span', { className: 'crit-score', text: wanmu.i18n.number(pts, 2) }),
		h('small', { className: 'crit-value', attrs: { 'data-field': 'value' }, text: val }));
	}

	// counties names the counties of a platform (the page's platform list).
	function counties(app, id) {
		var p = (app.platforms || []).filter(function (x) { return String(x.id) === String(id); })[0];
		return p ? (p.counties || []).map(function (c) { return wanmu.i18n.tOr('county.' + c, c); }).join(t('list.separator')) : '—';
	}

	// move says how a platform's tier changed against last year.
	function move(a) {
		if (!a.last_tier) {
			return { key: 'new', arrow: '✦' };
		}
		return a.move > 0 ? { key: 'up', arrow: '▲' } : a.move < 0 ? { key: 'down', arrow: '▼' } : { key: 'same', arrow: '＝' };
	}

	// table is the ranking (shared by the dialog and the report).
	function table(st, forPrint) {
		var res = st.res;
		var crit = res.criteria || [];
		return h('table', { className: 'data assessment-grid' },
			h('thead', null, h('tr', null,
				h('th', { className: 'num', i18n: 'assessment.rank' }),
				h('th', { i18n: 'assessment.platform' }),
				h('th', { className: 'county', i18n: 'assessment.county' }),
				h('th', { className: 'num', i18n: 'assessment.score' }),
				crit.map(function (c) {
					return h('th', { className: 'num crit', title: label(res, c.code) },
						h('span', { text: label(res, c.code) }), h('small', { text: ' ' + t('assessment.weight', { w: wanmu.i18n.number(c.weight, 0) }) }));
				}),
				h('th', { i18n: 'assessment.tier' }),
				h('th', { i18n: 'assessment.move' }),
				h('th', { i18n: 'assessment.interview' }))),
			h('tbody', null, res.platforms.map(function (a) {
				var m = move(a);
				var row = h('tr', {
					className: 'tier-' + a.tier + (a.interview ? ' interview' : '') + (!forPrint && st.focus === a.platform ? ' focus' : ''),
					attrs: { 'data-platform': a.platform, 'data-rank': String(a.rank) }
				},
				h('td', { className: 'num', text: String(a.rank) }),
				h('th', { attrs: { scope: 'row' }, text: a.name }),
				h('td', { className: 'county', text: counties(st.app, a.platform) }),
				h('td', { className: 'num strong', attrs: { 'data-field': 'score' }, text: wanmu.i18n.number(a.score, 2) }),
				crit.map(function (c) { return critCell(res, a, c); }),
				h('td', { attrs: { 'data-field': 'tier' } }, h('span', { className: 'tier-chip tier-' + a.tier, text: words().tier(a.tier, a.tier_name) })),
				h('td', { className: 'move move-' + m.key, attrs: { 'data-field': 'move', 'data-move': m.key }, title: a.last_tier ? t('assessment.lastTier', { tier: words().tier(a.last_tier, res.tiers[a.last_tier - 1] || String(a.last_tier)) }) : '' },
					h('span', { className: 'arrow', text: m.arrow + ' ' }), h('span', { text: t('assessment.move.' + m.key) })),
				h('td', { attrs: { 'data-field': 'interview' } }, a.interview ? h('span', { className: 'interview-flag', text: t('mapfix.interviewFlag') }) : null));
				if (!forPrint) {
					row.addEventListener('click', function () {
						st.focus = st.focus === a.platform ? null : a.platform;
						st.redraw();
					});
				}
				return row;
			})));
	}

	function renderTable(el, st) {
		var res = st.res;
		wanmu.dom.clear(el);
		el.appendChild(h('p', { className: 'muted small assessment-scheme' },
			h('span', { text: t('assessment.scheme', { name: res.scheme.name, v: res.scheme.version }) + ' · ' }),
			h('span', { text: res.last_year ? t('assessment.against', { year: res.last_year }) : t('assessment.firstYear') })));
		el.appendChild(table(st, false));
		el.appendChild(notes(st));
	}

	// notes: the tiers, the 约谈 and, on the sample data, that it is made up.
	function notes(st) {
		var res = st.res;
		var last = res.platforms.filter(function (a) { return a.interview; })[0];
		return h('div', { className: 'assessment-notes small' },
			h('p', { text: t('assessment.tiersNote', { n: res.tiers.length, tiers: res.tiers.map(function (n, i) { return words().tier(i + 1, n); }).join(t('list.separator')) }) }),
			last ? h('p', { className: 'interview-note', text: t('assessment.interviewNote', { name: last.name, year: res.year }) }) : null,
			st.app.config && st.app.config.sample_data ? h('p', { className: 'print-note', i18n: 'indicators.sample' }) : null);
	}

	// chart draws every platform's rank (1 on top) or score over the years,
	// one line each with its name at its last year; the focused platform is
	// drawn over the others, the rest faded.
	function chart(st, W) {
		var all = st.all || [], mode = st.mode;
		var H = 340, L = 44, R = 170, T = 28, B = 30;
		var years = all.map(function (y) { return y.year; });
		var lines = {}, order = [];
		all.forEach(function (y) {
			y.platforms.forEach(function (a) {
				if (!lines[a.platform]) {
					lines[a.platform] = { id: a.platform, name: a.name, pts: [] };
					order.push(a.platform);
				}
				lines[a.platform].name = a.name;
				lines[a.platform].pts.push({ year: y.year, rank: a.rank, score: a.score });
			});
		});
		var maxRank = Math.max.apply(null, [1].concat(all.map(function (y) { return y.platforms.length; })));
		var scores = [].concat.apply([], order.map(function (id) { return lines[id].pts.map(function (q) { return q.score; }); }));
		var lo = Math.floor(Math.min.apply(null, scores.concat([100])) / 10) * 10, hi = Math.ceil(Math.max.apply(null, scores.concat([0])) / 10) * 10;
		if (hi <= lo) {
			hi = lo + 10;
		}
		var x = function (yr) { return years.length < 2 ? L + (W - L - R) / 2 : L + (W - L - R) * years.indexOf(yr) / (years.length - 1); };
		var y = mode === 'rank' ?
			function (q) { return T + (H - T - B) * (maxRank < 2 ? 0.5 : (q.rank - 1) / (maxRank - 1)); } :
			function (q) { return T + (H - T - B) * (hi - q.score) / (hi - lo); };
		var root = svg('svg', { 'class': 'assessment-svg', viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img', 'aria-label': t('assessment.chartTitle') });
		// Axes: a line per year, the ranks or a score scale on the left.
		years.forEach(function (yr) {
			root.appendChild(svg('line', { 'class': 'grid', x1: x(yr), x2: x(yr), y1: T, y2: H - B }));
			root.appendChild(text(x(yr), H - 10, String(yr), 'axis', 'middle'));
		});
		var step = [1, 2, 5, 10, 20, 25, 50].filter(function (k) { return (hi - lo) / k <= 6; })[0] || 50;
		var ticks = mode === 'rank' ? range(1, maxRank) : range(0, Math.floor((hi - lo) / step)).map(function (i) { return lo + step * i; });
		ticks.forEach(function (v) {
			var yy = mode === 'rank' ? y({ rank: v }) : y({ score: v });
			root.appendChild(svg('line', { 'class': 'grid faint', x1: L, x2: W - R, y1: yy, y2: yy }));
			root.appendChild(text(L - 8, yy + 4, mode === 'rank' ? String(v) : wanmu.i18n.number(v, 0), 'axis', 'end'));
		});
		root.appendChild(text(L - 8, 12, t(mode === 'rank' ? 'assessment.axisRank' : 'assessment.axisScore'), 'axis', 'end'));
		// Names at the last point, nudged apart so none overlap.
		var labels = order.map(function (id) {
			var ln = lines[id], q = ln.pts[ln.pts.length - 1];
			return { id: id, y: y(q), x: x(q.year) };
		}).sort(function (a, b) { return a.y - b.y; });
		var GAP = 17;
		for (var i = 1; i < labels.length; i++) {
			labels[i].y = Math.max(labels[i].y, labels[i - 1].y + GAP);
		}
		for (i = labels.length - 1; i >= 0; i--) { // and back up from the bottom
			labels[i].y = Math.min(labels[i].y, i === labels.length - 1 ? H - 6 : labels[i + 1].y - GAP);
		}
		var labelY = {};
		labels.forEach(function (l) { labelY[l.id] = l; });
		var focus = st.focus && lines[st.focus] ? st.focus : null;
		order.slice().sort(function (a, b) { return (a === focus) - (b === focus); }).forEach(function (id) {
			var ln = lines[id], color = wanmu.style.platformColor(id), lb = labelY[id];
			var g = svg('g', { 'class': 'assess-line' + (focus === id ? ' focus' : focus ? ' faded' : ''), 'data-platform': id, stroke: color, fill: color });
			g.appendChild(svg('polyline', { points: ln.pts.map(function (q) { return x(q.year).toFixed(1) + ',' + y(q).toFixed(1); }).join(' ') }));
			ln.pts.forEach(function (q) {
				var c = svg('circle', { cx: x(q.year).toFixed(1), cy: y(q).toFixed(1), r: focus === id ? 4.5 : 3.5 });
				c.appendChild(svg('title', {})).textContent = ln.name + ' ' + q.year + '：' + t('assessment.pointTip', { rank: q.rank, score: wanmu.i18n.number(q.score, 2) });
				g.appendChild(c);
			});
			var endY = y(ln.pts[ln.pts.length - 1]);
			if (Math.abs(endY - lb.y) > 2) { // a name moved off its point: a leader to it
				g.appendChild(svg('line', { 'class': 'leader', x1: lb.x + 4, y1: endY.toFixed(1), x2: lb.x + 9, y2: lb.y.toFixed(1) }));
			}
			g.appendChild(text(lb.x + 12, lb.y + 4, ln.name, 'name', 'start'));
			if (st.redraw) {
				g.addEventListener('click', function () { st.focus = st.focus === id ? null : id; st.redraw(); });
			}
			root.appendChild(g);
		});
		return root;
	}

	function text(x, y, s, cls, anchor) {
		var el = svg('text', { x: x, y: y, 'class': cls, 'text-anchor': anchor });
		el.textContent = s;
		return el;
	}

	function range(a, b) {
		var out = [];
		for (var i = a; i <= b; i++) {
			out.push(i);
		}
		return out;
	}

	// downloadXLSX saves the year's workbook (the page's one download path);
	// el.dataset.xlsx records the file saved.
	function downloadXLSX(year, el) {
		return wanmu.api.download(wanmu.api.url('/evaluation/assessment.xlsx', { year: year, scenario: 0 }), 'wanmu-assessment-' + year + '.xlsx').then(function (name) {
			el.dataset.xlsx = name;
		});
	}

	// report shows the printable report on the print preview's sheet (A4
	// portrait, as many pages as it takes); closing it reopens the dialog.
	function report(st) {
		var res = st.res, app = st.app;
		var pageStyle = h('style', { text: '@page { size: A4 portrait; margin: 12mm 0; }' });
		var sheet = h('div', { id: 'print-sheet', className: 'print-sheet assessment-report' },
			h('header', { className: 'print-head' },
				h('h1', { className: 'print-title', text: t('assessment.reportTitle', { year: res.year }) }),
				h('div', { className: 'print-sub', text: t('assessment.scheme', { name: res.scheme.name, v: res.scheme.version }) + ' · ' +
					(res.last_year ? t('assessment.against', { year: res.last_year }) : t('assessment.firstYear')) })),
			h('section', null, h('h2', { i18n: 'assessment.schemeTitle' }), schemeTable(res)),
			h('section', null, h('h2', { text: t('assessment.rankingTitle', { year: res.year }) }), table(st, true), notes(st)),
			h('section', { className: 'report-chart' }, h('h2', { i18n: 'assessment.chartTitle' }), chart({ all: st.all, mode: st.mode, focus: st.focus, app: app }, 720)),
			h('footer', { className: 'print-foot' },
				h('span', { text: t('print.date', { d: wanmu.i18n.datetime(new Date().toISOString()) }) }),
				h('span', { text: t('print.source') }),
				app.config && app.config.sample_data ? h('strong', { className: 'print-note', i18n: 'layers.sampleNote' }) : null));
		var overlay = h('div', { id: 'print-overlay', className: 'assessment-print' },
			h('div', { className: 'print-controls' },
				h('h2', { i18n: 'assessment.reportHeading' }),
				h('p', { className: 'muted small', i18n: 'assessment.reportHelp' }),
				h('div', { className: 'actions' },
					h('button', { className: 'btn btn-primary', attrs: { type: 'button', 'data-action': 'print' }, i18n: 'print.print', on: { click: function () { window.print(); } } }),
					h('button', { className: 'btn', attrs: { type: 'button', 'data-action': 'close-print' }, i18n: 'print.close', on: { click: close } }))),
			h('div', { className: 'print-stage' }, sheet));
		document.head.appendChild(pageStyle);
		document.body.appendChild(overlay);
		document.body.classList.add('print-mode');

		function close() {
			overlay.remove();
			pageStyle.remove();
			document.body.classList.remove('print-mode');
			open(app, res.year);
		}
	}

	// schemeTable: each criterion, its weight and what it is scored against.
	function schemeTable(res) {
		var unit = function (code) {
			var def = (res.definitions || []).filter(function (x) { return x.code === code; })[0];
			return def ? words().unit(def.unit) : '';
		};
		var total = (res.criteria || []).reduce(function (s, c) { return s + c.weight; }, 0);
		return h('table', { className: 'data scheme-grid' },
			h('thead', null, h('tr', null, h('th', { i18n: 'assessment.criterion' }), h('th', { className: 'num', i18n: 'assessment.weightCol' }), h('th', { i18n: 'assessment.scoredAgainst' }))),
			h('tbody', null, (res.criteria || []).map(function (c) {
				return h('tr', null, h('th', { attrs: { scope: 'row' }, text: label(res, c.code) + '（' + unit(c.code) + '）' }),
					h('td', { className: 'num', text: wanmu.i18n.number(c.weight, 0) }),
					h('td', { text: c.target ? t('assessment.againstTarget', { v: wanmu.i18n.number(c.target, 0), unit: unit(c.code) }) : t('assessment.againstBest') }));
			})),
			h('tfoot', null, h('tr', null, h('th', { i18n: 'assessment.total' }), h('td', { className: 'num', text: wanmu.i18n.number(total, 0) }), h('td'))));
	}

	wanmu.AssessmentDialog = { open: open };
})(window.wanmu = window.wanmu || {});
