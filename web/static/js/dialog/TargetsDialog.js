// TargetsDialog.js: a platform's 2025 targets (亩均增加值, 亩均税收, 产值 and
// the target year; admin only) and one year's recorded indicators for the
// same three measures (editors). The dialogs only collect and check numbers;
// the caller merges them into the platform's targets/indicators, keeping any
// keys it does not know, and writes them with If-Match.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var D = wanmu.Dialog;

	// measures are the three figures the policy sets targets for, with the
	// JSON key, the message key and the unit's message key.
	var measures = [
		{ key: 'value_added_per_mu', label: 'targets.valueAdded', unit: 'targets.unitPerMu' },
		{ key: 'tax_per_mu', label: 'targets.tax', unit: 'targets.unitPerMu' },
		{ key: 'output_yi', label: 'targets.output', unit: 'targets.unitYi' }
	];

	// value reads a measure from free JSON: a finite number (or a numeric
	// string), else null.
	function value(v) {
		if (typeof v === 'string' && v.trim() !== '') {
			v = Number(v);
		}
		return typeof v === 'number' && isFinite(v) ? v : null;
	}

	function numberInput(name, v) {
		return h('input', { type: 'number', name: name, min: 0, step: 'any', value: v === null || v === undefined ? '' : String(v), attrs: { inputmode: 'decimal' } });
	}

	function yearInput(v) {
		return h('input', { type: 'number', name: 'year', min: 2000, max: 2100, step: 1, value: v === null || v === undefined ? '' : String(v) });
	}

	// readNumber returns the input's number, null when empty, and throws a
	// message naming the field when it is negative, not finite or not a
	// number at all (a number input reports bad text as badInput).
	function readNumber(input, labelKey) {
		var t = wanmu.i18n.t;
		var s = input.value.trim();
		if (s === '' && !(input.validity && input.validity.badInput)) {
			return null;
		}
		var n = Number(s);
		if (s === '' || !isFinite(n) || n < 0) {
			input.focus();
			throw new Error(t('targets.invalidNumber', { field: t(labelKey) }));
		}
		return n;
	}

	function readYear(input) {
		var n = Number(input.value.trim());
		if (input.value.trim() === '' || !isFinite(n) || n !== Math.floor(n) || n < 2000 || n > 2100) {
			input.focus();
			throw new Error(wanmu.i18n.t('targets.invalidYear'));
		}
		return n;
	}

	function measureFields(values) {
		return measures.map(function (m) {
			var input = numberInput(m.key, values ? value(values[m.key]) : null);
			return { m: m, input: input, field: D.field(m.label, h('span', { className: 'input-unit' }, input, h('span', { className: 'unit', i18n: m.unit }))) };
		});
	}

	// openTargets(targets, opts) edits the targets; opts.submit(values, reason)
	// receives {year, value_added_per_mu, tax_per_mu, output_yi} with null for
	// an emptied measure. opts.policyNote (a message key) explains defaults.
	function openTargets(targets, opts) {
		targets = targets || {};
		var year = yearInput(value(targets.year));
		var fields = measureFields(targets);
		var reason = h('input', { type: 'text', name: 'reason', attrs: { maxlength: 2000 } });
		var body = h('div', { className: 'form-grid targets-form' },
			opts.policyNote ? h('div', { className: 'form-note', i18n: opts.policyNote }) : null,
			D.field('targets.targetYearField', year),
			fields.map(function (f) { return f.field; }),
			h('div', { className: 'field-hint', i18n: 'targets.emptyHint' }),
			D.field('field.reason', reason, 'field.reasonHint'));
		var d = new D({
			title: 'targets.editTitle', body: body, className: 'targets',
			buttons: [
				{ label: 'action.cancel', value: null },
				{
					label: 'action.save', kind: 'primary', value: 'ok',
					action: function () {
						var out = { year: readYear(year) };
						fields.forEach(function (f) { out[f.m.key] = readNumber(f.input, f.m.label); });
						return opts.submit(out, reason.value.trim());
					}
				}
			]
		});
		return d.open();
	}

	// openIndicators(indicators, year, opts) records or corrects one year's
	// indicators; indicators is the platform's whole object (to prefill a
	// year already recorded). opts.submit(year, values, reason).
	function openIndicators(indicators, year, opts) {
		indicators = indicators || {};
		var yearIn = yearInput(year);
		var fields = measureFields(indicators[String(year)]);
		// Choosing a year that is already recorded shows its figures.
		yearIn.addEventListener('change', function () {
			var rec = indicators[String(yearIn.value.trim())];
			if (rec && typeof rec === 'object') {
				fields.forEach(function (f) {
					var v = value(rec[f.m.key]);
					f.input.value = v === null ? '' : String(v);
				});
			}
		});
		var reason = h('input', { type: 'text', name: 'reason', attrs: { maxlength: 2000 } });
		var body = h('div', { className: 'form-grid targets-form' },
			D.field('targets.year', yearIn),
			fields.map(function (f) { return f.field; }),
			h('div', { className: 'field-hint', i18n: 'targets.emptyHint' }),
			D.field('field.reason', reason, 'field.reasonHint'));
		var d = new D({
			title: 'targets.indicatorsTitle', body: body, className: 'indicators',
			buttons: [
				{ label: 'action.cancel', value: null },
				{
					label: 'action.save', kind: 'primary', value: 'ok',
					action: function () {
						var y = readYear(yearIn);
						var out = {};
						fields.forEach(function (f) { out[f.m.key] = readNumber(f.input, f.m.label); });
						return opts.submit(y, out, reason.value.trim());
					}
				}
			]
		});
		return d.open();
	}

	wanmu.TargetsDialog = { measures: measures, value: value, openTargets: openTargets, openIndicators: openIndicators };
})(window.wanmu = window.wanmu || {});
