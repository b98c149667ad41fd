// DetailPanel.js: the right-hand panel's feature tab — one selected zone with
// its figures and history (who, when, why; any past version drawn beside the
// current one; restore for administrators), or a summary of a multiple
// selection with the actions that apply to it.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	function DetailPanel(app, el) {
		this.app = app;
		this.el = el;
		this._history = null;     // {id, revisions}
		this._shownRev = null;
		this._retired = null;     // a retired zone shown on demand (a Feature)
		this._retiredList = null; // retired zones found by the search
		this._names = {};         // id → name of zones named by a link
		this._developable = new wanmu.ZoneDevelopable(app, this.render.bind(this)); // the zone's own developable area
		app.selection.on('change', this._selectionChanged, this);
		app.on('zones', this.render, this);
		app.on('platforms', this.render, this);
		app.on('permissions', this.render, this);
		wanmu.i18n.on('langchange', this.render, this);
		wanmu.units.on('unitchange', this.render, this);
		this.render();
	}

	DetailPanel.prototype._selectionChanged = function () {
		var ids = this.app.selection.ids();
		if (ids.length) {
			this._retired = null;
			this._retiredList = null;
		}
		if (!(ids.length === 1 && this._history && this._history.id === ids[0])) {
			this._history = null;
			this._shownRev = null;
			this.app.compare.clearLayers();
		}
		this.render();
		if (ids.length === 1) {
			this.loadHistory(ids[0]);
		}
	};

	DetailPanel.prototype.render = function () {
		var fs = this.app.selection.features();
		wanmu.dom.clear(this.el);
		if (!fs.length && this._retired) {
			this.el.appendChild(this._retiredZone(this._retired));
		} else if (!fs.length && this._retiredList) {
			this.el.appendChild(this._retiredResults(this._retiredList));
		} else if (!fs.length) {
			this.el.appendChild(this._empty());
		} else if (fs.length === 1) {
			this.el.appendChild(this._zone(fs[0]));
		} else {
			this.el.appendChild(this._multi(fs));
		}
	};

	DetailPanel.prototype._empty = function () {
		var sum = this.app.zoneSummary || {};
		var counts = { park: (sum.by_kind || {}).park || 0, township: (sum.by_kind || {}).township || 0, area: (sum.area_m2 || 0) / wanmu.units.M2_PER_MU };
		return h('div', { className: 'empty-state' },
			h('div', { className: 'empty-title', i18n: 'detail.emptyTitle' }),
			h('ul', { className: 'hints' },
				h('li', { i18n: 'detail.hintClick' }),
				h('li', { i18n: 'detail.hintShift' }),
				h('li', { i18n: 'detail.hintBox' }),
				wanmu.permissions.mayWriteHere() ? h('li', { i18n: 'detail.hintDraw' }) : null),
			h('dl', { className: 'kv compact' },
				h('dt', { i18n: 'kind.park' }), h('dd', { text: t('count.n', { n: counts.park }) }),
				h('dt', { i18n: 'kind.township' }), h('dd', { text: t('count.n', { n: counts.township }) }),
				h('dt', { i18n: 'detail.totalArea' }), h('dd', { text: wanmu.units.area(counts.area) })));
	};

	DetailPanel.prototype._zone = function (f) {
		var p = f.properties, app = this.app, self = this;
		var canEdit = wanmu.permissions.mayEditZone(p);
		var dispColor = p.kind === 'park' ? wanmu.style.park.fill : wanmu.style.dispositionColor[p.disposition];
		var platform = p.platform_id ? app.platformById(p.platform_id) : null;
		var head = h('div', { className: 'detail-head' },
			h('div', { className: 'detail-kicker' },
				h('span', { className: 'chip', text: t('kind.' + p.kind) }),
				h('span', { className: 'chip chip-color', style: { background: dispColor }, text: t('disp.' + p.disposition) })),
			h('h3', { className: 'detail-title', text: p.name }),
			h('div', { className: 'detail-area' },
				h('span', { className: 'big', attrs: { 'data-field': 'area' }, text: wanmu.units.area(p.area_mu) }),
				h('span', { className: 'muted', text: ' ' + secondArea(p.area_mu) })));
		var attrs = p.attributes || {};
		var attrRows = Object.keys(attrs).filter(function (k) { return k !== 'merged_from' && k !== 'split_from' && k !== 'merge_conflicts'; }).map(function (k) {
			var v = attrs[k];
			return [h('dt', { text: k }), h('dd', { text: typeof v === 'object' ? JSON.stringify(v) : String(v) })];
		});
		attrRows = this._provenanceRows(p).concat(attrRows);
		var platformLink = platform ? h('a', {
			href: '#', text: platform.name, className: 'link',
			on: { click: function (e) { e.preventDefault(); app.showPlatform(platform.id); } }
		}) : h('span', { className: 'muted', i18n: 'detail.noPlatform' });
		var kv = h('dl', { className: 'kv' },
			h('dt', { i18n: 'field.county' }), h('dd', { text: t('county.' + p.county_adcode) + ' (' + p.county_adcode + ')' }),
			h('dt', { i18n: 'field.platform' }), h('dd', null, platformLink),
			h('dt', { i18n: 'field.areaMu' }), h('dd', { className: 'num', text: wanmu.units.area(p.area_mu, { unit: 'mu' }) }),
			h('dt', { i18n: 'field.areaHa' }), h('dd', { className: 'num', text: wanmu.units.area(p.area_mu, { unit: 'ha' }) }),
			h('dt', { i18n: 'field.approvedHa' }), h('dd', { className: 'num', text: p.approved_area_ha === null || p.approved_area_ha === undefined ? '—' : wanmu.i18n.number(p.approved_area_ha, 2) + ' ' + t('unit.ha') }),
			h('dt', { i18n: 'field.documentNo' }), h('dd', { text: p.document_no || '—' }),
			h('dt', { i18n: 'field.version' }), h('dd', { text: 'v' + p.version }),
			h('dt', { i18n: 'field.updated' }), h('dd', { text: (p.updated_by || '—') + ' · ' + wanmu.i18n.datetime(p.updated_at) }),
			h('dt', { i18n: 'field.created' }), h('dd', { text: (p.created_by || '—') + ' · ' + wanmu.i18n.datetime(p.created_at) }),
			attrRows);
		var actions = h('div', { className: 'actions' },
			h('button', { className: 'btn btn-small', attrs: { type: 'button' }, on: { click: function () { app.zoomToZones([p.id]); } } }, wanmu.icon('target', 14), h('span', { i18n: 'action.zoomTo' })),
			canEdit ? h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'edit-attributes' }, on: { click: function () { app.editor.editAttributes(); } } }, wanmu.icon('attributes', 14), h('span', { i18n: 'tool.attributes' })) : null,
			canEdit && app.activePlatformId && p.platform_id !== app.activePlatformId ? h('button', {
				className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'add-to-platform' },
				on: { click: function () { app.platformPanel.addZones([p.id]); } }
			}, wanmu.icon('platform', 14), h('span', { text: t('detail.addTo', { name: (app.platformById(app.activePlatformId) || {}).name || '' }) })) : null);
		var hist = h('section', { className: 'history' },
			h('h4', null, wanmu.icon('history', 15), h('span', { i18n: 'history.title' })),
			this._historyList(p));
		return h('div', { className: 'detail', dataset: { zoneId: String(p.id) } }, head, wanmu.permissions.note(wanmu.permissions.zoneNote(p)), actions, this._developable.section(p), kv, hist);

		function secondArea(mu) {
			return wanmu.units.current() === 'mu' ? wanmu.units.area(mu, { unit: 'ha' }) : wanmu.units.area(mu, { unit: 'mu' });
		}
	};

	DetailPanel.prototype.loadHistory = function (id) {
		var self = this;
		return wanmu.api.get('/zones/' + id + '/history').then(function (res) {
			var shown = self._retired ? self._retired.properties.id : self.app.selection.ids()[0];
			if (shown !== id) {
				return;
			}
			self._history = { id: id, revisions: (res.revisions || []).slice().reverse() };
			self.render();
		}, function (err) {
			if (err.status !== 401) {
				self._history = { id: id, revisions: [], error: err };
				self.render();
			}
		});
	};

	DetailPanel.prototype._historyList = function (p) {
		var self = this, app = this.app;
		if (!this._history || this._history.id !== p.id) {
			return h('div', { className: 'muted', i18n: 'history.loading' });
		}
		if (this._history.error) {
			return h('div', { className: 'muted', text: this._history.error.describe() });
		}
		var canRestore = app.canRestore();
		return h('ol', { className: 'revisions' }, this._history.revisions.map(function (r, i) {
			var snap = r.after || r.before;
			var shown = self._shownRev === r.id;
			var isCurrent = i === 0 && r.after && !r.after.retired;
			return h('li', { className: 'revision' + (shown ? ' shown' : ''), dataset: { revision: String(r.id) } },
				h('div', { className: 'rev-head' },
					h('span', { className: 'rev-action', text: wanmu.i18n.tOr('action.rev.' + r.action, r.action) }),
					h('span', { className: 'rev-version', text: 'v' + r.version }),
					h('span', { className: 'rev-when', text: wanmu.i18n.datetime(r.at) })),
				h('div', { className: 'rev-who' }, h('span', { text: r.actor || t('history.unknownActor') }),
					r.reason ? h('span', { className: 'rev-reason', text: t('history.reason', { r: r.reason }) }) : null),
				snap && snap.area_m2 !== undefined ? h('div', { className: 'rev-area muted', text: wanmu.units.area(wanmu.units.fromM2(snap.area_m2)) + (snap.name && snap.name !== p.name ? ' · ' + snap.name : '') }) : null,
				h('div', { className: 'rev-actions' },
					snap && snap.geometry && !isCurrent ? h('button', {
						className: 'btn btn-tiny' + (shown ? ' active' : ''), attrs: { type: 'button', 'data-action': 'show-revision' },
						i18n: shown ? 'history.hide' : 'history.show',
						on: { click: function () { self._toggleRevision(r, p); } }
					}) : null,
					canRestore && !isCurrent && r.after && !r.after.retired ? h('button', {
						className: 'btn btn-tiny', attrs: { type: 'button', 'data-action': 'restore-revision' }, i18n: 'history.restore',
						on: { click: function () { self._restore(r, p); } }
					}) : null));
		}));
	};

	DetailPanel.prototype._toggleRevision = function (r, p) {
		var app = this.app;
		if (this._shownRev === r.id) {
			this._shownRev = null;
			app.compare.clearLayers();
		} else {
			this._shownRev = r.id;
			var snap = r.after && r.after.geometry ? r.after : r.before;
			app.compare.show(snap.geometry, wanmu.style.ghost, t('history.tag', { v: r.version, who: r.actor || '—', at: wanmu.i18n.datetime(r.at) }));
			var b = app.compare.bounds().extend(app.zones.boundsOf([p.id]));
			app.map.fitBounds(b, { padding: [60, 60], maxZoom: 16 });
		}
		this.render();
	};

	DetailPanel.prototype._restore = function (r, p) {
		var app = this.app, self = this;
		return wanmu.Dialog.confirm({
			title: 'history.restoreTitle', text: t('history.restoreText', { name: p.name, v: r.version }), ok: 'history.restore',
			action: function () {
				return app.editor.restoreRevision(p.id, r.id, p.version).then(function () {
					wanmu.notify(t('history.restored', { name: p.name, v: r.version }), 'ok');
					self._shownRev = null;
					app.compare.clearLayers();
					if (self._retired && self._retired.properties.id === p.id) {
						self._retired = null;
						app.selection.set([p.id]);
						app.zoomToZones([p.id]);
						return;
					}
					self.loadHistory(p.id);
				});
			}
		});
	};

	// _provenanceRows link a zone to the zones it came from (merge, split)
	// and a retired zone to what it became; conflicting attribute values a
	// merge kept are listed.
	DetailPanel.prototype._provenanceRows = function (p) {
		var self = this, attrs = p.attributes || {}, rows = [];
		var from = attrs.merged_from || (attrs.split_from ? [attrs.split_from] : null);
		if (from && from.length) {
			rows.push(h('dt', { i18n: attrs.merged_from ? 'detail.mergedFrom' : 'detail.splitFrom' }),
				h('dd', { attrs: { 'data-field': 'sources' } }, from.map(function (id, i) {
					return [i ? h('span', { text: '、' }) : null, self._zoneLink(id)];
				})));
		}
		if (p.split_into && p.split_into.length) { // every piece, not just the first merged_into names
			rows.push(h('dt', { i18n: 'detail.splitInto' }), h('dd', { attrs: { 'data-field': 'split-into' } }, p.split_into.map(function (id, i) {
				return [i ? h('span', { text: '、' }) : null, self._zoneLink(id)];
			})));
		} else if (p.merged_into) {
			rows.push(h('dt', { i18n: 'detail.mergedInto' }), h('dd', { attrs: { 'data-field': 'merged-into' } }, this._zoneLink(p.merged_into)));
		}
		var conflicts = attrs.merge_conflicts || {};
		Object.keys(conflicts).forEach(function (k) {
			rows.push(h('dt', { text: k }), h('dd', null,
				h('span', { text: String(attrs[k] === undefined ? '—' : typeof attrs[k] === 'object' ? JSON.stringify(attrs[k]) : attrs[k]) }),
				h('span', { className: 'muted', text: ' ' + t('detail.conflictValues', { values: conflicts[k].map(function (v) { return typeof v === 'object' ? JSON.stringify(v) : String(v); }).join(' / ') }) })));
		});
		return rows;
	};

	// _zoneLink names a zone (live or retired) and opens it when clicked.
	DetailPanel.prototype._zoneLink = function (id) {
		var self = this, app = this.app;
		var live = app.zones.feature(id);
		var name = live ? live.properties.name : this._names[id];
		if (!name && this._names[id] === undefined) {
			this._names[id] = null; // asked once
			wanmu.api.get('/zones/' + id).then(function (f) {
				self._names[id] = f.properties.name;
				self.render();
			}, function () {});
		}
		return h('a', {
			href: '#', className: 'link', dataset: { zoneLink: String(id) }, text: (name || t('detail.zoneN', { id: id })),
			on: { click: function (e) { e.preventDefault(); self.showZone(id); } }
		});
	};

	// showZone opens a zone by id: a live one is selected; a retired one is
	// shown in this panel with its outline on the map, what it became and
	// its history (restorable by those allowed to).
	DetailPanel.prototype.showZone = function (id) {
		var self = this, app = this.app;
		if (app.zones.feature(id)) {
			app.selection.set([id]);
			app.zoomToZones([id]);
			return Promise.resolve();
		}
		return wanmu.api.get('/zones/' + id).then(function (f) {
			if (!f.properties.retired_at) {
				app.zoneChanged(f);
				app.selection.set([id]);
				app.zoomToZones([id]);
				return;
			}
			app.selection.clear();
			self._retired = f;
			app.setTab('feature');
			app.compare.clearLayers();
			app.compare.show(f.geometry, wanmu.style.ghost, t('detail.retiredTag', { name: f.properties.name }));
			app.map.fitBounds(app.compare.bounds(), { padding: [60, 60], maxZoom: 16 });
			self.render();
			self.loadHistory(id);
		}, function (err) {
			wanmu.notifyError(err, t('detail.openFailed'));
		});
	};

	// showRetiredList lists retired zones found by the search.
	DetailPanel.prototype.showRetiredList = function (features) {
		this._retired = null;
		this._retiredList = features;
		this.app.selection.clear();
		this.app.setTab('feature');
		this.render();
	};

	DetailPanel.prototype._retiredResults = function (fs) {
		var self = this;
		return h('div', { className: 'detail retired-list' },
			h('div', { className: 'detail-head' },
				h('div', { className: 'detail-kicker' }, h('span', { className: 'chip chip-retired', i18n: 'detail.retired' })),
				h('h3', { className: 'detail-title', text: t('detail.retiredFound', { n: fs.length }) })),
			h('table', { className: 'list' },
				h('thead', null, h('tr', null, h('th', { i18n: 'field.name' }), h('th', { i18n: 'detail.retiredAt' }), h('th', { className: 'num', text: t('field.area') + ' (' + wanmu.units.symbol() + ')' }))),
				h('tbody', null, fs.map(function (f) {
					var p = f.properties;
					return h('tr', { className: 'clickable', dataset: { retiredZone: String(p.id) }, on: { click: function () { self.showZone(p.id); } } },
						h('td', { text: p.name }),
						h('td', { text: wanmu.i18n.datetime(p.retired_at) }),
						h('td', { className: 'num', text: wanmu.units.area(p.area_mu, { bare: true }) }));
				}))));
	};

	// _retiredZone is the panel of a retired zone.
	DetailPanel.prototype._retiredZone = function (f) {
		var p = f.properties, self = this, app = this.app;
		var lastLive = null;
		((this._history && this._history.id === p.id && this._history.revisions) || []).some(function (r) {
			if (r.after && !r.after.retired) {
				lastLive = r;
				return true;
			}
			return false;
		});
		var kv = h('dl', { className: 'kv' },
			h('dt', { i18n: 'field.county' }), h('dd', { text: t('county.' + p.county_adcode) + ' (' + p.county_adcode + ')' }),
			h('dt', { i18n: 'detail.retiredAt' }), h('dd', { text: (p.updated_by || '—') + ' · ' + wanmu.i18n.datetime(p.retired_at) }),
			h('dt', { i18n: 'field.documentNo' }), h('dd', { text: p.document_no || '—' }),
			this._provenanceRows(p));
		return h('div', { className: 'detail retired', dataset: { zoneId: String(p.id) } },
			h('div', { className: 'detail-head' },
				h('div', { className: 'detail-kicker' },
					h('span', { className: 'chip chip-retired', i18n: 'detail.retired' }),
					h('span', { className: 'chip', text: t('kind.' + p.kind) })),
				h('h3', { className: 'detail-title', text: p.name }),
				h('div', { className: 'detail-area' }, h('span', { className: 'big', text: wanmu.units.area(p.area_mu) }))),
			h('div', { className: 'actions' },
				app.canRestore() && lastLive ? h('button', {
					className: 'btn btn-small btn-primary', attrs: { type: 'button', 'data-action': 'restore-retired' },
					on: { click: function () { self._restore(lastLive, p); } }
				}, h('span', { i18n: 'detail.restoreRetired' })) : null,
				h('button', { className: 'btn btn-small', attrs: { type: 'button' }, on: { click: function () { self._retired = null; app.compare.clearLayers(); self.render(); } } }, h('span', { i18n: 'action.close' }))),
			kv,
			h('section', { className: 'history' },
				h('h4', null, wanmu.icon('history', 15), h('span', { i18n: 'history.title' })),
				this._historyList(p)));
	};

	DetailPanel.prototype._multi = function (fs) {
		var app = this.app;
		var total = fs.reduce(function (s, f) { return s + (f.properties.area_mu || 0); }, 0);
		var props = fs.map(function (f) { return f.properties; });
		var canEdit = wanmu.permissions.mayEditZones(props);
		var why = props.map(wanmu.permissions.zoneNote).filter(Boolean)[0];
		var active = app.activePlatformId ? app.platformById(app.activePlatformId) : null;
		return h('div', { className: 'detail multi' },
			h('div', { className: 'detail-head' },
				h('div', { className: 'detail-kicker' }, h('span', { className: 'chip', text: t('detail.selected', { n: fs.length }) })),
				h('h3', { className: 'detail-title', text: t('detail.selectionTitle') }),
				h('div', { className: 'detail-area' }, h('span', { className: 'big', text: wanmu.units.area(total) }),
					h('span', { className: 'muted', text: ' ' + t('detail.sumNote') }))),
			wanmu.permissions.note(why),
			h('div', { className: 'actions' },
				h('button', { className: 'btn btn-small', attrs: { type: 'button' }, on: { click: function () { app.zoomToZones(app.selection.ids()); } } }, wanmu.icon('target', 14), h('span', { i18n: 'action.zoomTo' })),
				canEdit ? h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'merge' }, on: { click: function () { app.editor.merge(); } } }, wanmu.icon('merge', 14), h('span', { i18n: 'tool.merge' })) : null,
				canEdit && active ? h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'add-to-platform' }, on: { click: function () { app.platformPanel.addZones(app.selection.ids()); } } },
					wanmu.icon('platform', 14), h('span', { text: t('detail.addTo', { name: active.name }) })) : null,
				canEdit ? h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'new-platform' }, on: { click: function () { app.platformPanel.create(app.selection.ids()); } } },
					wanmu.icon('platform', 14), h('span', { i18n: 'platform.newFromSelection' })) : null,
				h('button', { className: 'btn btn-small', attrs: { type: 'button' }, on: { click: function () { app.openExport(true); } } }, wanmu.icon('exportFile', 14), h('span', { i18n: 'export.selection' })),
				h('button', { className: 'btn btn-small', attrs: { type: 'button' }, on: { click: function () { app.selection.clear(); } } }, h('span', { i18n: 'action.clearSelection' }))),
			h('table', { className: 'list' },
				h('thead', null, h('tr', null, h('th', { i18n: 'field.name' }), h('th', { i18n: 'field.disposition' }), h('th', { className: 'num', text: t('field.area') + ' (' + wanmu.units.symbol() + ')' }))),
				h('tbody', null, fs.map(function (f) {
					var p = f.properties;
					return h('tr', { className: 'clickable', on: { click: function () { app.selection.set([p.id]); } } },
						h('td', { text: p.name }),
						h('td', null, h('span', { className: 'dot', style: { background: p.kind === 'park' ? wanmu.style.park.fill : wanmu.style.dispositionColor[p.disposition] } }),
							h('span', { text: p.kind === 'park' ? t('kind.park') : t('disp.' + p.disposition) })),
						h('td', { className: 'num', text: wanmu.units.area(p.area_mu, { bare: true }) }));
				}))));
	};

	wanmu.DetailPanel = DetailPanel;
})(window.wanmu = window.wanmu || {});
