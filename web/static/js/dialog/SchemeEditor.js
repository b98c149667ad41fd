// SchemeEditor.js: the two 亩均 schemes as forms (issue 18, item 2), shown
// in the evaluation dialog's tabs. The enterprises' scheme
// (/evaluation/scheme): per group (规上, 规下) the indicators with weight,
// benchmark (N × last year's county average, or a fixed value) and score cap;
// the minimum land, the exemptions (class T) and the class cut-offs. The
// platforms' annual assessment (/evaluation/assessment-scheme): criteria,
// weights, a target or "against the best platform", caps and the tiers.
// Administrators save a new version (from a year on, with a reason) through
// the page's one write path (Editor.withConflict: If-Match, and on 412 the
// conflict dialog); a 422 puts each message next to the field it names.
// Everyone else sees the same form read-only. The history lists every version.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	// names translates the server's Chinese names in English (EvaluationDialog.js).
	function names() {
		return wanmu.EvaluationDialog.names;
	}

	// governs gives each version (newest first) the years it is in force
	// for, as the server picks: the newest version whose from_year is at or
	// before the year (none: every year). before is the first year left to
	// the shipped default (null: none).
	function governs(history) {
		var hi = Infinity, out = {};
		history.forEach(function (v) {
			var from = v.from_year || -Infinity;
			if (from >= hi) {
				out[v.version] = t('evfix.scheme.yearsNone');
				return;
			}
			out[v.version] = from === -Infinity ? (hi === Infinity ? t('evfix.scheme.yearsAll') : t('evfix.scheme.yearsUntil', { b: hi - 1 })) :
				hi === Infinity ? t('evfix.scheme.yearsFrom', { y: from }) :
					from === hi - 1 ? String(from) : t('evfix.scheme.yearsRange', { a: from, b: hi - 1 });
			hi = from;
		});
		return { byVersion: out, before: hi === -Infinity || hi === Infinity ? null : hi };
	}

	function copy(o) {
		return JSON.parse(JSON.stringify(o));
	}

	// numberValue reads a number input: a number, or NaN (sent as null, which
	// the server names as the field's error).
	function numberValue(input) {
		var s = input.value.trim();
		return s === '' ? 0 : Number(s);
	}

	// mount builds the editor in el. opts: app, kind ('enterprise' |
	// 'assessment'), admin, onSaved(). Returns {reload}.
	function mount(el, opts) {
		var path = opts.kind === 'enterprise' ? '/evaluation/scheme' : '/evaluation/assessment-scheme';
		var ro = !opts.admin;
		var loaded = null; // the GET answer
		var s = null;      // the scheme being edited
		var fromYear = h('input', { type: 'number', name: 'from_year', min: 2000, max: 2100, step: 1, attrs: { 'data-path': 'from_year', 'data-i18n-placeholder': 'scheme.everyYear', placeholder: t('scheme.everyYear') } });
		var reason = h('input', { type: 'text', name: 'reason', attrs: { maxlength: 2000, 'data-path': 'reason' } });
		var error = h('div', { className: 'dialog-error scheme-error', attrs: { role: 'alert' } });
		error.hidden = true;
		var head = h('div', { className: 'scheme-head' });
		var fromHint = h('span', { className: 'field-hint', attrs: { 'data-scheme': 'from-hint' } });
		var form = h('div', { className: 'scheme-form' });
		var history = h('div', { className: 'scheme-history' });
		var saveBtn = h('button', { className: 'btn btn-primary', attrs: { type: 'button', 'data-action': 'save-scheme' }, i18n: 'scheme.save' });
		var defaultBtn = h('button', { className: 'btn', attrs: { type: 'button', 'data-action': 'default-scheme' }, i18n: 'scheme.useDefault' });
		var resetBtn = h('button', { className: 'btn', attrs: { type: 'button', 'data-action': 'reload-scheme' }, i18n: 'scheme.discard' });
		var saveRow = ro ? h('div', { className: 'info-box readonly-note', attrs: { 'data-readonly': '', role: 'note' }, i18n: 'scheme.readonly' }) :
			h('div', { className: 'scheme-save' }, error,
				h('label', { className: 'field' }, h('span', { className: 'field-label', i18n: 'scheme.fromYear' }), fromYear, fromHint),
				h('label', { className: 'field grow' }, h('span', { className: 'field-label', i18n: 'scheme.reason' }), reason, h('span', { className: 'field-hint', i18n: 'scheme.reasonHint' })),
				h('div', { className: 'scheme-buttons' }, resetBtn, defaultBtn, saveBtn));
		el.appendChild(h('div', { className: 'scheme-editor', attrs: { 'data-scheme-kind': opts.kind } }, head, ro ? saveRow : null, ro ? error : null, form, ro ? null : saveRow, history));

		saveBtn.addEventListener('click', save);
		defaultBtn.addEventListener('click', function () {
			s = copy(loaded['default']);
			render();
		});
		resetBtn.addEventListener('click', function () { reload(); });

		// reload reads the scheme; an answer overtaken by a later reload
		// (after a save, a discard, a conflict) is dropped.
		var gen = 0;
		function reload() {
			var mine = ++gen;
			return wanmu.api.get(path, { scenario: 0 }).then(function (res) {
				if (mine !== gen) {
					return;
				}
				loaded = res;
				s = copy(res.scheme);
				// A new version starts, unless changed, where the one in force does:
				// blank would silently make it apply to every year.
				var cur = (res.history || [])[0] || {};
				fromYear.value = cur.from_year ? String(cur.from_year) : '';
				reason.value = '';
				showError(null);
				render();
				renderHistory();
			}, function (err) {
				if (mine === gen) {
					showError(err);
				}
			});
		}

		function def(code) {
			return (loaded.indicators || []).filter(function (x) { return x.code === code; })[0] || { code: code, label: code, unit: '' };
		}

		// input makes a number input bound to obj[key] (scale: shown ×scale).
		function numIn(obj, key, p, o) {
			o = o || {};
			var scale = o.scale || 1;
			var v = obj[key];
			var input = h('input', { type: 'number', step: 'any', disabled: ro, attrs: { 'data-path': p, inputmode: 'decimal', 'aria-label': o.label || p, placeholder: o.placeholder },
				value: v === undefined || v === null || (o.emptyZero && !v) ? '' : String(Math.round(v * scale * 1e6) / 1e6) });
			input.addEventListener('input', function () {
				obj[key] = numberValue(input) / scale;
				if (o.onChange) {
					o.onChange();
				}
			});
			return input;
		}

		function textIn(obj, key, p, label) {
			var input = h('input', { type: 'text', disabled: ro, value: obj[key] || '', attrs: { 'data-path': p, 'aria-label': label || p, maxlength: 200 } });
			input.addEventListener('input', function () { obj[key] = input.value; });
			return input;
		}

		// showSum writes a group's sum of weights, and a note when it is not
		// 100 (allowed, but the full score is then not 100).
		function showSum(el, total) {
			var n = wanmu.i18n.number(total, 2).replace(/\.?0+$/, '') || '0';
			var off = Math.abs(total - 100) > 1e-9;
			wanmu.dom.clear(el);
			el.setAttribute('data-sum', String(Math.round(total * 1e6) / 1e6));
			el.classList.toggle('off', off);
			el.appendChild(h('span', { text: t('scheme.weightSum', { n: n }) }));
			if (off) {
				el.appendChild(h('span', { className: 'scheme-sum-note', attrs: { 'data-scheme': 'sum-note' }, text: t('evfix.scheme.sumNot100', { n: n }) }));
			}
		}

		function smallBtn(text, action, fn) {
			return ro ? null : h('button', { className: 'btn btn-tiny', attrs: { type: 'button', 'data-action': action }, text: text, on: { click: fn } });
		}

		function render() {
			wanmu.dom.clear(head);
			wanmu.dom.clear(form);
			var cur = (loaded.history || [])[0] || {};
			head.appendChild(h('div', { className: 'scheme-current', attrs: { 'data-version': String(loaded.current_version) } },
				h('strong', { text: t('scheme.current', { v: loaded.current_version }) }),
				h('span', { className: 'muted', text: ' · ' + [cur.created_by || '—', cur.created_at ? wanmu.i18n.datetime(cur.created_at) : null,
					cur.from_year ? t('scheme.appliesFrom', { y: cur.from_year }) : null, cur.reason].filter(Boolean).join(' · ') })));
			var g = governs(loaded.history || []);
			wanmu.dom.clear(fromHint);
			fromHint.appendChild(document.createTextNode(t('scheme.fromYearHint') + ' ' +
				t('evfix.scheme.fromNow', { v: loaded.current_version, years: g.byVersion[cur.version] || t('evfix.scheme.yearsAll') })));
			form.appendChild(h('label', { className: 'field scheme-name' }, h('span', { className: 'field-label', text: t('scheme.name') }), textIn(s, 'name', 'scheme.name', t('scheme.name'))));
			if (opts.kind === 'enterprise') {
				renderEnterprise();
			} else {
				renderAssessment();
			}
		}

		// ---- the enterprises' scheme -----------------------------------------
		function renderEnterprise() {
			form.appendChild(h('div', { className: 'scheme-row' },
				h('label', { className: 'field' }, h('span', { className: 'field-label', text: t('scheme.minLand') }),
					h('span', { className: 'input-unit' }, numIn(s, 'min_land_mu', 'scheme.min_land_mu', { label: t('scheme.minLand') }), h('span', { className: 'unit', text: t('unit.mu') })),
					h('span', { className: 'field-hint', text: t('scheme.minLandHint') }))));
			(s.groups || []).forEach(function (g, gi) { form.appendChild(group(g, gi)); });
			var missing = ['规上', '规下'].filter(function (sc) { return !(s.groups || []).some(function (g) { return g.scale === sc; }); });
			missing.forEach(function (sc) {
				var b = smallBtn(t('scheme.addGroup', { scale: names().scale(sc) }), 'add-group', function () {
					s.groups = s.groups || [];
					s.groups.push({ scale: sc, evaluated: true, indicators: [] });
					render();
				});
				if (b) {
					form.appendChild(b);
				}
			});
			form.appendChild(classes());
			form.appendChild(exemptions());
		}

		function group(g, gi) {
			var p = 'scheme.groups[' + gi + ']';
			var sum = h('span', { className: 'scheme-sum' });
			var updateSum = function () {
				var total = (g.indicators || []).reduce(function (a, x) { return a + (isFinite(x.weight) ? x.weight : 0); }, 0);
				showSum(sum, total);
			};
			var evaluated = h('input', { type: 'checkbox', checked: g.evaluated, disabled: ro, attrs: { 'data-path': p + '.evaluated' } });
			evaluated.addEventListener('change', function () { g.evaluated = evaluated.checked; });
			var rows = (g.indicators || []).map(function (x, i) {
				var ip = p + '.indicators[' + i + ']';
				var used = (g.indicators || []).map(function (y) { return y.code; });
				var code = h('select', { disabled: ro, attrs: { 'data-path': ip + '.code', 'aria-label': t('scheme.col.indicator') } },
					(loaded.indicators || []).filter(function (d) { return d.code === x.code || used.indexOf(d.code) < 0; }).map(function (d) {
						return h('option', { value: d.code, selected: d.code === x.code, text: names().indicator(d.code, d.label) });
					}));
				code.addEventListener('change', function () { x.code = code.value; render(); });
				var b = x.benchmark = x.benchmark || { kind: 'county_average', multiple: 2 };
				var kind = h('select', { disabled: ro, attrs: { 'data-path': ip + '.benchmark.kind', 'aria-label': t('scheme.col.benchmark') } },
					h('option', { value: 'county_average', selected: b.kind === 'county_average', text: t('scheme.bench.average') }),
					h('option', { value: 'fixed', selected: b.kind === 'fixed', text: t('scheme.bench.fixed') }));
				kind.addEventListener('change', function () {
					x.benchmark = kind.value === 'fixed' ? { kind: 'fixed', value: 0 } : { kind: 'county_average', multiple: 2 };
					render();
				});
				var benchValue = b.kind === 'fixed' ?
					h('span', { className: 'input-unit' }, numIn(b, 'value', ip + '.benchmark.value', { label: t('scheme.bench.fixed') }), h('span', { className: 'unit', text: names().unit(def(x.code).unit) })) :
					h('span', { className: 'input-unit' }, numIn(b, 'multiple', ip + '.benchmark.multiple', { label: t('scheme.bench.multiple') }), h('span', { className: 'unit', text: t('scheme.bench.timesAverage') }));
				return h('tr', { attrs: { 'data-indicator': x.code } },
					h('td', { title: def(x.code).definition || '' }, code),
					h('td', { className: 'unit', text: names().unit(def(x.code).unit) }),
					h('td', {}, numIn(x, 'weight', ip + '.weight', { label: t('scheme.col.weight'), onChange: updateSum })),
					h('td', {}, h('span', { className: 'bench' }, kind, benchValue)),
					h('td', {}, h('span', { className: 'input-unit' }, numIn(x, 'cap', ip + '.cap', { label: t('scheme.col.cap'), emptyZero: true, placeholder: t('scheme.noCap') }), h('span', { className: 'unit', text: t('scheme.capUnit') }))),
					h('td', {}, smallBtn('×', 'remove-indicator', function () { g.indicators.splice(i, 1); render(); })));
			});
			updateSum();
			var free = (loaded.indicators || []).filter(function (d) { return !(g.indicators || []).some(function (x) { return x.code === d.code; }); });
			return h('fieldset', { className: 'scheme-group', attrs: { 'data-group': g.scale, 'data-path': p } },
				h('legend', {}, h('span', { text: t('scheme.group', { scale: names().scale(g.scale) }) }),
					h('label', { className: 'check' }, evaluated, h('span', { text: t('scheme.evaluated') }))),
				h('table', { className: 'scheme-table' },
					h('thead', {}, h('tr', {}, ['scheme.col.indicator', 'scheme.col.unit', 'scheme.col.weight', 'scheme.col.benchmark', 'scheme.col.cap', ''].map(function (k) {
						return h('th', { text: k ? t(k) : '' });
					}))),
					h('tbody', { attrs: { 'data-path': p + '.indicators' } }, rows)),
				h('div', { className: 'scheme-group-foot' }, sum,
					free.length ? smallBtn(t('scheme.addIndicator'), 'add-indicator', function () {
						g.indicators = g.indicators || [];
						g.indicators.push({ code: free[0].code, weight: 10, benchmark: { kind: 'county_average', multiple: 2 }, cap: 1.2 });
						render();
					}) : null));
		}

		function classes() {
			var cuts = s.classes = s.classes || [];
			return h('fieldset', { className: 'scheme-group scheme-classes', attrs: { 'data-path': 'scheme.classes' } },
				h('legend', { text: t('scheme.classes') }),
				h('p', { className: 'field-hint', text: t('scheme.classesHint') }),
				h('div', { className: 'scheme-cuts' }, cuts.map(function (c, i) {
					return h('label', { className: 'scheme-cut' },
						h('span', { className: 'eval-class eval-class-' + c['class'], text: c['class'] }),
						h('span', { text: t('scheme.upTo') }),
						h('span', { className: 'input-unit' }, numIn(c, 'up_to', 'scheme.classes[' + i + '].up_to', { scale: 100, label: t('scheme.upTo') + ' ' + c['class'] }), h('span', { className: 'unit', text: '%' })));
				})));
		}

		function exemptions() {
			var xs = s.exemptions = s.exemptions || [];
			return h('fieldset', { className: 'scheme-group scheme-exemptions', attrs: { 'data-path': 'scheme.exemptions' } },
				h('legend', { text: t('scheme.exemptions') }),
				xs.length ? h('table', { className: 'scheme-table' },
					h('thead', {}, h('tr', {}, h('th', { text: t('scheme.col.creditCode') }), h('th', { text: t('scheme.col.exemptReason') }), h('th'))),
					h('tbody', {}, xs.map(function (x, i) {
						var p = 'scheme.exemptions[' + i + ']';
						return h('tr', {}, h('td', {}, textIn(x, 'credit_code', p + '.credit_code', t('scheme.col.creditCode'))),
							h('td', {}, textIn(x, 'reason', p + '.reason', t('scheme.col.exemptReason'))),
							h('td', {}, smallBtn('×', 'remove-exemption', function () { xs.splice(i, 1); render(); })));
					}))) : h('p', { className: 'muted small', text: t('scheme.noExemptions') }),
				smallBtn(t('scheme.addExemption'), 'add-exemption', function () { xs.push({ credit_code: '', reason: '' }); render(); }));
		}

		// ---- the assessment's scheme -----------------------------------------
		function renderAssessment() {
			var cs = s.criteria = s.criteria || [];
			var sum = h('span', { className: 'scheme-sum' });
			var updateSum = function () {
				var total = cs.reduce(function (a, x) { return a + (isFinite(x.weight) ? x.weight : 0); }, 0);
				showSum(sum, total);
			};
			var rows = cs.map(function (x, i) {
				var p = 'scheme.criteria[' + i + ']';
				var used = cs.map(function (y) { return y.code; });
				var code = h('select', { disabled: ro, attrs: { 'data-path': p + '.code', 'aria-label': t('scheme.col.criterion') } },
					(loaded.indicators || []).filter(function (d) { return d.code === x.code || used.indexOf(d.code) < 0; }).map(function (d) {
						return h('option', { value: d.code, selected: d.code === x.code, text: names().indicator(d.code, d.label) });
					}));
				code.addEventListener('change', function () { x.code = code.value; render(); });
				return h('tr', { attrs: { 'data-criterion': x.code } },
					h('td', { title: def(x.code).definition || '' }, code),
					h('td', { className: 'unit', text: names().unit(def(x.code).unit) }),
					h('td', {}, numIn(x, 'weight', p + '.weight', { label: t('scheme.col.weight'), onChange: updateSum })),
					h('td', {}, numIn(x, 'target', p + '.target', { label: t('scheme.col.target'), emptyZero: true, placeholder: t('scheme.againstBest') })),
					h('td', {}, h('span', { className: 'input-unit' }, numIn(x, 'cap', p + '.cap', { label: t('scheme.col.cap'), emptyZero: true, placeholder: '1' }), h('span', { className: 'unit', text: t('scheme.capUnit') }))),
					h('td', {}, smallBtn('×', 'remove-criterion', function () { cs.splice(i, 1); render(); })));
			});
			updateSum();
			var free = (loaded.indicators || []).filter(function (d) { return !cs.some(function (x) { return x.code === d.code; }); });
			form.appendChild(h('fieldset', { className: 'scheme-group', attrs: { 'data-path': 'scheme.criteria' } },
				h('legend', { text: t('scheme.criteria') }),
				h('p', { className: 'field-hint', text: t('scheme.criteriaHint') }),
				h('table', { className: 'scheme-table' },
					h('thead', {}, h('tr', {}, ['scheme.col.criterion', 'scheme.col.unit', 'scheme.col.weight', 'scheme.col.target', 'scheme.col.cap', ''].map(function (k) {
						return h('th', { text: k ? t(k) : '' });
					}))),
					h('tbody', {}, rows)),
				h('div', { className: 'scheme-group-foot' }, sum,
					free.length ? smallBtn(t('scheme.addCriterion'), 'add-criterion', function () {
						cs.push({ code: free[0].code, weight: 10 });
						render();
					}) : null)));
			var tiers = s.tiers = s.tiers || [];
			form.appendChild(h('fieldset', { className: 'scheme-group', attrs: { 'data-path': 'scheme.tiers' } },
				h('legend', { text: t('scheme.tiers') }),
				h('p', { className: 'field-hint', text: t('scheme.tiersHint') }),
				h('div', { className: 'scheme-cuts' }, tiers.map(function (name, i) {
					var box = { v: name };
					var input = textIn(box, 'v', 'scheme.tiers[' + i + ']', t('scheme.tiers'));
					input.addEventListener('input', function () { tiers[i] = input.value; });
					return h('span', { className: 'scheme-cut' }, h('span', { className: 'muted', text: String(i + 1) }), input,
						smallBtn('×', 'remove-tier', function () { tiers.splice(i, 1); render(); }));
				}), smallBtn(t('scheme.addTier'), 'add-tier', function () { tiers.push(t('scheme.tierName', { n: tiers.length + 1 })); render(); }))));
		}

		// ---- history, errors, saving -------------------------------------------
		function renderHistory() {
			wanmu.dom.clear(history);
			var g = governs(loaded.history || []);
			history.appendChild(h('h3', { className: 'section-title', text: t('scheme.history') }));
			history.appendChild(h('table', { className: 'data scheme-history-table' },
				h('thead', {}, h('tr', {}, ['scheme.h.version', 'scheme.h.who', 'scheme.h.when', 'scheme.h.from', 'evfix.scheme.h.governs', 'scheme.h.reason'].map(function (k) {
					return h('th', { text: t(k) });
				}))),
				h('tbody', {}, (loaded.history || []).map(function (v) {
					return h('tr', { attrs: { 'data-history-version': String(v.version) } },
						h('td', { className: 'num', text: String(v.version) }),
						h('td', { text: v.created_by || '—' }),
						h('td', { text: v.created_at ? wanmu.i18n.datetime(v.created_at) : '—' }),
						h('td', { text: v.from_year ? String(v.from_year) : t('scheme.everyYear') }),
						h('td', { attrs: { 'data-governs': '' }, text: g.byVersion[v.version] || '—' }),
						h('td', { className: 'reason', text: v.reason || '—' }));
				}))));
			if (g.before) {
				history.appendChild(h('p', { className: 'muted small', text: t('evfix.scheme.before', { y: g.before }) }));
			}
		}

		// showError shows a problem; a 422's field errors go next to the
		// fields they name, the rest (and anything else) in the box.
		var lastErr = null;
		function showError(err) {
			lastErr = err;
			el.querySelectorAll('.field-error').forEach(function (x) { x.remove(); });
			el.querySelectorAll('[aria-invalid]').forEach(function (x) { x.classList.remove('invalid'); x.removeAttribute('aria-invalid'); });
			wanmu.dom.clear(error);
			error.hidden = !err;
			if (!err) {
				return;
			}
			var rest = [], placed = [];
			((err.problem && err.problem.errors) || []).forEach(function (fe) {
				var target = el.querySelector('[data-path="' + (window.CSS && CSS.escape ? CSS.escape(fe.path) : fe.path) + '"]');
				if (!target) {
					rest.push(fe);
					return;
				}
				target.classList.add('invalid');
				target.setAttribute('aria-invalid', 'true');
				var msg = h('div', { className: 'field-error', attrs: { 'data-error-for': fe.path }, text: fe.message });
				var at = target.closest('.input-unit') || target;
				if (target.tagName === 'FIELDSET' || target.tagName === 'TBODY') {
					(target.tagName === 'TBODY' ? target.closest('fieldset') : target).appendChild(msg);
				} else {
					at.parentNode.insertBefore(msg, at.nextSibling);
				}
				placed.push(target);
			});
			error.appendChild(h('strong', { text: err.describe ? err.describe() : String(err.message || err) }));
			if (placed.length) {
				error.appendChild(h('div', { className: 'detail', text: t('scheme.errorsMarked', { n: placed.length }) }));
				placed[0].scrollIntoView({ block: 'center' });
			} else if (err.problem && err.problem.detail) {
				error.appendChild(h('div', { className: 'detail', text: err.problem.detail }));
			}
			rest.forEach(function (fe) { error.appendChild(h('div', { className: 'detail', text: fe.path + ': ' + fe.message })); });
			if (!placed.length) {
				error.scrollIntoView({ block: 'nearest' });
			}
		}

		function save() {
			showError(null);
			var y = fromYear.value.trim();
			var body = { scheme: s, from_year: y === '' ? null : Number(y), reason: reason.value.trim() };
			if (!body.reason) {
				reason.focus();
				showError(new Error(t('scheme.needReason')));
				return;
			}
			var base = loaded.current_version;
			saveBtn.disabled = true;
			opts.app.editor.withConflict({
				entity: 'scheme', kind: 'scheme', name: s.name || t('scheme.title.' + opts.kind), base: {}, version: base,
				fetchCurrent: function () {
					return wanmu.api.get(path, { scenario: 0 }).then(function (r) {
						var v = (r.history || [])[0] || {};
						return { version: r.current_version, name: (r.scheme || {}).name, updated_by: v.created_by, updated_at: v.created_at, reason: v.reason };
					});
				},
				diffFor: function (cur) {
					return [{ field: 'scheme', label: t('scheme.conflict.version'), mine: t('scheme.conflict.mine', { v: base }), theirs: t('scheme.conflict.theirs', { v: cur.version, reason: cur.reason || '—' }) }];
				},
				onReload: function () { reload(); },
				attempt: function (version) { return wanmu.api.send('PUT', path, body, { ifMatch: version, query: { scenario: 0 } }); }
			}).then(function (res) {
				saveBtn.disabled = false;
				if (res.ok) {
					wanmu.notify(t('scheme.saved', { v: res.data.version }), 'ok');
					reload();
					if (opts.onSaved) {
						opts.onSaved(res.data);
					}
				}
			}, function (err) {
				saveBtn.disabled = false;
				showError(err);
			});
		}

		// A change of language redraws the form from the scheme being edited
		// (nothing typed is lost) and the history.
		var relabel = function () {
			if (loaded) {
				render();
				renderHistory();
				if (lastErr) {
					showError(lastErr); // in the new words, next to the redrawn fields
				}
			}
		};
		wanmu.i18n.on('langchange', relabel);
		reload();
		return { reload: reload, dispose: function () { wanmu.i18n.off('langchange', relabel); } };
	}

	wanmu.SchemeEditor = { mount: mount };
})(window.wanmu = window.wanmu || {});
