// AttributesDialog.js: a zone's attributes — name, kind, county, disposition,
// approved area and document number — for a new zone or an existing one,
// with the reason recorded in the history.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var D = wanmu.Dialog;

	// open(props, opts) resolves after opts.submit(values, reason) succeeded,
	// or null when cancelled. props are the zone's current properties (empty
	// for a new zone); opts.title is a message key; opts.areaMu is shown.
	function open(props, opts) {
		props = props || {};
		var t = wanmu.i18n.t;
		var name = h('input', { type: 'text', name: 'name', value: props.name || '', attrs: { maxlength: 200, required: true, autocomplete: 'off' } });
		var kind = D.select('kind', [{ value: 'township', label: 'kind.township' }, { value: 'park', label: 'kind.park' }], props.kind || 'township');
		// A county-limited editor's zones stay in their counties.
		var choices = wanmu.permissions.countyChoices();
		var county = D.select('county_adcode', choices.map(function (c) {
			return { value: c, text: t('county.' + c) + ' ' + c };
		}), props.county_adcode || (choices.indexOf(opts.county) >= 0 ? opts.county : choices[0]));
		var disposition = D.select('disposition', wanmu.style.dispositions.map(function (d) {
			return { value: d, label: 'disp.' + d };
		}), props.disposition || '待定');
		var approved = h('input', { type: 'number', name: 'approved_area_ha', min: 0, step: 'any',
			value: props.approved_area_ha === null || props.approved_area_ha === undefined ? '' : props.approved_area_ha });
		var docNo = h('input', { type: 'text', name: 'document_no', value: props.document_no || '', attrs: { maxlength: 200 } });
		var reason = h('input', { type: 'text', name: 'reason', attrs: { maxlength: 2000 } });
		var body = h('div', { className: 'form-grid' },
			opts.areaMu !== undefined ? h('div', { className: 'form-note' },
				h('span', { i18n: 'attr.areaNow' }), ' ', h('strong', { text: wanmu.units.area(opts.areaMu) })) : null,
			D.field('field.name', name),
			h('div', { className: 'form-row' }, D.field('field.kind', kind), D.field('field.county', county)),
			h('div', { className: 'form-row' }, D.field('field.disposition', disposition), D.field('field.approvedHa', approved)),
			D.field('field.documentNo', docNo),
			D.field('field.reason', reason, 'field.reasonHint'));

		function values() {
			var v = {
				name: name.value.trim(), kind: kind.value, county_adcode: county.value,
				disposition: disposition.value,
				approved_area_ha: approved.value === '' ? null : Number(approved.value),
				document_no: docNo.value.trim()
			};
			if (!v.name) {
				throw new Error(t('attr.nameRequired'));
			}
			if (v.approved_area_ha !== null && (isNaN(v.approved_area_ha) || v.approved_area_ha < 0)) {
				throw new Error(t('attr.approvedInvalid'));
			}
			return v;
		}

		// changed keeps only the fields that differ from props (for PATCH).
		function changed(v) {
			var out = {};
			Object.keys(v).forEach(function (k) {
				var before = props[k] === undefined ? null : props[k];
				if (k === 'document_no' && before === null && v[k] === '') {
					return;
				}
				if (before !== v[k]) {
					out[k] = v[k];
				}
			});
			return out;
		}

		var d = new D({
			title: opts.title, body: body, className: 'attributes',
			buttons: [
				{ label: 'action.cancel', value: null },
				{
					label: opts.okLabel || 'action.save', kind: 'primary', value: 'ok',
					action: function () {
						var v = values();
						return opts.submit(props.id ? changed(v) : v, reason.value.trim());
					}
				}
			]
		});
		return d.open();
	}

	wanmu.AttributesDialog = { open: open };
})(window.wanmu = window.wanmu || {});
