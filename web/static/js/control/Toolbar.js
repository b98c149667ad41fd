// Toolbar.js: the tool strip over the map. Selection tools for everyone;
// drawing and editing tools only for editors and administrators (a viewer
// never sees them). Buttons enable themselves from the selection: edit tools
// need one zone, merge needs two or more.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;

	// Tools: name, icon, message key, group, and when it is enabled.
	var TOOLS = [
		{ name: 'select', icon: 'select', group: 'select' },
		{ name: 'box', icon: 'box', group: 'select' },
		{ name: 'draw', icon: 'draw', group: 'geometry', edit: true },
		{ name: 'vertex', icon: 'vertex', group: 'geometry', edit: true, one: true },
		{ name: 'drag', icon: 'drag', group: 'geometry', edit: true, one: true },
		{ name: 'cut', icon: 'cut', group: 'geometry', edit: true, one: true },
		{ name: 'split', icon: 'split', group: 'geometry', edit: true, one: true },
		{ name: 'attributes', icon: 'attributes', group: 'feature', edit: true, one: true },
		{ name: 'merge', icon: 'merge', group: 'feature', edit: true, two: true },
		{ name: 'retire', icon: 'retire', group: 'feature', edit: true, one: true },
		{ name: 'undo', icon: 'undo', group: 'history', edit: true },
		{ name: 'redo', icon: 'redo', group: 'history', edit: true }
	];

	function Toolbar(app) {
		this.app = app;
		this.buttons = {};
		var groups = {};
		var self = this;
		this.el = h('div', { className: 'wanmu-toolbar', attrs: { role: 'toolbar' } });
		TOOLS.forEach(function (tool) {
			if (tool.edit && !app.editor.canEdit()) {
				return;
			}
			if (!groups[tool.group]) {
				groups[tool.group] = h('div', { className: 'tool-group' });
				self.el.appendChild(groups[tool.group]);
			}
			var label = h('span', { className: 'tool-label', i18n: 'tool.' + tool.name });
			var b = h('button', {
				className: 'tool', attrs: { type: 'button', 'data-tool': tool.name },
				i18nTitle: 'tool.' + tool.name + '.help', on: { click: function () { self._click(tool.name); } }
			}, wanmu.icon(tool.icon), label);
			self.buttons[tool.name] = b;
			groups[tool.group].appendChild(b);
		});
		L.DomEvent.disableClickPropagation(this.el);
		L.DomEvent.disableScrollPropagation(this.el);
		app.mapEl.appendChild(this.el);
		app.selection.on('change', this.update, this);
		app.editor.on('change', this.update, this);
		app.on('permissions', this.update, this); // the plan's owner is known
		wanmu.i18n.on('langchange', this.update, this);
		this.update();
	}

	Toolbar.prototype._click = function (name) {
		var ed = this.app.editor;
		switch (name) {
		case 'select':
		case 'box':
			ed.setMode(name);
			break;
		case 'draw':
			ed.startDraw();
			break;
		case 'vertex':
		case 'drag':
		case 'cut':
			ed.startEdit(name);
			break;
		case 'split':
			ed.startSplit();
			break;
		case 'attributes':
			ed.editAttributes();
			break;
		case 'merge':
			ed.merge();
			break;
		case 'retire':
			ed.retire();
			break;
		case 'undo':
			ed.undo();
			break;
		case 'redo':
			ed.redo();
			break;
		}
	};

	Toolbar.prototype.update = function () {
		var n = this.app.selection.count();
		var ed = this.app.editor;
		// A county-limited editor: tools only where the server would accept
		// the write (core/permissions.js); the title says why not.
		var P = wanmu.permissions;
		var fs = this.app.selection.features();
		var here = P.mayWriteHere();
		var mine = P.mayEditZones(fs.map(function (f) { return f.properties; }));
		var why = P.draftNote() || (n && !mine ? fs.map(function (f) { return P.zoneNote(f.properties); }).filter(Boolean)[0] : null);
		TOOLS.forEach(function (tool) {
			var b = this.buttons[tool.name];
			if (!b) {
				return;
			}
			var on = !tool.edit || here;
			if (tool.one) {
				on = n === 1 && mine;
			}
			if (tool.two) {
				on = n >= 2 && mine;
			}
			if (tool.edit && !tool.name.match(/^(undo|redo)$/)) {
				b.title = !on && why ? why : wanmu.i18n.t('tool.' + tool.name + '.help');
			}
			if (tool.name === 'undo') {
				on = here && ed.canUndo();
				b.title = on ? wanmu.i18n.t('tool.undo.what', { what: ed.history.undoLabel() }) : wanmu.i18n.t('tool.undo.help');
			}
			if (tool.name === 'redo') {
				on = here && ed.canRedo();
				b.title = on ? wanmu.i18n.t('tool.redo.what', { what: ed.history.redoLabel() }) : wanmu.i18n.t('tool.redo.help');
			}
			b.disabled = !on || ed.busy;
			var active = ed.mode === tool.name;
			L.DomUtil[active ? 'addClass' : 'removeClass'](b, 'active');
			b.setAttribute('aria-pressed', active ? 'true' : 'false');
		}, this);
	};

	wanmu.Toolbar = Toolbar;
})(window.wanmu = window.wanmu || {});
