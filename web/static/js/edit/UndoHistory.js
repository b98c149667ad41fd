// UndoHistory.js: the planner's undo and redo, kept by the server per user
// (GET/POST /api/v1/undo, /redo) from the revision history. So they cover
// every operation — drawn, edited, merged, split, retired, platforms and
// memberships, imports — survive a reload, and agree between tabs. The page
// only shows the stacks and asks for the next step, naming the operation
// it showed (a tab that is behind is told so instead of undoing another).
(function (wanmu) {
	'use strict';

	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	function UndoHistory(app) {
		wanmu.Emitter.call(this);
		this.app = app;
		this.undoStack = []; // newest first, as the server lists them
		this.redoStack = [];
		this.busy = false;
		this.stale = true; // until the stacks are read after the latest change
		this._seq = 0;
		// Every write ends in a 'zones' or 'platforms' event: the stacks
		// follow, a little later, in one request. Until then undo and redo
		// wait, so that the button never offers the step before last.
		this.refresh = wanmu.dom.debounce(this.load.bind(this), 150);
		app.on('zones', this._changed, this);
		app.on('platforms', this._changed, this);
	}
	UndoHistory.prototype = Object.create(wanmu.Emitter.prototype);

	UndoHistory.prototype._changed = function () {
		if (!this.stale) {
			this.stale = true;
			this.fire('change');
		}
		this.refresh();
	};

	// load reads the stacks (editors and administrators only).
	UndoHistory.prototype.load = function () {
		var self = this, seq = ++this._seq;
		if (!this.app.editor.canEdit()) {
			return Promise.resolve();
		}
		return wanmu.api.get('/undo').then(function (r) {
			if (seq === self._seq) {
				self.undoStack = r.undo || [];
				self.redoStack = r.redo || [];
				self.stale = false;
				self.fire('change');
			}
		}, function () {
			// Offline or signed out: the stacks stay as they were.
		});
	};

	UndoHistory.prototype.canUndo = function () { return !this.busy && !this.stale && this.undoStack.length > 0; };
	UndoHistory.prototype.canRedo = function () { return !this.busy && !this.stale && this.redoStack.length > 0; };
	UndoHistory.prototype.undoLabel = function () { return label(this.undoStack[0]); };
	UndoHistory.prototype.redoLabel = function () { return label(this.redoStack[0]); };

	UndoHistory.prototype.undo = function () { return this._step('undo'); };
	UndoHistory.prototype.redo = function () { return this._step('redo'); };

	UndoHistory.prototype._step = function (which) {
		var self = this, app = this.app;
		var top = (which === 'undo' ? this.undoStack : this.redoStack)[0];
		if (!top || this.busy) {
			return Promise.resolve();
		}
		var what = label(top);
		this.busy = true;
		this.fire('change');
		return wanmu.api.send('POST', '/' + which, { op: top.op, reason: t('undo.reason') }).then(function (r) {
			var res = r.data || {};
			((res.zones && res.zones.features) || []).forEach(function (f) {
				if (f.properties.retired_at) {
					app.zoneRetired(f.properties.id);
				} else {
					app.zoneChanged(f);
				}
			});
			// A layer's load or switch taken back: the list says which are
			// counted, and every platform's figure moved.
			var layers = (res.layers || []).length ? wanmu.api.get('/layers').then(function (r) { app.setLayers(r.layers || []); return app.refreshPlatforms(); }) : null;
			return (layers || ((res.platforms || []).length ? app.refreshPlatforms() : Promise.resolve())).then(function () {
				// Memberships the operation changed back: the platforms say.
				(res.platforms || []).forEach(function (pid) {
					var p = app.platformById(pid);
					var now = p ? p.zone_ids || [] : [];
					var was = app.zones.features().filter(function (f) { return f.properties.platform_id === pid; })
						.map(function (f) { return f.properties.id; });
					app.setZonePlatform(was.filter(function (id) { return now.indexOf(id) < 0; }), null);
					if (p) {
						app.setZonePlatform(now, p);
					}
				});
				if (app.activePlatformId && (layers || (res.platforms || []).indexOf(app.activePlatformId) >= 0)) {
					return app.platformPanel.refresh();
				}
			}).then(function () {
				wanmu.notify(t(which === 'undo' ? 'undo.done' : 'redo.done', { what: what }), 'ok');
			});
		}).catch(function (err) {
			var p = (err && err.problem) || {};
			if (/undo-conflict$/.test(p.type || '')) {
				wanmu.notify(t('undo.conflict', { what: what, by: p.changed_by || t('history.unknownActor') }), 'warn');
			} else if (/undo-moved-on$/.test(p.type || '')) {
				wanmu.notify(t('undo.movedOn'), 'warn');
			} else {
				wanmu.notifyError(err, t(which === 'undo' ? 'undo.failed' : 'redo.failed'));
			}
		}).then(function () {
			self.busy = false;
			return self.load();
		});
	};

	// label names an operation by its main change: what was done, to what.
	function label(op) {
		if (!op || !op.changes || !op.changes.length) {
			return '';
		}
		// An undo or a redo is named by the write it takes back in the end.
		var changes = op.origin && op.origin.length ? op.origin : op.changes;
		var main = changes.filter(function (c) { return !/^member_|^merged_into$/.test(c.action); })[0] || changes[0];
		var action = wanmu.i18n.tOr('action.rev.' + main.action, main.action);
		var more = changes.length > 1 ? ' ' + t('undo.more', { n: changes.length - 1 }) : '';
		return action + ' ' + main.name + more;
	}

	wanmu.UndoHistory = UndoHistory;
})(window.wanmu = window.wanmu || {});
