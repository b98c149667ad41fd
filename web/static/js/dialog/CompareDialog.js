// CompareDialog.js: consolidation plans side by side (比较方案). The official
// data and up to five plans, platform by platform: developable area (with
// the change against the first column), whether it reaches its threshold
// and by how much, its zones and parts; below, the platforms reaching
// 10,000 mu, the developable total and the township zones' dispositions.
// The figures are the platform reports' (GET /scenarios/compare).
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var MAX = 6;
	var DISPOSITIONS = ['并', '提', '撤', '转'];

	// open shows the comparison of the official data with the given plans
	// (scenarios: [{id, name}], the first ones ticked).
	function open(scenarios, current) {
		var choices = [{ id: 0, name: t('scenario.official') }].concat(scenarios);
		var ticked = {};
		ticked[0] = true;
		if (current) {
			ticked[current] = true;
		}
		choices.forEach(function (s) {
			if (Object.keys(ticked).length < Math.min(3, MAX)) {
				ticked[s.id] = true;
			}
		});
		var table = h('div', { className: 'compare-table' });
		var picks = h('div', { className: 'compare-picks' }, choices.map(function (s) {
			var box = h('input', { type: 'checkbox', attrs: { 'data-compare': String(s.id) }, checked: !!ticked[s.id] });
			box.addEventListener('change', function () {
				if (box.checked && Object.keys(ticked).length >= MAX) {
					box.checked = false;
					wanmu.notify(t('compare.max', { n: MAX }), 'warn');
					return;
				}
				if (box.checked) {
					ticked[s.id] = true;
				} else {
					delete ticked[s.id];
				}
				load();
			});
			return h('label', {}, box, h('span', { text: s.name }));
		}));
		var body = h('div', { className: 'compare' }, picks, table, h('p', { className: 'muted small', text: t('compare.note') }),
			diffPicker(choices, current, function (a, b) {
				d.close(null);
				wanmu.app.diff.show(a, b, { back: { label: t('compare.title'), fn: function () { open(scenarios, current); } } });
			}));
		var d = new wanmu.Dialog({
			title: 'compare.title', body: body, className: 'compare-dialog',
			buttons: [
				{ label: 'compare.xlsx', action: function () {
					return downloadXLSX(choices.filter(function (s) { return ticked[s.id]; }).map(function (s) { return s.id; })).then(function () { return false; });
				} },
				{ label: 'compare.print', action: function () { document.body.classList.add('printing-compare'); window.print(); document.body.classList.remove('printing-compare'); return false; } },
				{ label: 'action.close', value: null }
			]
		});
		var gen = 0;
		function load() {
			var ids = choices.filter(function (s) { return ticked[s.id]; }).map(function (s) { return s.id; });
			var mine = ++gen;
			if (ids.length < 2) {
				wanmu.dom.clear(table);
				table.appendChild(h('p', { className: 'muted', text: t('compare.pickTwo') }));
				return;
			}
			table.classList.add('loading');
			wanmu.api.get('/scenarios/compare', { ids: ids.join(','), scenario: 0 }).then(function (res) {
				if (mine === gen) {
					table.classList.remove('loading');
					render(table, res);
				}
			}, function (err) {
				if (mine === gen) {
					table.classList.remove('loading');
					d.showError(err);
				}
			});
		}
		load();
		wanmu.units.on('unitchange', load);
		return d.open().then(function () { wanmu.units.off('unitchange', load); });
	}

	// diffPicker chooses two of the compared states to see their
	// differences on the map (layer/DiffView.js): the official data and the
	// current plan, or the first plan, to begin with.
	function diffPicker(choices, current, show) {
		var select = function (name, picked) {
			return h('select', { attrs: { 'data-diff-side': name } }, choices.map(function (s) {
				return h('option', { value: String(s.id), selected: s.id === picked, text: s.name });
			}));
		};
		var a = select('a', 0);
		var b = select('b', current || (choices[1] && choices[1].id));
		var go = h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'show-diff' }, on: { click: function () {
			if (a.value === b.value) {
				wanmu.notify(t('compare.pickTwo'), 'warn');
				return;
			}
			show(Number(a.value), Number(b.value));
		} } }, t('compare.diffShow'));
		return h('div', { className: 'compare-diff' }, h('span', { text: t('compare.diff') }), a, h('span', { text: '→' }), b, go);
	}

	// downloadXLSX fetches the comparison as a workbook (GET
	// /scenarios/compare.xlsx) with the session cookie, as the export dialog
	// does (no credential in the address), and saves it under the server's
	// file name.
	function downloadXLSX(ids) {
		if (ids.length < 2) {
			return Promise.reject(new Error(t('compare.pickTwo')));
		}
		return wanmu.api.download(wanmu.api.url('/scenarios/compare.xlsx', { ids: ids.join(','), scenario: 0 }), 'wanmu-compare.xlsx');
	}

	function area(mu, sign) {
		return wanmu.units.area(mu, { bare: true, sign: !!sign });
	}

	function render(el, res) {
		wanmu.dom.clear(el);
		var cols = res.scenarios;
		var head1 = h('tr', {}, h('th', { attrs: { rowspan: '2' }, text: t('compare.platform') }), cols.map(function (s) {
			return h('th', { className: 'scenario-col', attrs: { colspan: '3', 'data-scenario-id': String(s.id) } },
				h('div', { text: s.id === 0 ? t('scenario.official') : s.name }),
				s.base_at ? h('small', { className: 'muted', text: t('compare.base', { at: wanmu.i18n.datetime(s.base_at) }) }) : null);
		}));
		var head2 = h('tr', {}, cols.map(function () {
			return [h('th', { text: t('compare.developable') + ' (' + wanmu.units.symbol() + ')' }),
				h('th', { text: t('compare.balance') }), h('th', { text: t('compare.zones') })];
		}).flat());
		var rows = res.platforms.map(function (p) {
			var first = p.figures[0];
			return h('tr', { attrs: { 'data-key': p.key } }, h('th', { attrs: { scope: 'row' }, text: p.name }), p.figures.map(function (f, i) {
				if (!f) {
					return [h('td', { className: 'absent', attrs: { colspan: '3' }, text: t('compare.absent') })];
				}
				var delta = i > 0 && first ? f.developable_mu - first.developable_mu : 0;
				var changed = i > 0 && first && Math.abs(delta) >= 0.005;
				return [
					h('td', { className: 'num strong' + (changed ? ' changed' : '') },
						h('span', { text: area(f.developable_mu) }),
						changed ? h('small', { className: delta > 0 ? 'up' : 'down', text: ' ' + area(delta, true) }) : null),
					h('td', { className: 'num ' + (f.meets ? 'ok' : 'bad'), text: (f.meets ? '✓ ' : '✗ ') + area(f.meets ? f.margin_mu : -f.shortfall_mu, true) }),
					h('td', { className: 'num', text: String(f.zones) + (f.parts > 1 ? '（' + t('compare.parts', { n: f.parts }) + '）' : '') })
				];
			}).flat());
		});
		var foot = [
			h('tr', {}, h('th', { text: t('compare.meeting') }), cols.map(function (s) {
				return h('td', { className: 'num', attrs: { colspan: '3' }, text: t('compare.meetingOf', { n: s.meeting, of: s.platforms }) });
			})),
			h('tr', {}, h('th', { text: t('compare.total') }), cols.map(function (s) {
				return h('td', { className: 'num strong', attrs: { colspan: '3' }, text: area(s.developable_mu) });
			})),
			h('tr', {}, h('th', { text: t('compare.dispositions') }), cols.map(function (s) {
				return h('td', { className: 'num', attrs: { colspan: '3' }, text: DISPOSITIONS.map(function (d) { return d + ' ' + (s.dispositions[d] || 0); }).join(' · ') });
			}))
		];
		el.appendChild(h('table', { className: 'data compare-grid' }, h('thead', {}, head1, head2), h('tbody', {}, rows), h('tfoot', {}, foot)));
	}

	wanmu.CompareDialog = { open: open };
})(window.wanmu = window.wanmu || {});
