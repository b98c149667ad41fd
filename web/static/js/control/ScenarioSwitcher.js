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
		this.adopted = []; // plans that became the official data, latest first
		this._open = false;
		document.body.classList.toggle('in-scenario', this.id > 0);
		if (this.id > 0) { // imports go into the official data only, for now
			['btn-import'].forEach(function (b) {
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
		wanmu.api.request('GET', '/scenarios', { query: { scenario: 0, state: 'adopted' }, quiet401: true }).then(function (res) {
			self.adopted = (res.data && res.data.scenarios) || [];
			self.render();
		}, function () { /* the drafts' request below says what is wrong */ });
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
			self.app.fire('permissions'); // a county-limited editor writes only in their county's draft
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
		var label = this.id > 0 ? t('scenario.in', { name: cur ? cur.name : '#' + this.id }) + owner(cur) : t('scenario.official');
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
			rows.push(self._row(s.id, s.name + owner(s), t('scenario.meta', { at: wanmu.i18n.datetime(s.base_at), by: s.created_by || '—' })));
		});
		var menu = h('div', { className: 'scenario-menu', attrs: { role: 'menu' } }, rows);
		if (this.adopted.length) { // the record: which plan became official, when, by whom
			menu.appendChild(h('details', { className: 'scenario-adopted' },
				h('summary', { text: t('scenario.adoptedList', { n: this.adopted.length }) }),
				h('ul', {}, this.adopted.map(function (s) {
					return h('li', { attrs: { 'data-adopted-id': String(s.id) } }, h('span', { text: s.name }),
						h('small', { className: 'muted', text: ' ' + t('scenario.adoptedMeta', { at: wanmu.i18n.datetime(s.adopted_at), by: s.adopted_by || '—' }) }));
				}))));
		}
		var cur = this.current, u = this.app.user;
		var action = function (key, name, fn) {
			return h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': name }, on: { click: fn } }, t(key));
		};
		var actions = [];
		if (this.list.length) {
			actions.push(action('scenario.compare', 'compare-scenarios', function () {
				self._setOpen(false);
				wanmu.CompareDialog.open(self.list, self.id);
			}));
		}
		if (cur && wanmu.permissions.mayWriteHere()) {
			actions.push(action('scenario.rebase', 'rebase-scenario', function () { self._setOpen(false); self._settle('rebase', {}); }));
		}
		if (cur && u && u.role === 'admin') {
			actions.push(action('scenario.adopt', 'adopt-scenario', function () { self._setOpen(false); self._settle('adopt', {}); }));
		}
		if (actions.length) {
			menu.appendChild(h('div', { className: 'scenario-actions' }, actions));
		}
		if (this.app.editor && this.app.editor.canEdit()) {
			menu.appendChild(this._createForm());
		}
		if (cur && u && (u.role === 'admin' || u.name === cur.created_by)) {
			menu.appendChild(h('button', { className: 'btn btn-small btn-danger', attrs: { type: 'button', 'data-action': 'retire-scenario' },
				on: { click: function () { self._retire(cur); } } }, t('scenario.retire')));
		}
		return menu;
	};

	// owner names a county's draft ("（青田县方案）"; nothing for the city's).
	function owner(s) {
		var o = wanmu.permissions.ownerLabel(s);
		return o ? t('perm.ownerParen', { owner: o }) : '';
	}

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

	// _settle adopts the plan as the official data or brings it up to date
	// (kind 'adopt' | 'rebase'). Rows both sides changed come back as
	// conflicts: the planner chooses for each, and it is asked again.
	ScenarioSwitcher.prototype._settle = function (kind, choices) {
		var self = this, cur = this.current;
		var ask = Object.keys(choices).length ? Promise.resolve({ reason: '' }) :
			wanmu.Dialog.confirm({ title: 'scenario.' + kind + 'Title', text: t('scenario.' + kind + 'Text', { name: cur.name }), ok: 'scenario.' + kind, withReason: kind === 'adopt' });
		ask.then(function (ok) {
			if (!ok) {
				return;
			}
			wanmu.api.request('POST', '/scenarios/' + cur.id + '/' + kind, { body: { choices: choices, reason: ok.reason || '' }, ifMatch: cur.version, query: { scenario: 0 } })
				.then(function (res) {
					var r = res.data;
					if (kind === 'adopt') {
						wanmu.notify(t('scenario.adopted', { name: cur.name, c: r.created, u: r.updated, r: r.retired }), 'ok');
						self.go(0);
					} else {
						wanmu.notify(t('scenario.rebased', { a: r.added, u: r.updated, r: r.retired }), 'ok');
						self.go(cur.id);
					}
				}, function (err) {
					var cs = err.problem && err.problem.conflicts;
					if (err.status === 409 && cs && cs.length) {
						self._choose(kind, cs, choices);
					} else {
						wanmu.notifyError(err);
					}
				});
		});
	};

	// _choose lists the conflicts, each with the two versions to keep.
	ScenarioSwitcher.prototype._choose = function (kind, conflicts, choices) {
		var self = this;
		var rows = conflicts.map(function (c) {
			var key = c.entity + ':' + c.official_id;
			var radio = function (value, label) {
				var r = h('input', { type: 'radio', name: key, checked: choices[key] === value, attrs: { value: value, 'data-conflict': key } });
				return h('label', {}, r, h('span', { text: label }));
			};
			return h('tr', {},
				h('td', { text: t('scenario.conflictEntity.' + c.entity) + ' ' + c.name }),
				h('td', { text: t('scenario.conflictState', { official: t('scenario.state.' + c.official), scenario: t('scenario.state.' + c.scenario) }) }),
				h('td', {}, radio('scenario', t('scenario.keepScenario')), radio('official', t('scenario.keepOfficial'))));
		});
		var body = h('div', {}, h('p', { className: 'dialog-text', text: t('scenario.conflictsText', { n: conflicts.length }) }),
			h('table', { className: 'data scenario-conflicts' }, h('tbody', {}, rows)));
		var pick = function () { // the choices so far, and the conflicts still without one
			var picked = L.Util.extend({}, choices);
			var missing = conflicts.filter(function (c) {
				var key = c.entity + ':' + c.official_id;
				var r = body.querySelector('input[data-conflict="' + key + '"]:checked');
				if (r) {
					picked[key] = r.value;
				}
				return !r;
			});
			return { picked: picked, missing: missing };
		};
		var d = new wanmu.Dialog({
			title: 'scenario.conflictsTitle', body: body, className: 'scenario-conflicts-dialog',
			buttons: [
				{ label: 'action.cancel', value: null },
				{ label: 'scenario.conflictsMap', value: 'map', action: function () {
					self._showConflicts(kind, conflicts, pick().picked);
				} },
				{ label: 'scenario.' + kind, kind: 'primary', value: 'go', action: function () {
					var p = pick(), picked = p.picked, missing = p.missing;
					if (missing.length) {
						throw new Error(t('scenario.chooseAll', { n: missing.length }));
					}
					self._settle(kind, picked);
				} }
			]
		});
		d.open();
	};

	// _showConflicts draws both versions of the conflicting zones (and of the
	// zones of conflicting platforms) on the map, the official one first,
	// with a way back to the choices made so far.
	ScenarioSwitcher.prototype._showConflicts = function (kind, conflicts, choices) {
		var self = this, zones = {}, platforms = {};
		conflicts.forEach(function (c) {
			if (c.entity === 'zone') {
				zones[c.official_id] = zones[c.copy_id] = true;
			} else {
				platforms[c.name] = true;
			}
		});
		this.app.diff.show(0, this.current.id, {
			title: t('scenario.conflictsMapTitle'),
			only: function (p) { return zones[p.zone_id] || platforms[p.platform]; },
			back: { label: t('scenario.conflictsBack'), fn: function () { self._choose(kind, conflicts, choices); } }
		});
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
