// ShortcutsDialog.js: the "?" help, a table of every shortcut by group
// (Shortcuts.js holds the list). Editing shortcuts are listed to editors only.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;

	function open(groups, canEdit) {
		var body = h('div', { className: 'shortcuts' }, groups.filter(function (g) { return !g.edit || canEdit; }).map(function (g) {
			return h('section', null,
				h('h3', { i18n: g.group }),
				h('table', null, h('tbody', null, g.items.map(function (it) {
					return h('tr', { dataset: { action: it.label } },
						h('td', { className: 'keys' }, it.keys.map(function (k) { return h('kbd', { text: k }); })),
						h('td', { i18n: it.label }));
				}))));
		}));
		return new wanmu.Dialog({
			title: 'shortcuts.title', className: 'shortcuts-dialog', body: body,
			buttons: [{ label: 'action.close', value: null }]
		}).open();
	}

	wanmu.ShortcutsDialog = { open: open };
})(window.wanmu = window.wanmu || {});
