// ConflictDialog.js: what the planner sees when the server answers 412 — the
// object changed since it was loaded. Both versions are drawn on the map
// (theirs dashed orange, mine blue), the table shows what each side changed
// (fields I did not touch say that theirs is kept), and every choice says
// what it does to the other editor's change before it is made. Nothing is
// overwritten without the planner choosing the button that says so. The
// dialog floats so the map stays usable.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;

	// CHOICES per kind of conflict. 'geometry' is a boundary saved from an
	// edit session: keeping mine overwrites their boundary, so it is its own
	// explicit choice beside editing again on top of theirs. The others
	// ('attributes', 'split', 'retire', 'undo', 'shareEdge', 'platform')
	// apply my change to theirs.
	var CHOICES = {
		geometry: ['reload', 'overwrite', 'ontop'],
		other: ['reload', 'reapply']
	};

	// open(opts): opts.app, opts.entity ('zone'|'platform'), opts.kind (see
	// CHOICES), opts.name, opts.baseVersion, opts.current (their feature or
	// platform), opts.mineGeometry (optional), opts.diff ([{label, mine,
	// theirs}]), opts.canKeep (closing keeps the session open), opts.canOntop
	// (offer editing on top of theirs). Resolves to the chosen value
	// ('reload', 'reapply', 'overwrite', 'ontop') or null when closed.
	function open(opts) {
		var t = wanmu.i18n.t;
		var app = opts.app;
		var kind = opts.kind || 'platform';
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
			return h('tr', { dataset: { field: d.field || '' } },
				h('th', { text: d.label }),
				h('td', { className: 'mine' + (d.kept ? ' kept' : ''), text: d.mine }),
				h('td', { className: 'theirs', text: d.theirs }));
		});
		measureMine(opts, rows);
		var values = (CHOICES[kind] || CHOICES.other).filter(function (v) { return v !== 'ontop' || opts.canOntop; });
		var choices = values.map(function (v) {
			// Each text starts with its button's words, then says what it does.
			return h('li', { dataset: { choice: v }, text: t(specific('conflict.do.' + v, kind)) });
		});
		var body = h('div', { className: 'conflict-body' },
			h('p', { className: 'dialog-text', text: t('conflict.text', { name: opts.name, v: opts.baseVersion, cur: theirVersion }) }),
			h('p', { className: 'dialog-text muted', text: t('conflict.by', { who: cp.updated_by || '—', at: wanmu.i18n.datetime(cp.updated_at) }) }),
			h('div', { className: 'legend-row' },
				h('span', { className: 'swatch line', style: { 'border-color': wanmu.style.mine.color } }), h('span', { i18n: 'conflict.mine' }),
				h('span', { className: 'swatch line dashed', style: { 'border-color': wanmu.style.theirs.color } }), h('span', { i18n: 'conflict.theirs' })),
			rows.length ? h('table', { className: 'diff' },
				h('thead', null, h('tr', null, h('th', { i18n: 'conflict.field' }), h('th', { i18n: 'conflict.mine' }), h('th', { i18n: 'conflict.theirs' }))),
				h('tbody', null, rows)) : null,
			h('p', { className: 'dialog-text', i18n: 'conflict.choices' }),
			h('ul', { className: 'conflict-choices' }, choices));
		var buttons = values.map(function (v, i) {
			return { label: label(v, kind), value: v, kind: v === 'overwrite' ? 'danger' : (i === values.length - 1 ? 'primary' : '') };
		});
		var d = new wanmu.Dialog({
			title: 'conflict.title', body: body, modal: false, className: 'conflict', buttons: buttons,
			onClose: function () { app.compare.clearLayers(); }
		});
		return d.open();
	}

	// measureMine puts my boundary's area beside theirs: the live figure may
	// not have answered when the planner saved, so the dialog asks the
	// server's /measure (the same ellipsoidal area theirs is stored with).
	function measureMine(opts, rows) {
		var i = (opts.diff || []).map(function (d) { return d.field === 'geometry' && !d.kept; }).indexOf(true);
		if (i < 0 || !opts.mineGeometry) {
			return;
		}
		var cell = rows[i].querySelector('td.mine');
		wanmu.api.send('POST', '/measure', opts.mineGeometry, { quiet401: true }).then(function (r) {
			if (r.data && r.data.valid) {
				cell.textContent = wanmu.i18n.t('conflict.boundaryMine', { area: wanmu.units.area(r.data.area_mu) });
			}
		}, function () { /* the row keeps "my boundary (blue)" */ });
	}

	function label(v, kind) {
		return specific('conflict.btn.' + v, kind);
	}

	// specific is key.kind when the table has it, else key.
	function specific(key, kind) {
		return wanmu.i18n.has(key + '.' + kind) ? key + '.' + kind : key;
	}

	wanmu.ConflictDialog = { open: open };
})(window.wanmu = window.wanmu || {});
