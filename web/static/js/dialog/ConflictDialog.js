// ConflictDialog.js: what the planner sees when the server answers 412 — the
// object changed since it was loaded. Both versions are drawn on the map
// (theirs dashed orange, mine blue) and the planner chooses: reload theirs
// (dropping mine) or apply mine again on top of theirs. Nothing is lost
// silently, and the dialog floats so the map stays usable.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;

	// open(opts): opts.app, opts.entity ('zone'|'platform'), opts.name,
	// opts.baseVersion, opts.current (their feature or platform),
	// opts.mineGeometry (optional), opts.diff ([{label, mine, theirs}]),
	// opts.canKeep (offer "keep editing"). Resolves to 'reload', 'reapply',
	// 'keep' or null.
	function open(opts) {
		var t = wanmu.i18n.t;
		var app = opts.app;
		var cur = opts.current || {};
		var cp = cur.properties || cur;
		var theirVersion = cp.version;
		app.compare.clearLayers();
		if (cur.geometry) {
			app.compare.add(cur.geometry, wanmu.style.theirs, t('conflict.theirsTag', { v: theirVersion, who: cp.updated_by || '—' }));
		}
		if (opts.mineGeometry) {
			app.compare.add(opts.mineGeometry, wanmu.style.mine, t('conflict.mineTag', { v: opts.baseVersion }));
		}
		var b = app.compare.bounds();
		if (b.isValid()) {
			// Keep both versions clear of the dialog, which floats on the right.
			app.map.fitBounds(b, { paddingTopLeft: [60, 90], paddingBottomRight: [520, 60], maxZoom: 16 });
		}
		var rows = (opts.diff || []).map(function (d) {
			return h('tr', null, h('th', { text: d.label }), h('td', { className: 'mine', text: d.mine }), h('td', { className: 'theirs', text: d.theirs }));
		});
		var body = h('div', { className: 'conflict-body' },
			h('p', { className: 'dialog-text', text: t('conflict.text', { name: opts.name, v: opts.baseVersion, cur: theirVersion }) }),
			h('p', { className: 'dialog-text muted', text: t('conflict.by', { who: cp.updated_by || '—', at: wanmu.i18n.datetime(cp.updated_at) }) }),
			h('div', { className: 'legend-row' },
				h('span', { className: 'swatch line', style: { 'border-color': wanmu.style.mine.color } }), h('span', { i18n: 'conflict.mine' }),
				h('span', { className: 'swatch line dashed', style: { 'border-color': wanmu.style.theirs.color } }), h('span', { i18n: 'conflict.theirs' })),
			rows.length ? h('table', { className: 'diff' },
				h('thead', null, h('tr', null, h('th'), h('th', { i18n: 'conflict.mine' }), h('th', { i18n: 'conflict.theirs' }))),
				h('tbody', null, rows)) : null,
			h('p', { className: 'dialog-text muted', i18n: 'conflict.help' }));
		var buttons = [
			{ label: 'conflict.reload', value: 'reload' },
			{ label: 'conflict.reapply', kind: 'primary', value: 'reapply' }
		];
		if (opts.canKeep) {
			buttons.unshift({ label: 'conflict.keep', value: 'keep' });
		}
		var d = new wanmu.Dialog({
			title: 'conflict.title', body: body, modal: false, className: 'conflict', buttons: buttons,
			onClose: function () { app.compare.clearLayers(); }
		});
		return d.open();
	}

	wanmu.ConflictDialog = { open: open };
})(window.wanmu = window.wanmu || {});
