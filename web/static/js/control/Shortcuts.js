// Shortcuts.js: single-key shortcuts for every tool, and the "?" help that
// lists them. A tool's shortcut presses its toolbar button, so a shortcut
// does exactly what the button does and nothing a disabled or hidden (viewer)
// button would not. Keys never fire while typing or while a dialog is open.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;

	// The list shown under "?": keys as shown, message key of the action, and
	// what it does (run(app)); entries without run are handled elsewhere
	// (Editor.js: Esc, Enter, Ctrl+Z/Y) and only listed here.
	function list() {
		var tool = function (name) {
			return function (app) {
				var b = app.toolbar && app.toolbar.buttons[name];
				if (b && !b.disabled) {
					b.click();
				}
			};
		};
		var measure = function (mode) {
			return function (app) { app.measure.toggle(mode); };
		};
		var panel = function (side) {
			return function (app) { app.panelToggle.toggle(side); };
		};
		return [
			{ group: 'shortcuts.group.select', items: [
				{ keys: ['S'], label: 'tool.select', run: tool('select') },
				{ keys: ['B'], label: 'tool.box', run: tool('box') },
				{ keys: ['Z'], label: 'shortcuts.zoomSelection', run: function (app) {
					if (app.selection.count()) {
						app.zoomToZones(app.selection.ids());
					}
				} }
			] },
			{ group: 'shortcuts.group.edit', edit: true, items: [
				{ keys: ['N'], label: 'tool.draw', run: tool('draw') },
				{ keys: ['V'], label: 'tool.vertex', run: tool('vertex') },
				{ keys: ['M'], label: 'tool.drag', run: tool('drag') },
				{ keys: ['H'], label: 'tool.cut', run: tool('cut') },
				{ keys: ['K'], label: 'tool.split', run: tool('split') },
				{ keys: ['A'], label: 'tool.attributes', run: tool('attributes') },
				{ keys: ['J'], label: 'tool.merge', run: tool('merge') },
				{ keys: ['Delete'], label: 'tool.retire', run: tool('retire') },
				{ keys: ['Ctrl+Z'], label: 'tool.undo' },
				{ keys: ['Ctrl+Y', 'Ctrl+Shift+Z'], label: 'tool.redo' },
				{ keys: ['Enter'], label: 'shortcuts.finish' },
				{ keys: ['Esc'], label: 'shortcuts.cancel' }
			] },
			{ group: 'shortcuts.group.map', items: [
				{ keys: ['D'], label: 'measure.distance', run: measure('distance') },
				{ keys: ['R'], label: 'measure.area', run: measure('area') },
				{ keys: ['['], label: 'shortcuts.leftPanel', run: panel('left') },
				{ keys: [']'], label: 'shortcuts.rightPanel', run: panel('right') },
				{ keys: ['/'], label: 'shortcuts.search', run: function () {
					var s = document.getElementById('search');
					s.focus();
					s.select();
				} },
				{ keys: ['?'], label: 'shortcuts.show', run: function (app) { app.shortcuts.show(); } }
			] }
		];
	}

	// typing reports whether a key press belongs to a text field or dialog.
	function typing(e) {
		var el = e.target;
		var tag = el && el.tagName;
		return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (el && el.isContentEditable) ||
			!!document.querySelector('dialog[open]');
	}

	function Shortcuts(app) {
		var self = this;
		this.app = app;
		this.groups = list();
		this.byKey = {};
		this.groups.forEach(function (g) {
			g.items.forEach(function (it) {
				if (it.run) {
					it.keys.forEach(function (k) { self.byKey[k.length === 1 ? k.toLowerCase() : k] = it; });
				}
				// Screen readers announce a tool's key with its button.
				var b = app.toolbar && app.toolbar.buttons[it.label.replace(/^tool\./, '')];
				if (b && /^tool\./.test(it.label)) {
					b.setAttribute('aria-keyshortcuts', it.keys.join(' ').replace(/Ctrl/g, 'Control'));
				}
			});
		});
		document.addEventListener('keydown', function (e) { self._key(e); });
		// The "?" button in the top bar, before the user menu.
		var user = document.getElementById('user');
		this.button = h('button', {
			className: 'top-btn shortcuts-btn', text: '?', attrs: { type: 'button', id: 'btn-shortcuts' },
			i18nTitle: 'shortcuts.title', on: { click: function () { self.show(); } }
		});
		user.parentNode.insertBefore(this.button, user);
	}

	Shortcuts.prototype._key = function (e) {
		if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || e.defaultPrevented || typing(e)) {
			return;
		}
		var k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
		var it = this.byKey[k];
		if (it) {
			e.preventDefault();
			it.run(this.app);
		}
	};

	// show opens the list of shortcuts (ShortcutsDialog.js).
	Shortcuts.prototype.show = function () {
		return wanmu.ShortcutsDialog.open(this.groups, this.app.editor.canEdit());
	};

	wanmu.Shortcuts = Shortcuts;
})(window.wanmu = window.wanmu || {});
