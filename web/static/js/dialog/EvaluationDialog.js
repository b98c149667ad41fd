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

	function badge(c) {
		return h('span', { className: 'eval-class eval-class-' + c, attrs: { 'data-class': c }, text: c });
	}

	// open shows the dialog; opts.tab picks the first tab ('results',
	// 'unplaced', 'scheme', 'assessment').
	function open(app, opts) {
		opts = opts || {};
		var admin = !!(app.user && app.user.role === 'admin');
		var f = { year: '', county: '', scale: '', 'class': '', platform: '' };
		var offset = 0, gen = 0, last = null, indicators = {};

		// ---- filters -----------------------------------------------------
		var year = h('select', { attrs: { 'data-filter': 'year' } });
		var counties = h('select', { attrs: { 'data-filter': 'county' } },
			h('option', { value: '', text: t('eval.allCounties') }),
			(wanmu.style.counties || []).map(function (c) { return h('option', { value: c, text: county(c) }); }));
		var scale = h('select', { attrs: { 'data-filter': 'scale' } },
			h('option', { value: '', text: t('eval.allScales') }),
			h('option', { value: '规上', text: t('eval.scale.above') }),
			h('option', { value: '规下', text: t('eval.scale.below') }));
		var platforms = h('select', { attrs: { 'data-filter': 'platform' } },
			h('option', { value: '', text: t('eval.allPlatforms') }),
			(app.platforms || []).slice().sort(function (a, b) { return a.name.localeCompare(b.name, 'zh-CN'); }).map(function (p) {
				return h('option', { value: String(p.id), text: p.name });
			}));
		var classBtns = [''].concat(CLASSES).map(function (c) {
			var b = h('button', { className: 'seg-btn' + (c === '' ? ' on' : ''), attrs: { type: 'button', 'data-class-filter': c, 'aria-pressed': c === '' ? 'true' : 'false' } },
				c === '' ? t('eval.allClasses') : badge(c));
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
			return h('label', { className: 'eval-filter' }, h('span', { className: 'field-label', text: t(key) }), el);
		};
		var filters = h('div', { className: 'eval-filters' },
			labelled('eval.year', year), labelled('eval.county', counties), labelled('eval.scale', scale),
			labelled('eval.platform', platforms),
			h('div', { className: 'eval-filter' }, h('span', { className: 'field-label', text: t('eval.class') }),
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
			h('button', { attrs: { type: 'button', role: 'tab', 'data-eval-tab': 'results' }, text: t('eval.tab.results') }),
			unplacedTab,
			h('button', { attrs: { type: 'button', role: 'tab', 'data-eval-tab': 'scheme' }, text: t(admin ? 'eval.tab.scheme' : 'eval.tab.schemeView') }),
			h('button', { attrs: { type: 'button', role: 'tab', 'data-eval-tab': 'assessment' }, text: t(admin ? 'eval.tab.assessment' : 'eval.tab.assessmentView') }));
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
			var q = { scenario: 0, year: f.year, county: f.county, scale: f.scale, 'class': f['class'], platform: f.platform };
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
			var bench = res.benchmarks || [];
			var fallback = bench.some(function (b) { return b.source === 'this_year'; });
			var lines = [
				h('span', { attrs: { 'data-eval': 'scheme' }, text: t('eval.schemeInForce', { name: s.name || '', v: s.version }) +
					(s.from_year ? t('eval.fromYear', { y: s.from_year }) : t('eval.everyYear')) }),
				h('span', { text: fallback ? t('eval.benchThisYear', { y: res.year }) : t('eval.benchLastYear', { y: res.year - 1 }) })
			];
			(res.notes || []).forEach(function (n) { lines.push(h('span', { className: 'eval-note', text: n })); });
			summary.appendChild(h('div', { className: 'eval-scheme-line' }, lines));
		}

		function renderTable(res) {
			wanmu.dom.clear(table);
			var rows = res.results || [];
			if (!rows.length) {
				table.appendChild(h('p', { className: 'muted eval-empty', text: t('eval.none') }));
				return;
			}
			var cols = [['eval.col.rank', 'num'], ['eval.col.name', ''], ['eval.col.code', 'code'], ['eval.col.county', ''], ['eval.col.scale', ''],
				['eval.col.land', 'num'], ['eval.col.score', 'num'], ['eval.col.class', 'center']];
			var tbody = h('tbody');
			rows.forEach(function (r) {
				var tr = h('tr', { className: 'eval-row', attrs: { 'data-credit-code': r.credit_code, 'data-class': r['class'], tabindex: '0', 'aria-expanded': 'false' } },
					h('td', { className: 'num', text: r.rank ? r.rank + ' / ' + r.of : '—' }),
					h('td', { className: 'name', title: r.name, text: r.name }),
					h('td', { className: 'code', text: r.credit_code }),
					h('td', { text: county(r.county) }),
					h('td', { text: r.scale }),
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
							h('td', { title: def.definition || '', text: def.label || x.code }),
							h('td', { className: 'unit', attrs: { 'data-unit': '' }, text: x.unit }),
							h('td', { className: 'num' }, x.missing ? h('span', { className: 'eval-missing', text: t('eval.missing') }) : num(x.value)),
							h('td', { className: 'num', title: t('eval.bench.' + x.benchmark_source), text: num(x.benchmark) + (x.benchmark_source === 'this_year' ? ' *' : '') }),
							h('td', { className: 'num', text: num(x.weight, 0) }),
							h('td', { className: 'num strong', text: num(x.score) }));
					}))));
			}
			if ((r.missing || []).length) {
				parts.push(h('p', { className: 'eval-missing-line', attrs: { 'data-eval': 'missing' }, text: t('eval.missingList', {
					list: r.missing.map(function (c) { return (indicators[c] || {}).label || c; }).join(t('list.separator'))
				}) }));
			}
			if (r['class'] !== 'T') {
				parts.push(h('p', { className: 'muted small', text: t('eval.rankLine', { rank: r.rank, of: r.of, county: county(r.county), scale: r.scale, score: num(r.score) }) }));
			}
			return h('div', { className: 'eval-card' }, parts);
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
		function loadUnplaced(after) {
			var y = f.year;
			unplaced.dataset.year = y;
			return wanmu.api.get('/enterprises/unplaced', { scenario: 0, year: y, limit: PAGE, after: after }).then(function (res) {
				if (!after) {
					wanmu.dom.clear(unplaced);
					unplaced.appendChild(h('p', { className: 'muted', text: t('eval.unplacedNote', { year: y }) }));
					unplaced.appendChild(h('div', { className: 'eval-table-wrap' }, h('table', { className: 'data eval-grid eval-unplaced' },
						h('thead', {}, h('tr', {}, ['eval.col.name', 'eval.col.code', 'eval.col.county', 'eval.col.scale', 'eval.col.land', 'eval.col.why'].map(function (k, i) {
							return h('th', { className: i === 4 ? 'num' : '', text: t(k) });
						}))), h('tbody'))));
				}
				var tb = unplaced.querySelector('tbody');
				(res.enterprises || []).forEach(function (e) {
					tb.appendChild(h('tr', { attrs: { 'data-credit-code': e.credit_code } },
						h('td', { className: 'name', title: e.name, text: e.name }), h('td', { className: 'code', text: e.credit_code }),
						h('td', { text: county(e.county) }), h('td', { text: e.scale }), h('td', { className: 'num', text: num(e.land_mu) }),
						h('td', { text: t(e.location || e.parcel ? 'eval.outside' : 'eval.noLocation') })));
				});
				var more = unplaced.querySelector('[data-action="unplaced-more"]');
				if (more) {
					more.remove();
				}
				if (res.next) {
					var cursor = /[?&]after=([^&]+)/.exec(res.next);
					unplaced.appendChild(h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'unplaced-more' }, text: t('eval.more'),
						on: { click: function () { loadUnplaced(cursor ? decodeURIComponent(cursor[1]) : null); } } }));
				}
			}, function (err) { d.showError(err); });
		}

		// ---- XLSX --------------------------------------------------------
		// download fetches /evaluation.xlsx of the filter with the session
		// cookie (no credential in the address), as the comparison does.
		function download() {
			var url = wanmu.api.url('/evaluation.xlsx', query());
			return fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(function (res) {
				if (!res.ok) {
					return res.json().catch(function () { return null; }).then(function (p) { throw new wanmu.ApiError(res.status, p); });
				}
				return res.blob().then(function (blob) {
					var m = /filename\*=UTF-8''([^;]+)/i.exec(res.headers.get('Content-Disposition') || '');
					var name = m ? decodeURIComponent(m[1]) : 'wanmu-evaluation.xlsx';
					var a = h('a', { href: URL.createObjectURL(blob), attrs: { download: name } });
					document.body.appendChild(a);
					a.click();
					setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
					wanmu.notify(t('export.done', { name: name }), 'ok');
				});
			});
		}

		// ---- start -------------------------------------------------------
		wanmu.api.get('/enterprises/years', { scenario: 0 }).then(function (res) {
			var ys = res.years || [];
			if (!ys.length) {
				table.appendChild(h('p', { className: 'muted eval-empty', text: t('eval.noYears') }));
				return;
			}
			ys.forEach(function (y) { year.appendChild(h('option', { value: String(y.year), text: t('eval.yearOption', { y: y.year, n: num(y.enterprises, 0) }) })); });
			f.year = String(ys[0].year);
			year.value = f.year;
			var setUnplaced = function () {
				var y = ys.filter(function (x) { return String(x.year) === f.year; })[0];
				unplacedTab.textContent = t('eval.tab.unplaced') + (y ? ' (' + num(y.unplaced, 0) + ')' : '');
				unplacedTab.setAttribute('data-unplaced', y ? String(y.unplaced) : '');
				delete unplaced.dataset.year; // asked again for the year chosen
				if (!unplaced.hidden) {
					loadUnplaced(null);
				}
			};
			year.addEventListener('change', setUnplaced);
			setUnplaced();
			load();
		}, function (err) { d.showError(err); });
		setTab(opts.tab || 'results');
		return d.open();
	}

	wanmu.EvaluationDialog = { open: open };
})(window.wanmu = window.wanmu || {});
