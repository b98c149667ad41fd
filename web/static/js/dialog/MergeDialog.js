// MergeDialog.js: merging the selected zones into one. The union is made by
// the server (PostGIS); the planner names the result and says why.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var D = wanmu.Dialog;

	// open(features, submit) — submit(properties, reason) does the merge.
	function open(features, submit) {
		var t = wanmu.i18n.t;
		var first = features[0].properties;
		var total = features.reduce(function (s, f) { return s + (f.properties.area_mu || 0); }, 0);
		var name = h('input', { type: 'text', name: 'name', value: first.name, attrs: { maxlength: 200 } });
		var disposition = D.select('disposition', wanmu.style.dispositions.map(function (d) {
			return { value: d, label: 'disp.' + d };
		}), first.disposition);
		var reason = h('input', { type: 'text', name: 'reason', attrs: { maxlength: 2000 } });
		var list = h('ul', { className: 'merge-list' }, features.map(function (f) {
			return h('li', null, h('span', { text: f.properties.name }), h('span', { className: 'num', text: wanmu.units.area(f.properties.area_mu) }));
		}));
		var platforms = {};
		features.forEach(function (f) {
			if (f.properties.platform_id) {
				platforms[f.properties.platform_id] = f.properties.platform_name || f.properties.platform_id;
			}
		});
		var body = h('div', { className: 'form-grid' },
			h('p', { className: 'dialog-text', text: t('merge.intro', { n: features.length }) }),
			list,
			h('div', { className: 'form-note' }, h('span', { text: t('merge.sum') + ' ' }), h('strong', { text: wanmu.units.area(total) }),
				h('span', { className: 'muted', text: ' ' + t('merge.sumNote') })),
			Object.keys(platforms).length > 1 ? h('div', { className: 'form-warn', text: t('merge.platformsWarn') }) : null,
			D.field('field.name', name),
			D.field('field.disposition', disposition),
			D.field('field.reason', reason, 'field.reasonHint'));
		var d = new D({
			title: 'merge.title', body: body,
			buttons: [
				{ label: 'action.cancel', value: null },
				{
					label: 'action.merge', kind: 'primary', value: 'ok',
					action: function () {
						if (!name.value.trim()) {
							throw new Error(t('attr.nameRequired'));
						}
						return submit({ name: name.value.trim(), disposition: disposition.value }, reason.value.trim());
					}
				}
			]
		});
		return d.open();
	}

	wanmu.MergeDialog = { open: open };
})(window.wanmu = window.wanmu || {});
