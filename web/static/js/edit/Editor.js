// Editor.js: the editing tools (editor and admin roles only). Geoman draws and
// edits shapes in the browser; every change is written through the API with
// If-Match and the version the planner started from. On 412 the conflict
// dialog shows both versions; nothing is overwritten silently. Undo and redo
// are the server's (UndoHistory). Union (merge) and split happen on the
// server, in PostGIS.
//
// Coordinates go to the server exactly as the map holds them (full float64,
// toGeoJSON(false)): Leaflet's default rounding to 6 decimals moved every
// vertex by up to 5 cm on every save, so shared boundaries drifted apart.
// A vertex snapped onto a neighbour's vertex is a copy of it; one snapped
// onto a neighbour's edge is not exactly on it (Geoman computes it in
// pixels), so after saving, the same point is inserted into that edge of
// the neighbour (a second PATCH with If-Match) and both share it exactly.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var EDITABLE = ['kind', 'name', 'county_adcode', 'disposition', 'approved_area_ha', 'document_no', 'attributes'];
	var SHARE_KEY = 'wanmu.shareEdges';

	function Editor(app) {
		wanmu.Emitter.call(this);
		this.app = app;
		this.map = app.map;
		this.mode = 'select';
		this.session = null;
		this.history = new wanmu.UndoHistory(app);
		this.history.on('change', function () { this.fire('change'); }, this);
		this.busy = false;
		this._editGroup = L.featureGroup().addTo(this.map);
		this._pending = null;
		this._snaps = {};
		this.shareEdges = readShareEdges();
		this.snap = new wanmu.SnapOptions(this._applySnap.bind(this));
		this.constraintSnap = new wanmu.ConstraintSnap(app);
		this.constraintSnap.on('change', this._showConstraintSnap, this);
		this._buildBar();
		this._setupGeoman();
		document.addEventListener('keydown', this._key.bind(this));
		wanmu.i18n.on('langchange', function () {
			this.map.pm.setLang(wanmu.i18n.lang() === 'zh' ? 'zh' : 'en');
			this._typed.render();
			this._renderBar();
			this._showConstraintSnap();
		}, this);
	}
	Editor.prototype = Object.create(wanmu.Emitter.prototype);

	// canEdit: the role edits at all; what it may edit here (a county-limited
	// editor) is core/permissions.js.
	Editor.prototype.canEdit = function () {
		return wanmu.permissions.mayEdit();
	};

	Editor.prototype._setupGeoman = function () {
		var map = this.map;
		map.pm.setGlobalOptions(L.Util.extend({
			allowSelfIntersection: false,
			templineStyle: { color: '#1c64c8', weight: 2 },
			hintlineStyle: { color: '#1c64c8', weight: 1.5, dashArray: '5 5' },
			pathOptions: wanmu.style.editing,
			panes: { vertexPane: 'markerPane', layerPane: 'wanmuEdit', markerPane: 'markerPane' }
		}, this.snap.geoman()));
		map.pm.setLang(wanmu.i18n.lang() === 'zh' ? 'zh' : 'en');
		map.on('pm:drawstart', this._drawStart, this);
		map.on('pm:create', this._created, this);
		map.on('pm:cut', this._cut, this);
		map.on('mousemove', this._drawMove, this);
	};

	// ---- modes ------------------------------------------------------------

	// setMode switches tool. Unsaved edits are given up only after asking.
	Editor.prototype.setMode = function (mode) {
		var self = this;
		if (mode === this.mode && !this.session) {
			return Promise.resolve(true);
		}
		return this._leaveSession().then(function (ok) {
			if (!ok) {
				return false;
			}
			self._teardownMode();
			self.mode = mode;
			self.app.selection.box.setAlways(mode === 'box');
			self._renderBar();
			self.fire('change');
			return true;
		});
	};

	Editor.prototype._teardownMode = function () {
		var pm = this.map.pm;
		if (pm.globalDrawModeEnabled()) {
			pm.disableDraw();
		}
		if (pm.globalCutModeEnabled && pm.globalCutModeEnabled()) {
			pm.disableGlobalCutMode();
		}
		this._working = null;
		this._snaps = {};
		this.app.zones.setPassive(false);
		this.app.liveArea.stop();
		if (this._pending) {
			this.map.removeLayer(this._pending);
			this._pending = null;
		}
	};

	Editor.prototype._leaveSession = function () {
		var s = this.session, self = this;
		if (!s) {
			return Promise.resolve(true);
		}
		if (!s.dirty) {
			this._endSession();
			return Promise.resolve(true);
		}
		return wanmu.Dialog.confirm({ title: 'edit.discardTitle', text: t('edit.discardText', { name: s.base.properties.name }), ok: 'edit.discard', danger: true })
			.then(function (r) {
				if (r) {
					self._endSession();
					return true;
				}
				return false;
			});
	};

	Editor.prototype._endSession = function () {
		var s = this.session;
		if (!s) {
			return;
		}
		if (s.copy.pm) {
			s.copy.pm.disable();
			if (s.copy.pm.disableLayerDrag) {
				s.copy.pm.disableLayerDrag();
			}
		}
		this._editGroup.removeLayer(s.copy);
		this.map.removeLayer(s.copy);
		this.app.zones.show(s.id);
		if (s.reference) {
			this.app.compare.clearLayers();
		}
		this.session = null;
		this.app.liveArea.stop();
	};

	// ---- drawing a new zone ------------------------------------------------

	Editor.prototype.startDraw = function () {
		var self = this;
		return this.setMode('draw').then(function (ok) {
			if (!ok) {
				return;
			}
			self.app.zones.setPassive(true);
			self.map.pm.enableDraw('Polygon', L.Util.extend({ allowSelfIntersection: false, pathOptions: wanmu.style.editing }, self.snap.geoman()));
			// The platform a new zone would join: the one the planner has open
			// in the platform panel, else (server side) the one it touches.
			var app = self.app;
			app.liveArea.start(null, { newZone: true, platform: app.rightTab === 'platform' ? app.activePlatformId : null });
		});
	};

	Editor.prototype._drawStart = function (e) {
		var self = this;
		this._working = e.workingLayer;
		if (this._working) {
			this._working.on('pm:snap', this._snapped, this);
		}
		// The live figure is the area of the new zone; a hole's own area
		// would mislead, so cut mode shows the zone's area after the cut.
		if (this._working && e.shape === 'Polygon') {
			this._working.on('pm:vertexadded', function () { self._measureDraw(null); });
			if (this.mode === 'draw') {
				wanmu.TraceBoundary.attach(this.map.pm.Draw.Polygon, this._working, this._tracing.bind(this), this._traceLayers.bind(this));
			}
		}
	};

	Editor.prototype._tracing = function () {
		return this.snap.value.on && this.snap.value.trace;
	};

	// _traceLayers is what tracing follows: the zones on the map (not the
	// one being edited, which is hidden) and the constraint parcels read.
	Editor.prototype._traceLayers = function () {
		var out = [];
		this.map.eachLayer(function (l) {
			if (l.zoneId !== undefined && l.getLatLngs) {
				out.push(l);
			}
		});
		return out.concat(this.constraintSnap.layers());
	};

	Editor.prototype._drawMove = function (e) {
		if (this._working && this.mode === 'draw') {
			this._measureDraw(e.latlng);
		}
	};

	Editor.prototype._measureDraw = function (cursor) {
		if (!this._working) {
			return;
		}
		var pts = this._working.getLatLngs().slice();
		if (cursor) {
			pts.push(cursor);
		}
		this.app.liveArea.measure(pts.length >= 3 ? [pts] : null);
	};

	// finishDraw completes the polygon being drawn (the bar's Finish button).
	Editor.prototype.finishDraw = function () {
		var d = this.map.pm.Draw;
		var shape = this.mode === 'split' ? 'Line' : 'Polygon';
		if (d[shape] && d[shape].enabled()) {
			d[shape]._finishShape();
		}
	};

	Editor.prototype._created = function (e) {
		var self = this;
		var layer = e.layer;
		if (e.shape === 'Line' && this.mode === 'split') {
			var line = geometryOf(layer);
			this.map.removeLayer(layer);
			this._splitAlong(line);
			return;
		}
		if (e.shape !== 'Polygon' || this.mode !== 'draw') {
			this.map.removeLayer(layer);
			return;
		}
		this._working = null;
		this._pending = layer;
		var geometry = geometryOf(layer);
		// The dialog shows the area of the polygon as it will be stored: the
		// live figure while drawing may be of a shape the last click changed.
		wanmu.api.send('POST', '/measure', geometry, { quiet401: true }).then(function (r) {
			return r.data && r.data.valid !== false ? r.data.area_mu : undefined;
		}, function () { return undefined; }).then(function (areaMu) {
			self._createDialog(layer, geometry, areaMu);
		});
	};

	// _createDialog asks the new zone's attributes and creates it.
	Editor.prototype._createDialog = function (layer, geometry, areaMu) {
		var self = this;
		wanmu.AttributesDialog.open(null, {
			title: 'attr.newTitle', okLabel: 'action.create',
			county: this._guessCounty(layer.getBounds().getCenter()),
			areaMu: areaMu,
			submit: function (props, reason) {
				return wanmu.api.send('POST', '/zones', { type: 'Feature', geometry: geometry, properties: props, reason: reason })
					.then(function (r) {
						var f = r.data;
						self.app.zoneChanged(f);
						self.app.selection.set([f.properties.id]);
						wanmu.notify(t('edit.created', { name: f.properties.name, area: wanmu.units.area(f.properties.area_mu) }), 'ok');
						return self._shareEdges(geometry, f.properties.name);
					}, function (err) {
						// Shown inside the dialog: say it in the planner's words.
						var msg = invalidGeometryText(err);
						throw msg ? new Error(t('edit.invalidShape') + ' — ' + msg) : err;
					});
			}
		}).then(function () {
			self.setMode('select');
		});
	};

	// _guessCounty is the county of the nearest zone, for the new-zone form.
	Editor.prototype._guessCounty = function (ll) {
		var best = null, bestD = Infinity;
		this.app.zones.features().forEach(function (f) {
			var c = L.geoJSON(f).getBounds().getCenter();
			var d = ll.distanceTo(c);
			if (d < bestD) {
				bestD = d;
				best = f.properties.county_adcode;
			}
		});
		return best;
	};

	// ---- editing an existing zone: vertices, move, cut a hole ---------------

	// startEdit opens an edit session on the single selected zone; kind is
	// 'vertex', 'drag' or 'cut'.
	Editor.prototype.startEdit = function (kind) {
		var self = this;
		var id = this.app.selection.ids()[0];
		if (this.app.selection.count() !== 1) {
			wanmu.notify(t('edit.selectOne'), 'warn');
			return Promise.resolve();
		}
		return this.setMode(kind).then(function (ok) {
			if (!ok) {
				return;
			}
			var f = self.app.zones.feature(id);
			var copy = L.GeoJSON.geometryToLayer(f, { pane: 'wanmuEdit' });
			copy.setStyle(wanmu.style.editing);
			self._editGroup.addLayer(copy);
			self.app.zones.hide(id);
			self.session = { id: id, kind: kind, base: f, copy: copy, dirty: false };
			self._snaps = {};
			self._attachCopy(copy);
			self.app.liveArea.start(id);
			self.app.liveArea.measure(geometryOf(copy));
			if (kind === 'cut') {
				self.app.zones.setPassive(true);
				self.map.pm.enableDraw('Cut', L.Util.extend({ layersToCut: [copy], allowSelfIntersection: false, pathOptions: wanmu.style.editing }, self.snap.geoman()));
			}
			self._renderBar();
			self.fire('change');
		});
	};

	Editor.prototype._attachCopy = function (copy) {
		var self = this;
		var s = this.session;
		// changed re-measures what is on the map now and compares it with the
		// base exactly: a shape back where it started is not a change.
		function changed() {
			var g = geometryOf(copy);
			s.dirty = !sameGeometry(g, s.base.geometry);
			self.app.liveArea.measure(g);
			self._renderBar();
		}
		if (s.kind === 'vertex') {
			copy.pm.enable(L.Util.extend({ allowSelfIntersection: false, removeLayerBelowMinVertexCount: false }, this.snap.geoman()));
			copy.on('pm:markerdrag pm:markerdragend pm:edit pm:vertexremoved pm:vertexadded', changed);
			copy.on('pm:snap', this._snapped, this);
			wanmu.TraceBoundary.attachEdit(copy, this._tracing.bind(this), this._traceLayers.bind(this), changed);
			// Geoman put a vertex back (the move made the boundary cross
			// itself): show the figures of the restored shape, not of the
			// refused one.
			copy.on('pm:layerreset', function () {
				changed();
				wanmu.notify(t('edit.vertexReset'), 'warn');
			});
		} else if (s.kind === 'drag') {
			copy.pm.enableLayerDrag();
			copy.on('pm:drag pm:dragend', changed);
		}
	};

	Editor.prototype._cut = function (e) {
		var s = this.session;
		if (!s || s.kind !== 'cut' || e.originalLayer !== s.copy) {
			return;
		}
		this._editGroup.removeLayer(s.copy);
		s.copy = e.layer;
		s.copy.setStyle(wanmu.style.editing);
		// Geoman cuts on coordinates rounded to 15 decimals, which can move
		// the untouched vertices by a unit in the last place: put them back
		// exactly where they were.
		restoreExact(s.copy, [s.base.geometry, this._snapGeometry()]);
		var g = geometryOf(s.copy);
		s.dirty = !sameGeometry(g, s.base.geometry);
		this.app.zones.setPassive(false);
		this.app.liveArea.measure(g);
		this._renderBar();
	};

	// save writes the edited geometry (PATCH with If-Match).
	Editor.prototype.save = function () {
		var s = this.session, self = this;
		if (!s || this.busy) {
			return Promise.resolve();
		}
		var geometry = geometryOf(s.copy);
		// Nothing to write when the boundary is exactly the one loaded: no
		// request, no new version, no undo entry.
		if (sameGeometry(geometry, s.base.geometry)) {
			this._endSession();
			return this.setMode('select');
		}
		var before = s.base;
		var live = this.app.liveArea.value();
		this.busy = true;
		this._renderBar();
		var body = { type: 'Feature', geometry: geometry, properties: {}, reason: t('reason.' + s.kind) };
		var shared = null;
		return this.writeZone({
			id: s.id, base: before, method: 'PATCH', kind: 'geometry', canKeep: true, canOntop: true, mineGeometry: geometry,
			mineArea: live && live.valid ? live.area_mu : undefined, body: body,
			// Topological editing: the vertices moved from the stored
			// boundary (theirs, after a conflict) go with the PATCH, and the
			// server moves them in the neighbours in the same operation.
			attempt: s.kind === 'vertex' ? function (version, current) {
				var sv = wanmu.SharedVertices.body((current || before).geometry, geometry);
				var b = L.extend({}, body);
				if (sv) {
					b.shared_vertices = sv;
				}
				return wanmu.api.send('PATCH', '/zones/' + s.id, b, { ifMatch: version }).then(function (r) {
					shared = r.data && r.data.shared_vertices;
					if (shared) {
						delete r.data.shared_vertices;
					}
					return r;
				});
			} : null
		}).then(function (res) {
			self.busy = false;
			if (res.kept) {
				self._renderBar();
				return;
			}
			self._endSession();
			if (res.ontop) {
				return self._editOnTop(s.id, res.current, geometry, before.properties.version);
			}
			if (!res.ok) {
				return self.setMode('select');
			}
			wanmu.notify(t('edit.saved', { name: res.data.properties.name, area: wanmu.units.area(res.data.properties.area_mu) }), 'ok');
			wanmu.SharedVertices.report(self.app, shared);
			return self._shareEdges(geometry, res.data.properties.name).then(function () {
				return self.setMode('select');
			});
		}, function (err) {
			self.busy = false;
			self._renderBar();
			var msg = invalidGeometryText(err);
			if (msg) {
				wanmu.notify(t('edit.saveFailed') + ': ' + t('edit.invalidShape'), 'error', msg);
				return;
			}
			wanmu.notifyError(err, t('edit.saveFailed'));
		});
	};

	Editor.prototype.cancel = function () {
		var self = this;
		if (this.session && this.session.dirty) {
			return this._leaveSession().then(function (ok) {
				return ok ? self.setMode('select') : null;
			});
		}
		this._endSession();
		return this.setMode('select');
	};

	// ---- split along a line (server side) ----------------------------------

	Editor.prototype.startSplit = function () {
		var self = this;
		if (this.app.selection.count() !== 1) {
			wanmu.notify(t('edit.selectOne'), 'warn');
			return Promise.resolve();
		}
		return this.setMode('split').then(function (ok) {
			if (!ok) {
				return;
			}
			self._splitId = self.app.selection.ids()[0];
			self.app.zones.setPassive(true);
			self.map.pm.enableDraw('Line', L.Util.extend({ pathOptions: { color: '#c2453c', weight: 2.5, dashArray: '6 4' } }, self.snap.geoman()));
		});
	};

	Editor.prototype._splitAlong = function (line) {
		var self = this;
		var id = this._splitId;
		var base = this.app.zones.feature(id);
		if (!base) {
			return this.setMode('select');
		}
		this.busy = true;
		return this.withConflict({
			entity: 'zone', kind: 'split', name: base.properties.name, base: base, mineGeometry: line,
			fetchCurrent: function () { return wanmu.api.get('/zones/' + id); },
			attempt: function (version) {
				return wanmu.api.send('POST', '/zones/' + id + '/split', { line: line, reason: t('reason.split') }, { ifMatch: version });
			}
		}).then(function (res) {
			self.busy = false;
			if (res.ok) {
				var pieces = res.data.features || [];
				self.app.zoneRetired(id);
				pieces.forEach(function (f) { self.app.zoneChanged(f); });
				self.app.selection.set(pieces.map(function (f) { return f.properties.id; }));
				wanmu.notify(t('edit.splitDone', { name: base.properties.name, n: pieces.length }), 'ok');
			}
			return self.setMode('select');
		}, function (err) {
			self.busy = false;
			wanmu.notifyError(err, t('edit.splitFailed'));
			return self.setMode('select');
		});
	};

	// ---- attributes, retire, merge ------------------------------------------

	Editor.prototype.editAttributes = function () {
		var self = this;
		if (this.app.selection.count() !== 1) {
			wanmu.notify(t('edit.selectOne'), 'warn');
			return Promise.resolve();
		}
		var f = this.app.selection.features()[0];
		return wanmu.AttributesDialog.open(f.properties, {
			title: 'attr.editTitle', areaMu: f.properties.area_mu,
			submit: function (changes, reason) {
				if (!Object.keys(changes).length) {
					return true;
				}
				var cur = self.app.zones.feature(f.properties.id) || f;
				return self.writeZone({
					id: f.properties.id, base: cur, method: 'PATCH', kind: 'attributes',
					body: { type: 'Feature', geometry: null, properties: changes, reason: reason },
					diff: self._attrDiff(changes)
				}).then(function (res) {
					if (res.ok) {
						wanmu.notify(t('edit.saved', { name: res.data.properties.name, area: wanmu.units.area(res.data.properties.area_mu) }), 'ok');
					}
				});
			}
		});
	};

	Editor.prototype._attrDiff = function (changes) {
		return Object.keys(changes).map(function (k) {
			return { field: k, label: t('field.' + fieldKey(k)), mine: display(k, changes[k]) };
		});
	};

	Editor.prototype.retire = function () {
		var self = this;
		if (this.app.selection.count() !== 1) {
			wanmu.notify(t('edit.selectOne'), 'warn');
			return Promise.resolve();
		}
		var f = this.app.selection.features()[0];
		var id = f.properties.id;
		return wanmu.Dialog.confirm({
			title: 'retire.title', text: t('retire.text', { name: f.properties.name }), withReason: true, danger: true, ok: 'action.retire',
			action: function (reason) {
				return self._retireZone(id, reason).then(function (res) {
					if (res.ok) {
						wanmu.notify(t('edit.retired', { name: f.properties.name }), 'ok');
					}
				});
			}
		});
	};

	// _retireZone DELETEs a zone with If-Match (conflicts handled).
	Editor.prototype._retireZone = function (id, reason) {
		var self = this;
		var base = this.app.zones.feature(id);
		if (!base) {
			return Promise.resolve({ ok: false });
		}
		return this.withConflict({
			entity: 'zone', kind: 'retire', name: base.properties.name, base: base,
			fetchCurrent: function () { return wanmu.api.get('/zones/' + id); },
			attempt: function (version) {
				return wanmu.api.request('DELETE', '/zones/' + id, { ifMatch: version, query: { reason: reason || undefined } });
			}
		}).then(function (res) {
			if (res.ok) {
				self.app.zoneRetired(id);
			}
			return res;
		});
	};

	// restoreRevision asks the server to make revision revId the zone's
	// current state; the answer is the restored zone.
	Editor.prototype.restoreRevision = function (id, revId, version) {
		var self = this;
		return wanmu.api.send('POST', '/zones/' + id + '/restore', { revision_id: revId, reason: t('reason.restore') }, { ifMatch: version })
			.catch(function (err) {
				// A server without the restore endpoint: stop offering it.
				if (err.status === 404 && /no API resource/.test(err.problem.detail || '')) {
					self.app.capabilities.restore = false;
					self.fire('change');
					self.app.fire('zones');
					throw new Error(t('history.restoreUnavailable'));
				}
				throw err;
			})
			.then(function (r) {
				var f = r.data && r.data.type === 'Feature' ? Promise.resolve(r.data) : wanmu.api.get('/zones/' + id);
				return f.then(function (feature) {
					self.app.zoneChanged(feature);
					return { ok: true, data: feature };
				});
			});
	};

	// merge asks the server to merge the selected zones. The dialog first
	// shows what the merge would make (a dry run: the union's area, the
	// document numbers kept, approved areas summed, attribute conflicts, the
	// gap between zones that do not touch) and asks what only the planner
	// can decide; then the merge is sent with the version of every zone.
	Editor.prototype.merge = function () {
		var self = this;
		var features = this.app.selection.features();
		if (features.length < 2) {
			wanmu.notify(t('edit.selectTwo'), 'warn');
			return Promise.resolve();
		}
		var ids = features.map(function (f) { return f.properties.id; });
		var versions = {};
		features.forEach(function (f) { versions[f.properties.id] = f.properties.version; });
		function send(body) {
			return wanmu.api.send('POST', '/zones/merge', L.extend({ zone_ids: ids, versions: versions }, body));
		}
		return wanmu.MergeDialog.open(features, {
			preview: function (body) {
				return send(L.extend({}, body, { dry_run: true })).then(function (r) { return r.data; });
			},
			submit: function (body) {
				return send(body).then(function (r) {
					var merged = r.data;
					ids.forEach(function (id) { self.app.zoneRetired(id); });
					self.app.zoneChanged(merged);
					self.app.selection.set([merged.properties.id]);
					wanmu.notify(t('edit.merged', { n: ids.length, name: merged.properties.name, area: wanmu.units.area(merged.properties.area_mu) }), 'ok');
				}, function (err) {
					if (err.status === 412) {
						// Someone changed one of the zones: reload them all, show
						// what is there now and let the planner merge again.
						return Promise.all(ids.map(function (id) {
							return wanmu.api.get('/zones/' + id).then(function (f) { self.app.zoneChanged(f); }, function () { self.app.zoneRetired(id); });
						})).then(function () {
							self.app.selection.prune();
							throw new Error(t('merge.conflict'));
						});
					}
					throw err;
				});
			}
		});
	};

	// ---- writes with If-Match and conflict handling --------------------------

	// writeZone PUTs or PATCHes a zone; resolves to {ok, data} or
	// {ok:false, kept|reloaded}.
	Editor.prototype.writeZone = function (o) {
		var self = this;
		var id = o.id;
		return this.withConflict({
			entity: 'zone', kind: o.kind, name: o.base.properties.name, base: o.base, mineGeometry: o.mineGeometry, mineArea: o.mineArea,
			canKeep: o.canKeep, canOntop: o.canOntop, diff: o.diff,
			fetchCurrent: function () { return wanmu.api.get('/zones/' + id); },
			attempt: o.attempt || function (version) {
				return wanmu.api.send(o.method, '/zones/' + id, o.body, { ifMatch: version });
			}
		}).then(function (res) {
			if (res.ok) {
				self.app.zoneChanged(res.data);
			}
			return res;
		});
	};

	// withConflict runs o.attempt(version) and, on 412, shows the conflict
	// dialog with both versions; the planner keeps theirs, applies mine to
	// theirs ('reapply', or 'overwrite' for a boundary: attempt again with
	// the current version) or, for a boundary, edits again on top of theirs
	// ('ontop': the caller starts the new session).
	Editor.prototype.withConflict = function (o) {
		var self = this;
		var version = o.version !== undefined ? o.version : o.base.properties.version;
		return o.attempt(version, o.current).then(function (r) {
			return { ok: true, data: r.data };
		}, function (err) {
			if (!err || err.status !== 412) {
				throw err;
			}
			return o.fetchCurrent().then(function (cur) {
				var cp = cur.properties || cur;
				var diff = self._conflictDiff(o, cp, cur);
				return wanmu.ConflictDialog.open({
					app: self.app, entity: o.entity, kind: o.kind || (o.entity === 'zone' ? 'attributes' : 'platform'), name: o.name,
					baseVersion: version, current: cur,
					mineGeometry: o.mineGeometry || (o.entity === 'zone' && o.base.geometry) || null,
					diff: diff, canKeep: o.canKeep, canOntop: o.canOntop && !!cur.geometry
				}).then(function (choice) {
					if (choice === 'reapply' || choice === 'overwrite') {
						var again = L.extend({}, o, { version: cp.version, current: cur, base: o.entity === 'zone' ? cur : o.base });
						return self.withConflict(again);
					}
					if (choice === 'ontop') {
						return { ok: false, ontop: true, current: cur };
					}
					if (choice === 'keep' || (choice === null && o.canKeep)) {
						return { ok: false, kept: true, current: cur };
					}
					// reload (or closed): show theirs, drop mine.
					if (o.entity === 'zone') {
						self.app.zoneChanged(cur);
					}
					if (o.onReload) {
						o.onReload(cur);
					}
					wanmu.notify(t('conflict.reloaded', { name: cp.name }), 'info');
					return { ok: false, reloaded: true, current: cur };
				});
			}, function () {
				throw err;
			});
		});
	};

	// _conflictDiff lists, field by field, what I changed and what they have
	// now. A field I did not change shows theirs as kept (my base value there
	// would read as if I meant to undo their change); a field neither of us
	// changed is left out.
	Editor.prototype._conflictDiff = function (o, cp, cur) {
		if (o.diffFor) {
			return o.diffFor(cp);
		}
		if (o.entity !== 'zone') {
			return o.diff || [];
		}
		var bp = o.base.properties || {};
		var rows = [];
		var mine = {};
		var kept = t('conflict.keptTheirs');
		(o.diff || []).forEach(function (d) { mine[d.field] = d.mine; });
		EDITABLE.forEach(function (k) {
			if (mine[k] !== undefined) {
				rows.push({ field: k, label: t('field.' + fieldKey(k)), mine: mine[k], theirs: display(k, cp[k]) });
			} else if (JSON.stringify(bp[k]) !== JSON.stringify(cp[k])) {
				rows.push({ field: k, label: t('field.' + fieldKey(k)), mine: kept, kept: true, theirs: display(k, cp[k]) });
			}
		});
		var moved = !sameGeometry(o.base.geometry, cur.geometry);
		var theirs = t(moved ? 'conflict.boundaryChanged' : 'conflict.boundarySame', { area: wanmu.units.area(cp.area_mu) });
		if (polygonsOf(o.mineGeometry).length) {
			// The live figure may not have answered yet when saving quickly.
			var myText = o.mineArea !== undefined ? t('conflict.boundaryMine', { area: wanmu.units.area(o.mineArea) }) : t('conflict.boundaryMineDrawn');
			rows.push({ field: 'geometry', label: t('conflict.boundary'), mine: myText, theirs: theirs });
		} else if (moved) {
			rows.push({ field: 'geometry', label: t('conflict.boundary'), mine: kept, kept: true, theirs: theirs });
		}
		return rows;
	};

	function fieldKey(k) {
		return { county_adcode: 'county', approved_area_ha: 'approvedHa', document_no: 'documentNo' }[k] || k;
	}

	function display(k, v) {
		if (v === null || v === undefined || v === '') {
			return '—';
		}
		if (typeof v === 'object') {
			return JSON.stringify(v);
		}
		if (k === 'kind') {
			return t('kind.' + v);
		}
		if (k === 'disposition') {
			return t('disp.' + v);
		}
		if (k === 'county_adcode') {
			return t('county.' + v);
		}
		return String(v);
	}

	// ---- shared boundaries ----------------------------------------------------

	// _snapped remembers a point Geoman snapped onto a neighbour zone's edge
	// (not onto one of its vertices, which is already an exact copy), with
	// the edge, so that saving can insert the same point into the neighbour.
	Editor.prototype._snapped = function (e) {
		var n = e.layerInteractedWith, seg = e.segment, p = e.snapLatLng;
		if (!n || n.zoneId === undefined || !seg || !p) {
			return;
		}
		var a = seg[0], b = seg[1];
		if ((p.lat === a.lat && p.lng === a.lng) || (p.lat === b.lat && p.lng === b.lng)) {
			return;
		}
		this._snaps[posKey([p.lng, p.lat])] = { zoneId: n.zoneId, a: [a.lng, a.lat], b: [b.lng, b.lat], p: [p.lng, p.lat] };
	};

	// _snapGeometry is the remembered snap points, as a MultiPoint.
	Editor.prototype._snapGeometry = function () {
		var snaps = this._snaps;
		return { type: 'MultiPoint', coordinates: Object.keys(snaps).map(function (k) { return snaps[k].p; }) };
	};

	// _shareEdges inserts the edge-snapped points that made it into the saved
	// geometry into their neighbours (when the planner leaves the option on).
	// Each neighbour's write is an operation of its own in the undo history.
	Editor.prototype._shareEdges = function (geometry, ownName) {
		var self = this, snaps = this._snaps, byZone = {}, seen = {};
		this._snaps = {};
		if (!this.shareEdges) {
			return Promise.resolve();
		}
		eachPosition(geometry, function (pos) {
			var k = posKey(pos), sn = snaps[k];
			if (sn && !seen[k]) {
				seen[k] = true;
				(byZone[sn.zoneId] = byZone[sn.zoneId] || []).push(sn);
			}
		});
		return Object.keys(byZone).reduce(function (chain, id) {
			return chain.then(function () { return self._insertShared(Number(id), byZone[id], ownName); });
		}, Promise.resolve());
	};

	// _insertShared PATCHes neighbour id with the snapped points inserted
	// into the edges they were snapped onto (If-Match; on a conflict the
	// points go into their current boundary if the planner says so).
	Editor.prototype._insertShared = function (id, snaps, ownName) {
		var self = this;
		var f = this.app.zones.feature(id);
		if (!f) {
			return Promise.resolve(null);
		}
		var name = f.properties.name;
		var first = withPoints(f.geometry, snaps);
		if (!first.n) {
			wanmu.notify(t('edit.neighbourMoved', { name: name }), 'warn');
			return Promise.resolve(null);
		}
		return this.writeZone({
			id: id, base: f, kind: 'shareEdge', mineGeometry: first.geometry,
			attempt: function (version, current) {
				var w = current ? withPoints(current.geometry, snaps) : first;
				if (!w.n) {
					return Promise.reject(new Error(t('edit.neighbourMoved', { name: name })));
				}
				return wanmu.api.send('PATCH', '/zones/' + id, {
					type: 'Feature', geometry: w.geometry, properties: {}, reason: t('reason.shareEdge', { name: ownName })
				}, { ifMatch: version });
			}
		}).then(function (res) {
			if (!res.ok) {
				return null;
			}
			wanmu.notify(t('edit.neighbourUpdated', { name: name, n: snaps.length }), 'ok');
			return null;
		}, function (err) {
			wanmu.notifyError(err, t('edit.neighbourFailed', { name: name }));
			return null;
		});
	};

	// _editOnTop starts a vertex edit of their current version after a
	// conflict, with the planner's own boundary left as an outline.
	Editor.prototype._editOnTop = function (id, cur, mine, baseVersion) {
		var self = this;
		this.app.zoneChanged(cur);
		return this.setMode('select').then(function () {
			self.app.selection.set([id]);
			return self.startEdit('vertex');
		}).then(function () {
			if (!self.session) {
				return;
			}
			self.session.reference = true;
			self.app.compare.clearLayers();
			self.app.compare.add(mine, wanmu.style.mine, t('conflict.mineTag', { v: baseVersion }));
			wanmu.notify(t('conflict.ontopStarted', { name: cur.properties.name }), 'info');
		});
	};

	// ---- undo and redo (kept by the server: UndoHistory) ----------------------

	Editor.prototype.canUndo = function () { return !this.session && !this.busy && this.history.canUndo(); };
	Editor.prototype.canRedo = function () { return !this.session && !this.busy && this.history.canRedo(); };

	Editor.prototype.undo = function () {
		return this.canUndo() ? this.history.undo() : Promise.resolve();
	};

	Editor.prototype.redo = function () {
		return this.canRedo() ? this.history.redo() : Promise.resolve();
	};

	// ---- exact geometry ---------------------------------------------------------

	// geometryOf is a layer's GeoJSON geometry with every coordinate as the
	// map holds it (no rounding).
	function geometryOf(layer) {
		return layer.toGeoJSON(false).geometry;
	}

	function polygonsOf(g) {
		if (!g) {
			return [];
		}
		return g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
	}

	// sameGeometry compares two polygon geometries coordinate by coordinate,
	// exactly (a Polygon equals the MultiPolygon of that one polygon).
	function sameGeometry(a, b) {
		var pa = polygonsOf(a), pb = polygonsOf(b);
		if (pa.length !== pb.length) {
			return false;
		}
		for (var i = 0; i < pa.length; i++) {
			if (pa[i].length !== pb[i].length) {
				return false;
			}
			for (var j = 0; j < pa[i].length; j++) {
				var ra = pa[i][j], rb = pb[i][j];
				if (ra.length !== rb.length) {
					return false;
				}
				for (var k = 0; k < ra.length; k++) {
					if (ra[k][0] !== rb[k][0] || ra[k][1] !== rb[k][1]) {
						return false;
					}
				}
			}
		}
		return true;
	}

	function eachPosition(g, fn) {
		polygonsOf(g).forEach(function (poly) {
			poly.forEach(function (ring) { ring.forEach(fn); });
		});
	}

	// posKey is exact: String() of a double reads back as the same double.
	function posKey(p) {
		return String(p[0]) + ',' + String(p[1]);
	}

	function samePos(a, b) {
		return a[0] === b[0] && a[1] === b[1];
	}

	// withPoints returns geometry g with each snap's point p inserted into
	// the edge a–b it was snapped onto ({geometry, n: points inserted}).
	// Points already inserted on that edge stay in order along it.
	function withPoints(g, snaps) {
		var polys = JSON.parse(JSON.stringify(polygonsOf(g)));
		var n = 0;
		snaps.forEach(function (sn) {
			var done = false;
			polys.forEach(function (poly) {
				poly.forEach(function (ring, ri) {
					if (done) {
						return;
					}
					var open = ring.slice(0, -1);
					if (open.some(function (q) { return samePos(q, sn.p); })) {
						done = true;
						return;
					}
					var at = insertAt(open, sn.a, sn.b, sn.p, snaps.length);
					if (at < 0) {
						at = insertAt(open, sn.b, sn.a, sn.p, snaps.length);
					}
					if (at >= 0) {
						open.splice(at, 0, sn.p.slice());
						open.push(open[0].slice());
						poly[ri] = open;
						n++;
						done = true;
					}
				});
			});
		});
		var out = g.type === 'Polygon' ? { type: 'Polygon', coordinates: polys[0] } : { type: 'MultiPolygon', coordinates: polys };
		return { geometry: out, n: n };
	}

	// insertAt finds the run from vertex a to vertex b (consecutive, or with
	// up to max points inserted between) in an open ring and returns where p
	// goes along it, or -1.
	function insertAt(ring, a, b, p, max) {
		var len = ring.length;
		for (var i = 0; i < len; i++) {
			if (!samePos(ring[i], a)) {
				continue;
			}
			var d = dist2(a, p);
			var at = -1;
			for (var s = 1; s <= max + 1; s++) {
				var j = (i + s) % len;
				if (at < 0 && (samePos(ring[j], b) || dist2(a, ring[j]) > d)) {
					at = j === 0 ? len : j;
				}
				if (samePos(ring[j], b)) {
					return at;
				}
			}
		}
		return -1;
	}

	function dist2(a, b) {
		var dx = a[0] - b[0], dy = a[1] - b[1];
		return dx * dx + dy * dy;
	}

	// restoreExact moves every vertex of layer that lies within 1e-9° (0.1
	// mm) of a vertex of the reference geometries exactly onto it.
	function restoreExact(layer, refs) {
		var pts = [];
		refs.forEach(function (g) {
			if (g && g.type === 'MultiPoint') {
				pts = pts.concat(g.coordinates);
			} else {
				eachPosition(g, function (p) { pts.push(p); });
			}
		});
		function fix(lls) {
			return lls.map(function (ll) {
				if (L.Util.isArray(ll)) {
					return fix(ll);
				}
				for (var i = 0; i < pts.length; i++) {
					if (Math.abs(pts[i][0] - ll.lng) < 1e-9 && Math.abs(pts[i][1] - ll.lat) < 1e-9) {
						return L.latLng(pts[i][1], pts[i][0]);
					}
				}
				return ll;
			});
		}
		layer.setLatLngs(fix(layer.getLatLngs()));
	}

	// invalidGeometryText is the planner's sentence for a 422 about an
	// invalid geometry (null for any other error).
	function invalidGeometryText(err) {
		if (!err || err.name !== 'ApiError' || err.status !== 422 || err.kind() !== 'invalid-geometry') {
			return null;
		}
		var fe = (err.problem.errors || [])[0] || {};
		return wanmu.LiveArea.describeInvalid(fe.message || '', err.problem.location);
	}

	function readShareEdges() {
		try {
			return window.localStorage.getItem(SHARE_KEY) !== 'off';
		} catch (e) {
			return true;
		}
	}

	// ---- the session bar -----------------------------------------------------

	Editor.prototype._buildBar = function () {
		var self = this;
		this._barText = h('span', { className: 'session-text' });
		this._barFinish = h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'finish' }, i18n: 'action.finish', on: { click: function () { self.finishDraw(); } } });
		this._barSave = h('button', { className: 'btn btn-small btn-primary', attrs: { type: 'button', 'data-action': 'save' }, i18n: 'action.save', on: { click: function () { self.save(); } } });
		this._barCancel = h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'cancel' }, i18n: 'action.cancel', on: { click: function () { self.cancel(); } } });
		this._barShareBox = h('input', { attrs: { type: 'checkbox', 'data-action': 'share-edges' }, on: { change: function () { self.setShareEdges(this.checked); } } });
		this._barShareBox.checked = this.shareEdges;
		this._barShare = h('label', { className: 'session-share' }, this._barShareBox, h('span', { i18n: 'edit.shareEdges' }));
		this._barMoveBox = h('input', { attrs: { type: 'checkbox', 'data-action': 'move-shared' }, on: { change: function () { wanmu.SharedVertices.setEnabled(this.checked); } } });
		this._barMove = h('label', { className: 'session-share', i18nTitle: 'edit.moveSharedHelp' }, this._barMoveBox, h('span', { i18n: 'edit.moveShared' }));
		this._typed = new wanmu.TypedVertex(this.map, function () {
			var d = self.map.pm.Draw, shape = self.mode === 'split' ? 'Line' : 'Polygon';
			return (self.mode === 'draw' || self.mode === 'split') && d[shape].enabled() ? d[shape] : null;
		});
		this.bar = h('div', { className: 'wanmu-sessionbar' }, this._barText, this.snap.el, this._typed.el, this._barShare, this._barMove, this._barFinish, this._barSave, this._barCancel);
		this.bar.hidden = true;
		L.DomEvent.disableClickPropagation(this.bar);
		this.app.mapEl.appendChild(this.bar);
		// The bar wraps onto more lines on a narrow map: the live area and
		// the notes (snap.css) keep below its bottom edge, whatever its height,
		// so that neither covers the other nor its buttons.
		var mapEl = this.app.mapEl, bar = this.bar;
		if (window.ResizeObserver) {
			new ResizeObserver(function () {
				var shown = !bar.hidden;
				mapEl.style.setProperty('--sessionbar-bottom', shown ? (bar.offsetTop + bar.offsetHeight + 8) + 'px' : '0px');
				document.documentElement.style.setProperty('--sessionbar-page-bottom', shown ? Math.ceil(bar.getBoundingClientRect().bottom + 8) + 'px' : '0px');
			}).observe(bar);
		}
		window.addEventListener('beforeunload', this._beforeUnload.bind(this));
	};

	// unsaved tells whether leaving the page now would lose work: a session
	// with changes, or a shape being drawn that has points.
	Editor.prototype.unsaved = function () {
		if (this.session && this.session.dirty) {
			return true;
		}
		var w = this._working;
		return !!(w && (this.mode === 'draw' || this.mode === 'split' || this.mode === 'cut') && this.map.pm.globalDrawModeEnabled() && w.getLatLngs().length > 0);
	};

	// _beforeUnload makes the browser ask before a reload or closing the tab
	// loses unsaved work; with nothing unsaved the page leaves freely (the
	// scenario switcher and signing out navigate the page).
	Editor.prototype._beforeUnload = function (e) {
		if (!this.unsaved()) {
			return;
		}
		e.preventDefault();
		e.returnValue = t('session.unsaved'); // older browsers ask only when this is set (their own words are shown)
	};

	Editor.prototype._renderBar = function () {
		var m = this.mode, s = this.session;
		var text = '';
		if (m === 'draw') {
			text = t('session.draw');
		} else if (m === 'split') {
			text = t('session.split');
		} else if (m === 'box') {
			text = t('session.box');
		} else if (s) {
			text = t('session.' + s.kind, { name: s.base.properties.name }) + (s.dirty ? ' · ' + t('session.unsaved') : '');
		}
		this.bar.hidden = !text;
		this._barText.textContent = text;
		this._barFinish.hidden = !(m === 'draw' || m === 'split');
		// Only drawing and vertex edits snap onto neighbours' edges.
		this._barShare.hidden = !(m === 'draw' || (s && (s.kind === 'vertex' || s.kind === 'cut')));
		this._barShareBox.checked = this.shareEdges;
		this._barMove.hidden = !(s && s.kind === 'vertex');
		this._barMoveBox.checked = wanmu.SharedVertices.enabled();
		this.snap.el.hidden = this._barShare.hidden && m !== 'split';
		if (this.snap.el.hidden) {
			this.snap.popover.hidden = true;
		}
		this._typed.el.hidden = !(m === 'draw' || m === 'split');
		this._syncConstraintSnap();
		this._barSave.hidden = !s;
		this._barSave.disabled = this.busy || !(s && s.dirty);
		this._barCancel.hidden = false;
	};

	// setShareEdges switches inserting edge-snapped points into neighbours
	// on or off (kept for the next visit).
	Editor.prototype.setShareEdges = function (on) {
		this.shareEdges = !!on;
		try {
			window.localStorage.setItem(SHARE_KEY, on ? 'on' : 'off');
		} catch (e) { /* storage disabled: for this visit only */ }
	};

	// _applySnap puts changed snapping options into the draw modes and the
	// layer being edited now (Geoman reads them on every mouse move).
	Editor.prototype._applySnap = function (opts) {
		this.map.pm.setGlobalOptions(opts);
		var s = this.session;
		if (s && s.copy.pm && s.copy.pm.setOptions) {
			s.copy.pm.setOptions(opts);
		}
		this._syncConstraintSnap();
		var hint = this.map.pm.Draw.Polygon._hintMarker;
		if (!opts.snappable && hint) {
			hint._snapped = false; // else the next click still lands on the old snap
		}
	};

	// _syncConstraintSnap reads the constraint layers' parcels in view while
	// a session snaps with that option on, and drops them otherwise.
	Editor.prototype._syncConstraintSnap = function () {
		var v = this.snap.value;
		this.constraintSnap.setActive(!this.snap.el.hidden && v.on && v.layers && (v.vertex || v.edge));
	};

	Editor.prototype._showConstraintSnap = function () {
		this.snap.setLayersStatus(this.constraintSnap.describe());
	};

	Editor.prototype._key = function (e) {
		var tag = e.target && e.target.tagName;
		if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || document.querySelector('dialog[open]')) {
			return;
		}
		if (e.key === 'Escape' && (this.mode !== 'select' || this.session)) {
			// Else the browser takes this same Esc as closing the "discard
			// changes?" dialog that cancel opens: unsaved edits stayed.
			e.preventDefault();
			this.cancel();
		} else if ((e.ctrlKey || e.metaKey) && (e.key === 'z' || e.key === 'Z') && wanmu.permissions.mayWriteHere()) {
			e.preventDefault();
			if (e.shiftKey) {
				this.redo();
			} else {
				this.undo();
			}
		} else if ((e.ctrlKey || e.metaKey) && e.key === 'y' && wanmu.permissions.mayWriteHere()) {
			e.preventDefault();
			this.redo();
		} else if (e.key === 'Enter' && (this.mode === 'draw' || this.mode === 'split')) {
			this.finishDraw();
		}
	};

	wanmu.Editor = Editor;
})(window.wanmu = window.wanmu || {});
