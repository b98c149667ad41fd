// PlatformDialog.js: a platform's name, role in the 一心两翼三片区 layout,
// counties and threshold (10,000 mu unless the policy says otherwise).
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var D = wanmu.Dialog;

	// open(platform|null, opts) — opts.submit(body, reason); opts.memberCount
	// says how many selected zones a new platform will start with.
	function open(p, opts) {
		p = p || {};
		var t = wanmu.i18n.t;
		var name = h('input', { type: 'text', name: 'name', value: p.name || '', attrs: { maxlength: 200, autocomplete: 'off' } });
		var role = D.select('role', ['一心', '两翼', '三片区', '其他'].map(function (r) { return { value: r, label: 'role.' + r }; }), p.role || '其他');
		// Only an administrator may change a threshold (the policy sets it).
		var isAdmin = !!opts.admin;
		var threshold = h('input', { type: 'number', name: 'threshold_mu', min: 1, step: 'any', value: p.threshold_mu || 10000, disabled: !isAdmin });
		// A county-limited editor keeps the other counties as they are.
		var lim = wanmu.permissions.limit();
		var counties = h('div', { className: 'checks' }, wanmu.style.counties.map(function (c) {
			var cb = h('input', { type: 'checkbox', value: c, checked: (p.counties || opts.counties || []).indexOf(c) >= 0, disabled: !!lim && lim.indexOf(c) < 0 });
			return h('label', { className: 'check' }, cb, h('span', { text: t('county.' + c) }));
		}));
		// A cross-county platform is the city's editors' unless an
		// administrator lets the editors of every county it spans edit it.
		var editable = h('input', { type: 'checkbox', name: 'county_editable', checked: !!p.county_editable });
		var editableRow = isAdmin ? h('label', { className: 'check', attrs: { 'data-field': 'county_editable' } }, editable, h('span', { i18n: 'platform.countyEditable' })) : null;
		var checked = function () {
			return Array.prototype.filter.call(counties.querySelectorAll('input'), function (i) { return i.checked; }).map(function (i) { return i.value; });
		};
		var showEditable = function () {
			if (editableRow) {
				editableRow.hidden = checked().length < 2;
			}
		};
		counties.addEventListener('change', showEditable);
		showEditable();
		var reason = h('input', { type: 'text', name: 'reason', attrs: { maxlength: 2000 } });
		var body = h('div', { className: 'form-grid' },
			D.field('field.platformName', name),
			h('div', { className: 'form-row' }, D.field('field.role', role), D.field('field.thresholdMu', threshold, isAdmin ? null : 'platform.thresholdAdmin')),
			h('div', { className: 'field' }, h('span', { className: 'field-label', i18n: 'field.counties' }), counties, editableRow),
			opts.memberCount ? h('div', { className: 'form-note', text: t('platform.startMembers', { n: opts.memberCount }) }) : null,
			D.field('field.reason', reason, 'field.reasonHint'));
		var d = new D({
			title: p.id ? 'platform.editTitle' : 'platform.newTitle', body: body,
			buttons: [
				{ label: 'action.cancel', value: null },
				{
					label: p.id ? 'action.save' : 'action.create', kind: 'primary', value: 'ok',
					action: function () {
						if (!name.value.trim()) {
							throw new Error(t('attr.nameRequired'));
						}
						var th = Number(threshold.value);
						if (!(th > 0)) {
							throw new Error(t('platform.thresholdInvalid'));
						}
						var cs = checked();
						var body = { name: name.value.trim(), role: role.value, counties: cs };
						var ce = editable.checked && cs.length > 1;
						if (isAdmin && ce !== !!p.county_editable) {
							body.county_editable = ce;
						}
						if (isAdmin && th !== (p.threshold_mu || 10000)) {
							body.threshold_mu = th;
						}
						return opts.submit(body, reason.value.trim());
					}
				}
			]
		});
		return d.open();
	}

	wanmu.PlatformDialog = { open: open };
})(window.wanmu = window.wanmu || {});
