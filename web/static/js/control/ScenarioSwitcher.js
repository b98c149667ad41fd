// ScenarioSwitcher.js: which state of the world the page shows — the
// official data (正式数据) or a consolidation plan (方案) drafted beside it —
// always visible in the top bar, and the way to switch, start a plan from
// the official data as it stands, or retire one. The page works in one
// scenario at a time: it is in the address (?scenario=ID), so a reload or a
// shared link stays in the plan, and every API request carries it (core/api.js).
// Switching reloads the page: nothing of one scenario lingers in another.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	function ScenarioSwitcher(app, el) {
		this.app = app;
		this.el = el;
		this.id = wanmu.api.scenario();
		this.current = null; // the scenario when in one
		this.list = [];
		this._open = false;
		document.body.classList.toggle('in-scenario', this.id > 0);
		if (this.id > 0) { // files in and out are the official data's only, for now
			['btn-import', 'btn-export'].forEach(function (b) {
				var el = document.getElementById(b);
				if (el) {
					el.disabled = true;
					el.title = t('scenario.noFiles');
				}
			});
		}
		wanmu.i18n.on('langchange', this.render, this);
		var self = this;
		document.addEventListener('click', function (e) {
			// (A click on the switcher itself re-renders it: its target is
			// then detached, not outside.)
			if (self._open && e.target.isConnected && !self.el.contains(e.target)) {
				self._setOpen(false);
			}
		});
		this.render();
		this.load();
	}

	// load reads the scenarios; a scenario in the address that no longer
	// exists sends the page back to the official data, saying why.
	ScenarioSwitcher.prototype.load = function () {
		var self = this;
		return wanmu.api.request('GET', '/scenarios', { query: { scenario: 0 }, quiet401: true }).then(function (res) {
			self.list = (res.data && res.data.scenarios) || [];
			self.current = null;
			self.list.forEach(function (s) {
				if (s.id === self.id) {
					self.current = s;
				}
			});
			if (self.id > 0 && !self.current) {
				wanmu.notify(t('scenario.gone', { id: self.id }), 'error');
				self.go(0);
				return;
			}
			self.render();
		}, function () { /* signed out or offline: the page says so elsewhere */ });
	};

	// go opens the page in scenario id (0: the official data).
	ScenarioSwitcher.prototype.go = function (id) {
		var u = new URL(window.location.href);
		if (id > 0) {
			u.searchParams.set('scenario', String(id));
		} else {
			u.searchParams.delete('scenario');
		}
		window.location.assign(u.toString());
	};

	ScenarioSwitcher.prototype._setOpen = function (open) {
		this._open = open;
		this.render();
	};

	ScenarioSwitcher.prototype.render = function () {
		var self = this, cur = this.current;
		wanmu.dom.clear(this.el);
		var label = this.id > 0 ? t('scenario.in', { name: cur ? cur.name : '#' + this.id }) : t('scenario.official');
		var button = h('button', {
			className: 'scenario-button' + (this.id > 0 ? ' draft' : ''),
			attrs: { type: 'button', 'aria-haspopup': 'true', 'aria-expanded': String(this._open), 'data-scenario': String(this.id) },
			on: { click: function () { self._setOpen(!self._open); } }
		}, label);
		if (cur) {
			button.title = t('scenario.base', { at: wanmu.i18n.datetime(cur.base_at) });
		}
		this.el.appendChild(button);
		if (this._open) {
			this.el.appendChild(this._menu());
		}
	};

	ScenarioSwitcher.prototype._menu = function () {
		var self = this;
		var rows = [this._row(0, t('scenario.official'), t('scenario.officialHelp'))];
		this.list.forEach(function (s) {
			rows.push(self._row(s.id, s.name, t('scenario.meta', { at: wanmu.i18n.datetime(s.base_at), by: s.created_by || '—' })));
		});
		var menu = h('div', { className: 'scenario-menu', attrs: { role: 'menu' } }, rows);
		if (this.app.editor && this.app.editor.canEdit()) {
			menu.appendChild(this._createForm());
		}
		var cur = this.current, u = this.app.user;
		if (cur && u && (u.role === 'admin' || u.name === cur.created_by)) {
			menu.appendChild(h('button', { className: 'btn btn-small btn-danger', attrs: { type: 'button', 'data-action': 'retire-scenario' },
				on: { click: function () { self._retire(cur); } } }, t('scenario.retire')));
		}
		return menu;
	};

	ScenarioSwitcher.prototype._row = function (id, name, meta) {
		var self = this;
		return h('button', {
			className: 'scenario-item' + (id === this.id ? ' current' : ''),
			attrs: { type: 'button', role: 'menuitemradio', 'aria-checked': String(id === this.id), 'data-scenario-id': String(id) },
			on: { click: function () { if (id !== self.id) { self.go(id); } else { self._setOpen(false); } } }
		}, h('span', { className: 'scenario-name' }, name), h('small', { className: 'muted' }, meta));
	};

	ScenarioSwitcher.prototype._createForm = function () {
		var self = this;
		var name = h('input', { attrs: { type: 'text', name: 'scenario-name', maxlength: '200', placeholder: t('scenario.namePlaceholder') } });
		var error = h('div', { className: 'dialog-error', attrs: { 'aria-live': 'polite' } });
		var submit = h('button', { className: 'btn btn-small btn-primary', attrs: { type: 'submit' } }, t('scenario.create'));
		return h('form', {
			className: 'scenario-create',
			on: {
				submit: function (e) {
					e.preventDefault();
					if (!name.value.trim()) {
						error.textContent = t('scenario.nameRequired');
						return;
					}
					submit.disabled = true;
					error.textContent = t('scenario.creating');
					wanmu.api.request('POST', '/scenarios', { body: { name: name.value.trim() }, query: { scenario: 0 } }).then(function (res) {
						self.go(res.data.id);
					}, function (err) {
						submit.disabled = false;
						error.textContent = err.describe() + (err.message ? '：' + err.message : '');
					});
				}
			}
		}, h('label', {}, h('span', {}, t('scenario.new')), name), h('small', { className: 'muted' }, t('scenario.newHelp')), submit, error);
	};

	ScenarioSwitcher.prototype._retire = function (cur) {
		var self = this;
		wanmu.Dialog.confirm({ title: 'scenario.retireTitle', text: t('scenario.retireText', { name: cur.name }), ok: 'scenario.retire', danger: true })
			.then(function (ok) {
				if (!ok) {
					return;
				}
				wanmu.api.request('DELETE', '/scenarios/' + cur.id, { ifMatch: cur.version, query: { scenario: 0 } }).then(function () {
					self.go(0);
				}, function (err) {
					wanmu.notifyError(err);
				});
			});
	};

	wanmu.ScenarioSwitcher = ScenarioSwitcher;
})(window.wanmu = window.wanmu || {});
