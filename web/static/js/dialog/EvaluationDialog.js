// EvaluationDialog.js: 亩均效益评价 (issue 18), a large dialog opened from
// the top bar. The enterprises of a year as the county's office reads them
// (GET /evaluation: county, 规上 before 规下, by rank, T last), filtered by
// county, scale, class and platform, a page at a time; a row opens to its
// indicators (unit, value, benchmark, weight, score), missing figures and
// the reason of class T. Above the table the class counts and land of the
// filter and the scheme in force; the filtered list as XLSX; the
// enterprises outside every zone; and the two schemes (SchemeEditor.js),
// which administrators edit. The evaluation is of the official data only,
// so every request names scenario 0.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var PAGE = 100;
	var CLASSES = ['A', 'B', 'C', 'D', 'T'];

	function num(v, d) {
		return v === null || v === undefined || !isFinite(v) ? '—' : wanmu.i18n.number(v, d === undefined ? 2 : d);
	}

	function county(code) {
		return wanmu.i18n.tOr('county.' + code, code);
	}

	// badge is a class in the colour the server declares for it (the map's),
	// with white or dark text by the colour's luminance (B's light green).
	function badge(c) {
		var el = h('span', { className: 'eval-class eval-class-' + c, attrs: { 'data-class': c }, text: c });
		var col = wanmu.style.classColor ? wanmu.style.classColor(c) : '';
		var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(col || '');
		if (m) {
			var lum = [m[1], m[2], m[3]].map(function (x) {
				var v = parseInt(x, 16) / 255;
				return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
			});
			el.style.background = col;
			el.style.color = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2] > 0.35 ? '#1d2733' : '#fff';
		}
		return el;
	}

	// The server names indicators, units, groups and the default schemes in
	// Chinese; in English the page translates them by code (zh keeps the
	// server's words, and anything unknown stays as the server said it).
	var UNITS = { '万元/亩': 'evfix.unit.perMu', '万元/吨标准煤': 'evfix.unit.perTce', '万元/吨': 'evfix.unit.perTon',
		'万元/人': 'evfix.unit.perPerson', '万元/万千瓦时': 'evfix.unit.perKWh' };
	var SCHEMES = { '亩均效益综合评价（默认方案）': 'evfix.schemeName.enterprise', '产业平台年度考核评估（默认方案）': 'evfix.schemeName.assessment' };
	function zh() {
		return wanmu.i18n.lang() === 'zh';
	}
	var names = {
		indicator: function (code, label) { return zh() ? (label || code) : wanmu.i18n.tOr('evind.' + code, label || code); },
		unit: function (u) { return zh() || !UNITS[u] ? u : t(UNITS[u]); },
		scale: function (sc) { return sc === '规上' ? t('evfix.scale.above') : sc === '规下' ? t('evfix.scale.below') : sc; },
		scheme: function (n) { return zh() || !SCHEMES[n] ? n : t(SCHEMES[n]); }
	};

	// classRanks turns the scheme's cut-offs into rank ranges among of:
	// position p is in the first class with p ≤ up_to × of (as the server).
	function classRanks(cuts, of) {
		var prev = 0, prevUp = 0, out = [];
		(cuts || []).forEach(function (c) {
			var to = Math.min(of, Math.floor(c.up_to * of + 1e-9));
			out.push({ c: c['class'], from: prev + 1, to: to, share: [prevUp, c.up_to] });
			prev = Math.max(prev, to);
			prevUp = c.up_to;
		});
		return out;
	}

	function pct(x) {
		return wanmu.i18n.number(Math.round(x * 1000) / 10, 1).replace(/\.0$/, '');
	}

	function shareText(r) {
		var a = r.share[0], b = r.share[1];
		if (a <= 0) {
			return t('evfix.share.top', { p: pct(b) });
		}
		if (b >= 1) {
			return t('evfix.share.bottom', { p: pct(1 - a) });
		}
		return t('evfix.share.mid', { a: pct(a), b: pct(b) });
	}

	// open shows the dialog; opts.tab picks the first tab ('results',
	// 'unplaced', 'scheme', 'assessment'), opts.year the year and opts.q
	// the search (an enterprise's credit code from the map).
	function open(app, opts) {
		opts = opts || {};
		var admin = !!(app.user && app.user.role === 'admin');
		var f = { year: '', county: '', scale: '', 'class': '', platform: '', q: (opts.q || '').trim() };
		var offset = 0, gen = 0, ugen = 0, last = null, indicators = {}, ys = [];

		// ---- filters -----------------------------------------------------
		var year = h('select', { attrs: { 'data-filter': 'year' } });
		var counties = h('select', { attrs: { 'data-filter': 'county' } },
			h('option', { value: '', i18n: 'eval.allCounties' }),
			(wanmu.style.counties || []).map(function (c) { return h('option', { value: c, text: county(c) }); }));
		var scale = h('select', { attrs: { 'data-filter': 'scale' } },
			h('option', { value: '', i18n: 'eval.allScales' }),
			h('option', { value: '规上', i18n: 'eval.scale.above' }),
			h('option', { value: '规下', i18n: 'eval.scale.below' }));
		var platforms = h('select', { attrs: { 'data-filter': 'platform' } },
			h('option', { value: '', i18n: 'eval.allPlatforms' }),
			(app.platforms || []).slice().sort(function (a, b) { return a.name.localeCompare(b.name, 'zh-CN'); }).map(function (p) {
				return h('option', { value: String(p.id), text: p.name });
			}));
		// Find an enterprise by a part of its name or credit code (as typed,
		// after a pause).
		var search = h('input', { type: 'search', value: f.q, attrs: { 'data-filter': 'q', maxlength: '60', placeholder: t('evsearch.placeholder') } });
		var searchTimer = null;
		var openFound = !!f.q;
		search.addEventListener('input', function () {
			clearTimeout(searchTimer);
			searchTimer = setTimeout(function () {
				f.q = search.value.trim();
				offset = 0;
				load();
			}, 250);
		});
		var classBtns = [''].concat(CLASSES).map(function (c) {
			var b = h('button', { className: 'seg-btn' + (c === '' ? ' on' : ''), attrs: { type: 'button', 'data-class-filter': c, 'aria-pressed': c === '' ? 'true' : 'false' } },
				c === '' ? h('span', { i18n: 'eval.allClasses' }) : badge(c));
			b.addEventListener('click', function () {
				f['class'] = c;
				classBtns.forEach(function (x) {
					var on = x === b;
					x.classList.toggle('on', on);
					x.setAttribute('aria-pressed', on ? 'true' : 'false');
				});
				offset = 0;
				load();
			});
			return b;
		});
		[[year, 'year'], [counties, 'county'], [scale, 'scale'], [platforms, 'platform']].forEach(function (x) {
			x[0].addEventListener('change', function () {
				f[x[1]] = x[0].value;
				offset = 0;
				load();
			});
		});
		var labelled = function (key, el) {
			return h('label', { className: 'eval-filter' }, h('span', { className: 'field-label', i18n: key }), el);
		};
		var filters = h('div', { className: 'eval-filters' },
			labelled('eval.year', year), labelled('eval.county', counties), labelled('eval.scale', scale),
			labelled('eval.platform', platforms), labelled('evsearch.label', search),
			h('div', { className: 'eval-filter' }, h('span', { className: 'field-label', i18n: 'eval.class' }),
				h('div', { className: 'seg eval-class-seg', attrs: { role: 'group' } }, classBtns)));

		// ---- results -----------------------------------------------------
		var summary = h('div', { className: 'eval-summary', attrs: { 'data-eval': 'summary' } });
		var table = h('div', { className: 'eval-table-wrap' });
		var pager = h('div', { className: 'eval-pager' });
		var results = h('section', { className: 'eval-pane', dataset: { pane: 'results' } }, filters, summary, table, pager);
		var unplaced = h('section', { className: 'eval-pane', dataset: { pane: 'unplaced' }, hidden: true });
		var scheme = h('section', { className: 'eval-pane', dataset: { pane: 'scheme' }, hidden: true });
		var assess = h('section', { className: 'eval-pane', dataset: { pane: 'assessment' }, hidden: true });
		var panes = { results: results, unplaced: unplaced, scheme: scheme, assessment: assess };
		var editors = {};
		var unplacedTab = h('button', { attrs: { type: 'button', role: 'tab', 'data-eval-tab': 'unplaced' }, text: t('eval.tab.unplaced') });
		var tabs = h('div', { className: 'tabs eval-tabs', attrs: { role: 'tablist' } },
			h('button', { attrs: { type: 'button', role: 'tab', 'data-eval-tab': 'results' }, i18n: 'eval.tab.results' }),
			unplacedTab,
			h('button', { attrs: { type: 'button', role: 'tab', 'data-eval-tab': 'scheme' }, i18n: admin ? 'eval.tab.scheme' : 'eval.tab.schemeView' }),
			h('button', { attrs: { type: 'button', role: 'tab', 'data-eval-tab': 'assessment' }, i18n: admin ? 'eval.tab.assessment' : 'eval.tab.assessmentView' }));
		var xlsxBtn;
		function setTab(name) {
			tabs.querySelectorAll('[data-eval-tab]').forEach(function (b) {
				var on = b.getAttribute('data-eval-tab') === name;
				b.classList.toggle('on', on);
				b.setAttribute('aria-selected', on ? 'true' : 'false');
			});
			Object.keys(panes).forEach(function (k) { panes[k].hidden = k !== name; });
			if (xlsxBtn) {
				xlsxBtn.hidden = name !== 'results';
			}
			if (name === 'unplaced' && !unplaced.dataset.year) {
				loadUnplaced(null);
			}
			if ((name === 'scheme' || name === 'assessment') && !editors[name]) {
				editors[name] = wanmu.SchemeEditor.mount(panes[name], {
					app: app, kind: name === 'scheme' ? 'enterprise' : 'assessment', admin: admin,
					onSaved: function () { load(); }
				});
			}
		}
		tabs.addEventListener('click', function (e) {
			var b = e.target.closest('[data-eval-tab]');
			if (b) {
				setTab(b.getAttribute('data-eval-tab'));
			}
		});

		var body = h('div', { className: 'eval' }, tabs, results, unplaced, scheme, assess);
		var d = new wanmu.Dialog({
			title: 'eval.title', body: body, className: 'evaluation-dialog',
			buttons: [
				{ label: 'eval.xlsx', action: function () { return download().then(function () { return false; }); } },
				{ label: 'action.close', value: null }
			]
		});
		xlsxBtn = d.buttons[0];
		xlsxBtn.setAttribute('data-action', 'evaluation-xlsx');

		function query(extra) {
			var q = { scenario: 0, year: f.year, county: f.county, scale: f.scale, 'class': f['class'], platform: f.platform, q: f.q };
			Object.keys(extra || {}).forEach(function (k) { q[k] = extra[k]; });
			return q;
		}

		// load asks for the page of the filter; an answer overtaken by a
		// later filter is dropped.
		function load() {
			var mine = ++gen;
			table.classList.add('loading');
			d.showError(null);
			return wanmu.api.get('/evaluation', query({ limit: PAGE, offset: offset })).then(function (res) {
				if (mine !== gen) {
					return;
				}
				table.classList.remove('loading');
				last = res;
				indicators = {};
				(res.indicators || []).forEach(function (x) { indicators[x.code] = x; });
				renderSummary(res);
				renderTable(res);
				renderPager(res);
				if (openFound && (res.results || []).length === 1) { // opened for one enterprise: its card at once
					var row = table.querySelector('tr.eval-row');
					if (row) {
						row.click();
					}
				}
				openFound = false;
			}, function (err) {
				if (mine === gen) {
					table.classList.remove('loading');
					d.showError(err);
				}
			});
		}

		function renderSummary(res) {
			wanmu.dom.clear(summary);
			var counts = {}, land = {}, total = 0;
			Object.keys(res.class_counts || {}).forEach(function (c) {
				CLASSES.forEach(function (k) {
					counts[k] = (counts[k] || 0) + ((res.class_counts[c] || {})[k] || 0);
					land[k] = (land[k] || 0) + (((res.class_land_mu || {})[c] || {})[k] || 0);
				});
			});
			CLASSES.forEach(function (k) { total += counts[k] || 0; });
			summary.appendChild(h('div', { className: 'eval-counts' },
				CLASSES.map(function (k) {
					return h('div', { className: 'eval-count' + (f['class'] === k ? ' on' : ''), attrs: { 'data-count-class': k, title: t('eval.classHelp.' + k) } },
						badge(k),
						h('span', { className: 'n', attrs: { 'data-n': String(counts[k] || 0) }, text: t('eval.enterprises', { n: num(counts[k] || 0, 0) }) }),
						h('span', { className: 'mu', text: num(land[k] || 0, 0) + ' ' + t('unit.mu') }));
				}),
				h('div', { className: 'eval-count total' }, h('strong', { text: t('eval.total') }),
					h('span', { className: 'n', attrs: { 'data-total': String(total) }, text: t('eval.enterprises', { n: num(total, 0) }) }))));
			var s = res.scheme || {};
			var lines = [
				h('span', { attrs: { 'data-eval': 'scheme' }, text: t('eval.schemeInForce', { name: names.scheme(s.name || ''), v: s.version }) +
					(s.from_year ? t('eval.fromYear', { y: s.from_year }) : t('eval.everyYear')) })
			].concat(benchNotes(res));
			summary.appendChild(h('div', { className: 'eval-scheme-line' }, lines));
		}

		// benchNotes says, in one line, which counties and groups had no
		// figures last year (their benchmarks use this year's average), from
		// the benchmarks' sources rather than the server's English notes,
		// and names any benchmark that is not positive.
		function benchNotes(res) {
			var bench = res.benchmarks || [], seen = {}, fell = [], anyLast = false, out = [];
			bench.forEach(function (b) {
				var k = b.county + ' ' + b.scale;
				anyLast = anyLast || b.source === 'last_year';
				if (b.source === 'this_year' && !seen[k]) {
					seen[k] = true;
					fell.push(t('evfix.group', { county: county(b.county), scale: names.scale(b.scale) }));
				}
			});
			var text = !fell.length ? t('eval.benchLastYear', { y: res.year - 1 }) :
				!anyLast ? t('evfix.fellBackAll', { y: res.year - 1 }) :
					t('evfix.fellBack', { y: res.year - 1, list: fell.join(t('list.separator')) });
			out.push(h('span', { className: fell.length ? 'eval-note' : '', attrs: { 'data-eval': 'bench-note' }, text: text }));
			bench.forEach(function (b) {
				if (b.benchmark <= 0) {
					out.push(h('span', { className: 'eval-note', attrs: { 'data-eval': 'bench-bad' }, text: t('evfix.badBench', {
						group: t('evfix.group', { county: county(b.county), scale: names.scale(b.scale) }),
						ind: names.indicator(b.code, (indicators[b.code] || {}).label), v: num(b.benchmark)
					}) }));
				}
			});
			return out;
		}

		function renderTable(res) {
			wanmu.dom.clear(table);
			var rows = res.results || [];
			if (!rows.length) {
				table.appendChild(h('p', { className: 'muted eval-empty', text: t('eval.none') }));
				return;
			}
			var cols = [['eval.col.rank', 'num'], ['eval.col.name', ''], ['eval.col.code', 'code'], ['eval.col.county', 'county'], ['eval.col.scale', 'scale'],
				['eval.col.land', 'num'], ['eval.col.score', 'num'], ['eval.col.class', 'center']];
			var tbody = h('tbody');
			rows.forEach(function (r) {
				var tr = h('tr', { className: 'eval-row', attrs: { 'data-credit-code': r.credit_code, 'data-class': r['class'], tabindex: '0', 'aria-expanded': 'false' } },
					h('td', { className: 'num', text: r.rank ? r.rank + ' / ' + r.of : '—' }),
					h('td', { className: 'name', title: r.name, text: r.name }),
					h('td', { className: 'code', text: r.credit_code }),
					h('td', { className: 'county', text: county(r.county) }),
					h('td', { className: 'scale', text: names.scale(r.scale) }),
					h('td', { className: 'num', text: num(r.land_mu) }),
					h('td', { className: 'num strong', text: r['class'] === 'T' ? '—' : num(r.score) }),
					h('td', { className: 'center' }, badge(r['class'])));
				var toggle = function () { expand(tr, r); };
				tr.addEventListener('click', toggle);
				tr.addEventListener('keydown', function (e) {
					if (e.key === 'Enter' || e.key === ' ') {
						e.preventDefault();
						toggle();
					}
				});
				tbody.appendChild(tr);
			});
			table.appendChild(h('table', { className: 'data eval-grid' },
				h('thead', {}, h('tr', {}, cols.map(function (c) { return h('th', { className: c[1], text: t(c[0]) }); }))),
				tbody));
			table.scrollTop = 0;
		}

		// expand opens (or closes) the row's card under it.
		function expand(tr, r) {
			var next = tr.nextElementSibling;
			if (next && next.classList.contains('eval-detail')) {
				next.remove();
				tr.setAttribute('aria-expanded', 'false');
				tr.classList.remove('open');
				return;
			}
			tr.setAttribute('aria-expanded', 'true');
			tr.classList.add('open');
			tr.parentNode.insertBefore(h('tr', { className: 'eval-detail', attrs: { 'data-detail-for': r.credit_code } },
				h('td', { attrs: { colspan: '8' } }, card(r))), tr.nextSibling);
		}

		function card(r) {
			var parts = [h('p', { className: 'eval-card-title' }, h('strong', { text: r.name }), h('span', { className: 'code', text: r.credit_code }))];
			if (r['class'] === 'T') {
				parts.push(h('p', { className: 'eval-reason', attrs: { 'data-eval': 'reason' }, text: t('eval.reason', { reason: r.reason || '—' }) }));
			}
			if ((r.indicators || []).length) {
				parts.push(h('table', { className: 'eval-ind' },
					h('thead', {}, h('tr', {}, ['eval.ind.name', 'eval.ind.unit', 'eval.ind.value', 'eval.ind.benchmark', 'eval.ind.weight', 'eval.ind.score'].map(function (k, i) {
						return h('th', { className: i >= 2 ? 'num' : '', text: t(k) });
					}))),
					h('tbody', {}, r.indicators.map(function (x) {
						var def = indicators[x.code] || {};
						return h('tr', { className: x.missing ? 'missing' : '', attrs: { 'data-indicator': x.code } },
							h('td', { title: zh() ? def.definition || '' : '', text: names.indicator(x.code, def.label) }),
							h('td', { className: 'unit', attrs: { 'data-unit': '' }, text: names.unit(x.unit) }),
							h('td', { className: 'num' }, x.missing ? h('span', { className: 'eval-missing', text: t('eval.missing') }) : num(x.value)),
							h('td', { className: 'num', title: t('eval.bench.' + x.benchmark_source), text: num(x.benchmark) + (x.benchmark_source === 'this_year' ? ' *' : '') }),
							h('td', { className: 'num', text: num(x.weight, 0) }),
							h('td', { className: 'num strong', text: num(x.score) }));
					}))));
			}
			if ((r.missing || []).length) {
				parts.push(h('p', { className: 'eval-missing-line', attrs: { 'data-eval': 'missing' }, text: t('eval.missingList', {
					list: r.missing.map(function (c) { return names.indicator(c, (indicators[c] || {}).label); }).join(t('list.separator'))
				}) }));
			}
			if (r['class'] !== 'T') {
				parts.push(h('p', { className: 'muted small', text: t('eval.rankLine', { rank: r.rank, of: r.of, county: county(r.county), scale: names.scale(r.scale), score: num(r.score) }) }));
				parts = parts.concat(whyClass(r));
			}
			return h('div', { className: 'eval-card' }, parts);
		}

		// whyClass says why the row has its class: its class's rank range in
		// its county and group under the scheme's cut-offs, then all of them.
		function whyClass(r) {
			var ranges = classRanks((last || {}).classes, r.of);
			var mine = ranges.filter(function (x) { return x.c === r['class']; })[0];
			if (!mine || !r.of) {
				return [];
			}
			var line = mine.to >= mine.from ? t('evfix.classRank', { c: mine.c, from: mine.from, to: mine.to, share: shareText(mine) }) :
				t('evfix.classEmpty', { c: mine.c, of: r.of });
			return [h('p', { className: 'eval-why' }, badge(r['class']), h('strong', { attrs: { 'data-eval': 'class-range' }, text: line })),
				h('p', { className: 'muted small', attrs: { 'data-eval': 'class-ranges' }, text: t('evfix.classRanks', {
					of: r.of, group: t('evfix.group', { county: county(r.county), scale: names.scale(r.scale) }),
					list: ranges.filter(function (x) { return x.to >= x.from; }).map(function (x) {
						return t('evfix.classRankShort', { c: x.c, from: x.from, to: x.to });
					}).join(' · ')
				}) })];
		}

		function renderPager(res) {
			wanmu.dom.clear(pager);
			var from = res.total ? res.offset + 1 : 0, to = res.offset + (res.results || []).length;
			var prev = h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'eval-prev' }, disabled: res.offset <= 0, text: t('eval.prev') });
			var nextB = h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'eval-next' }, disabled: !res.next, text: t('eval.next') });
			prev.addEventListener('click', function () { offset = Math.max(0, offset - PAGE); load(); });
			nextB.addEventListener('click', function () { offset += PAGE; load(); });
			pager.appendChild(h('span', { className: 'muted', attrs: { 'data-eval': 'range' }, text: t('eval.range', { from: num(from, 0), to: num(to, 0), total: num(res.total, 0) }) }));
			pager.appendChild(h('span', { className: 'spacer' }));
			pager.appendChild(prev);
			pager.appendChild(nextB);
		}

		// ---- unplaced ----------------------------------------------------
		// loadUnplaced asks for a page of the year chosen; an answer for a
		// year (or page) no longer asked for is dropped.
		function loadUnplaced(after) {
			var y = f.year, mine = ++ugen;
			unplaced.dataset.year = y;
			return wanmu.api.get('/enterprises/unplaced', { scenario: 0, year: y, limit: PAGE, after: after }).then(function (res) {
				if (mine !== ugen || y !== f.year) {
					return;
				}
				if (!after) {
					wanmu.dom.clear(unplaced);
					unplaced.appendChild(h('p', { className: 'muted', text: t('eval.unplacedNote', { year: y }) }));
					unplaced.appendChild(h('div', { className: 'eval-table-wrap' }, h('table', { className: 'data eval-grid eval-unplaced' },
						h('thead', {}, h('tr', {}, ['eval.col.name', 'eval.col.code', 'eval.col.county', 'eval.col.scale', 'eval.col.land', 'eval.col.why'].map(function (k, i) {
							return h('th', { className: ['', 'code', 'county', 'scale', 'num', ''][i], text: t(k) });
						}))), h('tbody'))));
				}
				var tb = unplaced.querySelector('tbody');
				(res.enterprises || []).forEach(function (e) {
					tb.appendChild(h('tr', { attrs: { 'data-credit-code': e.credit_code } },
						h('td', { className: 'name', title: e.name, text: e.name }), h('td', { className: 'code', text: e.credit_code }),
						h('td', { className: 'county', text: county(e.county) }), h('td', { className: 'scale', text: names.scale(e.scale) }), h('td', { className: 'num', text: num(e.land_mu) }),
						h('td', { text: t(e.location || e.parcel ? 'eval.outside' : 'eval.noLocation') })));
				});
				var more = unplaced.querySelector('[data-action="unplaced-more"]');
				if (more) {
					more.remove();
				}
				if (res.next) {
					var cursor = /[?&]after=([^&]+)/.exec(res.next);
					unplaced.appendChild(h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'unplaced-more' }, text: t('eval.more'),
						on: { click: function () {
							if (y === f.year) { // the cursor is of y's list
								loadUnplaced(cursor ? decodeURIComponent(cursor[1]) : null);
							}
						} } }));
				}
			}, function (err) {
				if (mine === ugen) {
					d.showError(err);
				}
			});
		}

		// ---- XLSX --------------------------------------------------------
		function download() {
			return wanmu.api.download(wanmu.api.url('/evaluation.xlsx', query()), 'wanmu-evaluation.xlsx');
		}

		// ---- start -------------------------------------------------------
		var yearOptions = function () {
			wanmu.dom.clear(year);
			ys.forEach(function (y) { year.appendChild(h('option', { value: String(y.year), text: t('eval.yearOption', { y: y.year, n: num(y.enterprises, 0) }) })); });
			year.value = f.year;
		};
		var unplacedLabel = function () {
			var y = ys.filter(function (x) { return String(x.year) === f.year; })[0];
			unplacedTab.textContent = t('eval.tab.unplaced') + (y ? ' (' + num(y.unplaced, 0) + ')' : '');
			unplacedTab.setAttribute('data-unplaced', y ? String(y.unplaced) : '');
		};
		wanmu.api.get('/enterprises/years', { scenario: 0 }).then(function (res) {
			ys = res.years || [];
			if (!ys.length) {
				table.appendChild(h('p', { className: 'muted eval-empty', text: t('eval.noYears') }));
				return;
			}
			f.year = String(ys[0].year);
			if (opts.year && ys.some(function (y) { return y.year === Number(opts.year); })) {
				f.year = String(opts.year); // opened for an enterprise of the map's year
			}
			yearOptions();
			var setUnplaced = function () {
				unplacedLabel();
				delete unplaced.dataset.year; // asked again for the year chosen
				var more = unplaced.querySelector('[data-action="unplaced-more"]');
				if (more) {
					more.remove(); // its cursor is of the year left
				}
				if (!unplaced.hidden) {
					loadUnplaced(null);
				}
			};
			year.addEventListener('change', setUnplaced);
			setUnplaced();
			load();
		}, function (err) { d.showError(err); });
		setTab(opts.tab || 'results');

		// A change of language redraws what was built with the words of the
		// moment (the static labels follow data-i18n by themselves); open
		// cards stay open.
		var relabel = function () {
			search.placeholder = t('evsearch.placeholder');
			yearOptions();
			unplacedLabel();
			if (last) {
				var open = Array.prototype.map.call(table.querySelectorAll('.eval-row.open'), function (tr) { return tr.getAttribute('data-credit-code'); });
				renderSummary(last);
				renderTable(last);
				renderPager(last);
				table.querySelectorAll('.eval-row').forEach(function (tr) {
					if (open.indexOf(tr.getAttribute('data-credit-code')) >= 0) {
						tr.click();
					}
				});
			}
			if (unplaced.dataset.year !== undefined) {
				delete unplaced.dataset.year;
				if (!unplaced.hidden) {
					loadUnplaced(null);
				}
			}
		};
		wanmu.i18n.on('langchange', relabel);
		return d.open().then(function (v) {
			wanmu.i18n.off('langchange', relabel);
			Object.keys(editors).forEach(function (k) { editors[k].dispose(); });
			return v;
		});
	}

	wanmu.EvaluationDialog = { open: open, names: names };
})(window.wanmu = window.wanmu || {});
