// app.js: the planner's map. Signs the user in (or sends them to the sign-in
// page), builds the map and the panels, loads the zones, platforms and
// layers, and keeps them in step after every write. The one app object is
// wanmu.app.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	function App() {
		wanmu.Emitter.call(this);
		this.user = null;
		this.config = {};
		this.platforms = [];
		this.layers = [];
		this.tileLayers = {};
		this.tilesMissing = false;
		// Restore is offered to administrators until the server says it
		// has no such endpoint (404).
		this.capabilities = { restore: true };
		this.activePlatformId = null;
		this.ready = false;
		this.zoneViewLimit = 2000; // zones the map draws as editable vectors at once
	}
	App.prototype = Object.create(wanmu.Emitter.prototype);

	App.prototype.start = function () {
		var self = this;
		wanmu.i18n.apply(document);
		this._wireSwitches();
		wanmu.api.on('unauthorized', function () { self.toLogin(); });
		// The settings and the session are asked for together, the data as
		// soon as the session is known, while the map is built: each step
		// waiting for the one before cost a new visitor half a second (issue 15).
		var me = wanmu.api.get('/auth/me', null, { quiet401: true });
		me.catch(function () { /* read by _whoAmI */ });
		return wanmu.api.get('/config', null, { quiet401: true }).catch(function () { return {}; }).then(function (cfg) {
			self.config = cfg || {};
			wanmu.style.setRegion(self.config.region); // the city's counties (internal/region)
			wanmu.style.setSymbology(self.config.symbology); // the map's colours (internal/symbology)
			if (self.config.region) { // titles and Gauss-Kruger names after the city and its zone
				wanmu.coords.setRegion(self.config.region);
				wanmu.i18n.apply(document);
			}
			return self._whoAmI(me);
		}).then(function (ok) {
			if (!ok) {
				return;
			}
			var data = self.fetchAll();
			self._build();
			return self.loadAll({ fit: true, data: data }).then(function () {
				self.ready = true;
				document.body.classList.add('ready');
				// The constraint layers' tiles come after the zones and the
				// platform figures, not in their way.
				(self._tilesAfterReady || []).forEach(function (tl) { tl.addTo(self.map); });
				self._tilesAfterReady = null;
				self.fire('layers');
				self.fire('ready');
			});
		}).catch(function (err) {
			if (err && err.status === 401) {
				return;
			}
			wanmu.notifyError(err, t('app.loadFailed'));
		});
	};

	// _whoAmI asks for the session; resolves false when leaving for sign-in.
	App.prototype._whoAmI = function (asked) {
		var self = this;
		return (asked || wanmu.api.get('/auth/me', null, { quiet401: true })).then(function (me) {
			self.user = me.user;
			wanmu.api.setCsrf(me.csrf_token);
			return true;
		}, function (err) {
			if (err.status === 401) {
				if (self.config.public_read) {
					self.user = null; // anonymous reader
					return true;
				}
				self.toLogin();
				return false;
			}
			if (err.status === 404) {
				// A server without sign-in (development): anonymous writes are allowed.
				self.user = { id: 0, name: t('user.anonymous'), role: 'admin', noAuth: true };
				return true;
			}
			throw err;
		});
	};

	App.prototype.toLogin = function () {
		if (this._leaving) {
			return;
		}
		this._leaving = true;
		var here = window.location.pathname + window.location.search + window.location.hash;
		window.location.assign('/login.html?next=' + encodeURIComponent(here));
	};

	App.prototype.role = function () {
		return this.user ? this.user.role : 'anonymous';
	};

	// ---- layout -------------------------------------------------------------

	App.prototype._build = function () {
		var self = this;
		document.body.dataset.role = this.role();
		this.mapEl = document.getElementById('map');
		var map = this.map = L.map(this.mapEl, {
			zoomControl: false, boxZoom: false, attributionControl: false, minZoom: 5, maxZoom: 19,
			center: wanmu.style.regionCenter(), zoom: 9, zoomSnap: 0.5, wheelPxPerZoomLevel: 90
		});
		[['wanmuHalo', 380], ['wanmuZones', 410], ['wanmuCompare', 420], ['wanmuEdit', 430], ['wanmuLabels', 450]].forEach(function (p) {
			map.createPane(p[0]).style.zIndex = p[1];
		});
		map.getPane('wanmuLabels').style.pointerEvents = 'none';
		L.control.zoom({ position: 'topleft', zoomInTitle: t('map.zoomIn'), zoomOutTitle: t('map.zoomOut') }).addTo(map);
		L.control.scale({ position: 'bottomleft', imperial: false, maxWidth: 140 }).addTo(map);
		// "示例数据" only on the sample data loaded at first start.
		var attributionKey = this.config.sample_data ? 'map.attribution' : 'map.attributionOwn';
		var attribution = L.control.attribution({ position: 'bottomright', prefix: false }).addAttribution(t(attributionKey)).addTo(map);
		var attributionText = t(attributionKey);
		wanmu.i18n.on('langchange', function () {
			attribution.removeAttribution(attributionText);
			attributionText = t(attributionKey);
			attribution.addAttribution(attributionText);
		});
		new wanmu.StatusBar().addTo(map);
		var note = L.control({ position: 'bottomright' });
		note.onAdd = function () { return h('div', { className: 'zone-overview-note', i18n: 'map.zoneOverview' }); };
		note.addTo(map);
		this.liveArea = new wanmu.LiveArea().addTo(map);
		this.basemaps = new wanmu.BasemapSwitcher({ app: this }).addTo(map); // includes --basemap
		this.zones = new wanmu.ZoneLayer().addTo(map);
		this.compare = new wanmu.CompareLayer().addTo(map);
		this.diff = new wanmu.DiffView(this); // what differs between two plans (layer/DiffView.js)
		this.selection = new wanmu.Selection(this);
		this.editor = new wanmu.Editor(this);
		this.measure = new wanmu.MeasureTool({ app: this }).addTo(map); // under the zoom buttons, every role
		this.zones.on('zoneclick', function (e) {
			if (self.editor.mode !== 'select' && self.editor.mode !== 'box') {
				return;
			}
			self.selection.click(e.id, e.originalEvent && (e.originalEvent.shiftKey || e.originalEvent.ctrlKey || e.originalEvent.metaKey));
			if (!(self.rightTab === 'platform' && self.activePlatformId)) {
				self.setTab('feature');
			}
		});
		this.zones.on('platformclick', function (e) { self.showPlatform(e.id); });
		map.on('click', function (e) {
			if (self.editor.mode === 'select' && !e.originalEvent.shiftKey && !self.editor.session) {
				self.selection.clear();
			}
		});
		this.toolbar = new wanmu.Toolbar(this);
		this.layersPanel = new wanmu.LayersPanel(this, document.getElementById('layers'));
		this.detailPanel = new wanmu.DetailPanel(this, document.getElementById('detail'));
		this.developable = new wanmu.DevelopableLayer(this); // before the panel, which shows its toggle
		this.platformPanel = new wanmu.PlatformPanel(this, document.getElementById('platform'));
		this.overview = new wanmu.Overview(this, document.getElementById('overview'));
		this._wireTopbar();
		this.setTab('feature');
		this.toggleOverview(window.localStorage.getItem('wanmu.overview') !== 'closed');
		this.panelToggle = new wanmu.PanelToggle(this);
		this.shortcuts = new wanmu.Shortcuts(this);
		wanmu.i18n.on('langchange', function () {
			document.title = t('app.title');
		});
	};

	App.prototype._wireSwitches = function () {
		segmented(document.getElementById('units'), wanmu.units.list, wanmu.units.current(), function (u) { wanmu.units.set(u); },
			function (u) { return 'unit.' + u; });
		segmented(document.getElementById('lang'), wanmu.i18n.languages, wanmu.i18n.lang(), function (l) { wanmu.i18n.setLang(l); },
			function (l) { return 'lang.' + l; });
	};

	// segmented fills a button group where one option is on.
	function segmented(el, values, current, choose, key) {
		if (!el) {
			return;
		}
		wanmu.dom.clear(el);
		values.forEach(function (v) {
			var b = h('button', { className: 'seg-btn' + (v === current ? ' on' : ''), attrs: { type: 'button', 'data-value': v, 'aria-pressed': v === current ? 'true' : 'false' }, i18n: key(v) });
			b.addEventListener('click', function () {
				el.querySelectorAll('.seg-btn').forEach(function (x) {
					x.classList.toggle('on', x === b);
					x.setAttribute('aria-pressed', x === b ? 'true' : 'false');
				});
				choose(v);
			});
			el.appendChild(b);
		});
	}

	App.prototype._wireTopbar = function () {
		var self = this;
		var canEdit = this.editor.canEdit();
		document.getElementById('btn-overview').addEventListener('click', function () { self.toggleOverview(); });
		document.getElementById('btn-export').addEventListener('click', function () { self.openExport(false); });
		this.printLayout = new wanmu.PrintLayout(this);
		this.scenarios = new wanmu.ScenarioSwitcher(this, document.getElementById('scenario'));
		document.getElementById('btn-print').addEventListener('click', function () { self.printLayout.open(); });
		document.getElementById('btn-evaluation').addEventListener('click', function () { wanmu.EvaluationDialog.open(self); });
		document.getElementById('btn-assessment').addEventListener('click', function () { wanmu.AssessmentDialog.open(self); });
		var imp = document.getElementById('btn-import');
		imp.hidden = !canEdit;
		if (canEdit && !wanmu.permissions.mayImport()) { // imports are for the city's editors
			imp.disabled = true;
			imp.title = t('perm.import', { counties: wanmu.permissions.names(wanmu.permissions.limit()) });
		}
		imp.addEventListener('click', function () { self.openImport(); });
		document.querySelectorAll('.tabs [data-tab]').forEach(function (b) {
			b.addEventListener('click', function () { self.setTab(b.dataset.tab); });
		});
		this._renderUser();
		wanmu.i18n.on('langchange', this._renderUser, this);
		var search = document.getElementById('search');
		// Enter searches; 'change' (a name picked from the list, or Enter
		// again) only when this text has not just been searched: once per Enter.
		var searched = null;
		var run = function () {
			if (search.value !== searched) {
				searched = search.value;
				self._search(search.value);
			}
		};
		search.addEventListener('input', function () { searched = null; });
		search.addEventListener('change', run);
		search.addEventListener('keydown', function (e) {
			if (e.key === 'Enter') {
				searched = null;
				run();
			}
		});
		this.on('zones', this._fillSearch, this);
	};

	App.prototype._fillSearch = function () {
		var list = document.getElementById('search-names');
		wanmu.dom.clear(list);
		var names = {};
		this.zones.features().forEach(function (f) { names[f.properties.name] = true; });
		this.platforms.forEach(function (p) { names[p.name] = true; });
		Object.keys(names).sort().forEach(function (n) { list.appendChild(h('option', { value: n })); });
	};

	App.prototype._search = function (q) {
		var self = this;
		q = (q || '').trim();
		if (!q) {
			return;
		}
		// Retired zones (deleted, merged, split) are searched on the server:
		// the map holds only live ones.
		if (document.getElementById('search-retired').checked) {
			wanmu.api.get('/zones', { retired: 'only', q: q }).then(function (fc) {
				var fs = fc.features || [];
				if (!fs.length) {
					wanmu.notify(t('search.noneRetired', { q: q }), 'info');
					return;
				}
				self.detailPanel.showRetiredList(fs);
			}, function (err) {
				wanmu.notifyError(err, t('search.failed'));
			});
			return;
		}
		// A platform by its full name, or by part of its name when only one
		// has it (saying so if a county matched too); then a county's name
		// (莲都 or 莲都区, either language) finds its zones; else zones by
		// name or document number.
		var lq = q.toLowerCase();
		var ps = this.platforms.filter(function (x) { return x.name === q; });
		var county = lq.length < 2 ? null : wanmu.style.counties.filter(function (c) {
			return ['zh', 'en'].some(function (l) {
				var n = (wanmu.messages[l]['county.' + c] || '').toLowerCase();
				return n && (n.indexOf(lq) === 0 || lq === n);
			});
		})[0];
		if (!ps.length) {
			ps = this.platforms.filter(function (x) { return x.name.toLowerCase().indexOf(lq) >= 0; });
		}
		if (ps.length === 1) {
			this.showPlatform(ps[0].id, true);
			if (county) {
				wanmu.notify(t('search.alsoCounty', { name: ps[0].name, county: t('county.' + county) }), 'info');
			}
			return;
		}
		// Zones are searched on the server too: the map holds only those
		// in view.
		wanmu.api.get('/zones', county ? { county: county, limit: 200 } : { q: q, limit: 200 }).then(function (fc) {
			var hits = fc.features || [];
			if (!hits.length && ps.length > 1) {
				wanmu.notify(t('search.platforms', { n: ps.length, names: ps.map(function (x) { return x.name; }).join('、') }), 'info');
				return;
			}
			if (!hits.length) {
				wanmu.notify(t('search.none', { q: q }), 'info', t('search.tryRetired'));
				return;
			}
			self.zones.addMany(hits);
			var ids = hits.map(function (f) { return f.properties.id; });
			self.selection.set(ids);
			self.zoomToZones(ids);
			self.setTab('feature');
			self.fire('zones');
		}, function (err) {
			wanmu.notifyError(err, t('search.failed'));
		});
	};

	App.prototype._renderUser = function () {
		var self = this;
		var el = document.getElementById('user');
		wanmu.dom.clear(el);
		if (!this.user) {
			el.appendChild(h('a', { className: 'btn btn-small', href: '/login.html', i18n: 'login.submit' }));
			return;
		}
		var menu = h('div', { className: 'menu' },
			h('div', { className: 'menu-info' }, h('strong', { text: this.user.name }), h('span', { className: 'muted', text: t('role.user.' + this.user.role) }),
				wanmu.permissions.limit() ? h('span', { className: 'muted', attrs: { 'data-field': 'counties' }, text: t('perm.only', { counties: wanmu.permissions.names(wanmu.permissions.limit()) }) }) : null),
			this.user.role === 'admin' && !this.user.noAuth ? h('button', { className: 'menu-item', attrs: { type: 'button', 'data-action': 'new-user' }, i18n: 'user.manage', on: { click: function () { details.open = false; wanmu.UserDialog.open(); } } }) : null,
			!this.user.noAuth ? h('button', { className: 'menu-item', attrs: { type: 'button', 'data-action': 'logout' }, i18n: 'user.logout', on: { click: function () { self.logout(); } } }) : null);
		var details = h('details', { className: 'user-menu' },
			h('summary', null, wanmu.icon('user', 16), h('span', { className: 'user-name', text: this.user.name }),
				h('span', { className: 'role-badge role-' + this.user.role, text: t('role.user.' + this.user.role) })),
			menu);
		el.appendChild(details);
		if (!this._menuCloser) {
			// One listener for the page: a click elsewhere closes the menu.
			this._menuCloser = function (e) {
				var d = document.querySelector('#user details');
				if (d && !d.contains(e.target)) {
					d.open = false;
				}
			};
			document.addEventListener('click', this._menuCloser);
		}
	};

	App.prototype.logout = function () {
		wanmu.api.send('POST', '/auth/logout', {}, { quiet401: true }).catch(function () { return null; }).then(function () {
			window.location.assign('/login.html');
		});
	};

	App.prototype.setTab = function (tab) {
		this.rightTab = tab;
		document.querySelectorAll('.tabs [data-tab]').forEach(function (b) {
			b.classList.toggle('on', b.dataset.tab === tab);
			b.setAttribute('aria-selected', b.dataset.tab === tab ? 'true' : 'false');
		});
		document.getElementById('detail').hidden = tab !== 'feature';
		document.getElementById('platform').hidden = tab !== 'platform';
	};

	App.prototype.toggleOverview = function (on) {
		var el = document.getElementById('overview');
		if (on === undefined) {
			on = el.hidden;
		}
		el.hidden = !on;
		document.getElementById('btn-overview').classList.toggle('on', on);
		try {
			window.localStorage.setItem('wanmu.overview', on ? 'open' : 'closed');
		} catch (e) { /* ignore */ }
		if (this.map) {
			this.map.invalidateSize();
		}
	};

	// ---- data ---------------------------------------------------------------

	// A small installation's zones are all loaded at once, as they always
	// were. With more than zoneViewLimit zones, they are loaded by the view's
	// box instead, so tens of thousands open in a moment: where more than
	// zoneViewLimit are in view, the map shows them as overview tiles and
	// asks to zoom in to select and edit; panning loads the new view's zones.
	var ZONE_KEEP = 6000;

	// fetchAll asks at once for the layers, the zone counts, the platforms
	// and the zones, unless the count seen last time says they are drawn by
	// view (then the zones wait for the counts; the counts decide).
	App.prototype.fetchAll = function () {
		var self = this;
		var limit = this.zoneViewLimit;
		var seen = 0;
		try {
			seen = +window.localStorage.getItem('wanmu.zoneCount') || 0;
		} catch (e) { /* no storage: ask at once */ }
		var early = seen > limit ? null : wanmu.api.get('/zones', { limit: limit });
		var summary = wanmu.api.get('/zones/summary');
		var d = {
			layers: wanmu.api.get('/layers'),
			summary: summary,
			platforms: wanmu.api.get('/platforms'),
			zones: summary.then(function (sum) {
				try {
					window.localStorage.setItem('wanmu.zoneCount', String(sum.count || 0));
				} catch (e) { /* ignore */ }
				return (sum.count || 0) > limit ? null : early || wanmu.api.get('/zones', { limit: limit });
			})
		};
		if (early) {
			early.catch(function () { /* d.zones reports it */ });
		}
		Object.keys(d).forEach(function (k) { d[k].catch(function () { /* loadAll reports it */ }); });
		return d;
	};

	App.prototype.loadAll = function (opts) {
		var self = this;
		var d = (opts && opts.data) || this.fetchAll();
		return Promise.all([d.layers, d.summary, d.platforms]).then(function (res) {
			self.setLayers(res[0].layers || []);
			self.zoneSummary = res[1];
			self._setPlatforms(res[2].platforms || []);
			if (opts && opts.fit) {
				self.fitAll();
			}
			self.zonesByView = (res[1].count || 0) > self.zoneViewLimit;
			if (!self._viewWired) {
				self._viewWired = true;
				self.map.on('moveend', self._viewMoved, self);
			}
			if (self.zonesByView) {
				return self.loadZonesInView(true);
			}
			self._setZoneOverview(false);
			return d.zones.then(function (fc) {
				self.zones.setData((fc && fc.features) || []);
				self.fire('zones');
			});
		});
	};

	App.prototype._viewMoved = function () {
		var self = this;
		if (!this.zonesByView) {
			return;
		}
		clearTimeout(this._viewTimer);
		this._viewTimer = setTimeout(function () { self.loadZonesInView(false); }, 150);
	};

	// loadZonesInView loads the zones in (a margin around) the view, in place
	// of those loaded before when replace is set. An answer overtaken by a
	// later move is dropped.
	App.prototype.loadZonesInView = function (replace) {
		var self = this;
		var b = this.map.getBounds().pad(0.3);
		var box = [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()), Math.min(90, b.getNorth())]
			.map(function (v) { return v.toFixed(6); }).join(',');
		var seq = this._viewSeq = (this._viewSeq || 0) + 1;
		return wanmu.api.get('/zones', { bbox: box, limit: this.zoneViewLimit }).then(function (fc) {
			if (seq !== self._viewSeq) {
				return;
			}
			var more = (fc.links || []).some(function (l) { return l.rel === 'next'; });
			self._setZoneOverview(more);
			if (replace) {
				self.zones.setData(more ? [] : fc.features || []);
			} else if (!more) {
				self.zones.addMany(fc.features || []);
				if (self.zones.count() > ZONE_KEEP) {
					self.zones.prune(b);
				}
			}
			self.fire('zones');
		});
	};

	// _setZoneOverview switches between the zones as editable vectors and,
	// with too many in view, the overview tiles of all of them.
	App.prototype._setZoneOverview = function (on) {
		if (!!this.zoneOverview === on) {
			return;
		}
		this.zoneOverview = on;
		if (!this.overviewTiles) {
			this.overviewTiles = new wanmu.TileGeoJSONLayer({ layer: 'zones', style: wanmu.style.zoneTileStyle, zIndex: 40 });
		}
		if (on) {
			this.overviewTiles.addTo(this.map);
		} else {
			this.map.removeLayer(this.overviewTiles);
		}
		document.body.classList.toggle('zones-overview', on);
		this.fire('zoneoverview', { on: on });
	};

	// refreshSummary reloads the counts of all zones after a write (soon
	// after: a merge or an undo writes several).
	App.prototype.refreshSummary = function () {
		var self = this;
		clearTimeout(this._summaryTimer);
		this._summaryTimer = setTimeout(function () {
			wanmu.api.get('/zones/summary').then(function (sum) {
				self.zoneSummary = sum;
				self.fire('zones');
			}, function () { /* the counts stay as they were */ });
		}, 100);
	};

	// ensurePlatformZones loads a platform's member zones if some are not on
	// the map (outside the view), then resolves.
	App.prototype.ensurePlatformZones = function (p) {
		var self = this;
		var missing = (p.zone_ids || []).some(function (id) { return !self.zones.feature(id); });
		if (!missing) {
			return Promise.resolve();
		}
		return wanmu.api.get('/zones', { platform: p.id, limit: 5000 }).then(function (fc) {
			self.zones.addMany(fc.features || []);
			self.fire('zones');
		});
	};

	// ensureZones loads the given zones if they are not on the map yet (a
	// platform's members outside the view, say), then resolves.
	App.prototype.ensureZones = function (ids) {
		var self = this;
		var missing = ids.filter(function (id) { return !self.zones.feature(id); });
		if (!missing.length) {
			return Promise.resolve();
		}
		return Promise.all(missing.map(function (id) {
			return wanmu.api.get('/zones/' + id).catch(function () { return null; });
		})).then(function (fs) {
			self.zones.addMany(fs.filter(function (f) { return f && !f.properties.retired_at; }));
			self.fire('zones');
		});
	};

	App.prototype.setLayers = function (layers) {
		var self = this;
		this.layers = layers;
		layers.forEach(function (l) {
			if (self.tileLayers[l.id]) {
				return;
			}
			var big = l.features > 5000;
			var tl = new wanmu.TileGeoJSONLayer({
				layer: 'layer-' + l.id, style: wanmu.style.layerStyle(l),
				opacity: l.kind === 'exclude' ? 0.8 : 1, zIndex: l.kind === 'reference' ? 30 : (l.kind === 'include' ? 20 : 10)
			});
			tl.on('tilefailed', function (e) {
				if (e.status === 404 && !self.tilesMissing) {
					self.tilesMissing = true;
					self.fire('layers');
				}
			});
			self.tileLayers[l.id] = tl;
			wanmu.api.get('/tiles/layer-' + l.id + '.json', null, { quiet401: true }).then(function (tj) {
				// TileJSON lists MVT first; this layer draws the GeoJSON tiles.
				var tmpl = (tj && tj.geojson_tiles && tj.geojson_tiles[0]) ||
					(tj && tj.tiles || []).filter(function (u) { return /\.geojson/.test(u); })[0];
				if (tmpl) {
					tl.options.template = tmpl.replace(/^https?:\/\/[^/]+/, '');
				}
				if (tj && tj.maxzoom) {
					tl.options.maxNativeZoom = tj.maxzoom;
				}
				if (!big && self.ready) {
					tl.addTo(self.map);
				} else if (!big) {
					(self._tilesAfterReady = self._tilesAfterReady || []).push(tl);
				}
				self.fire('layers');
			}, function () {
				self.tilesMissing = true;
				self.fire('layers');
			});
		});
		this.fire('layers');
	};

	App.prototype._setPlatforms = function (list) {
		this.platforms = list.filter(function (p) { return !p.retired_at; });
		this.zones.setPlatforms(this.platforms);
		this.fire('platforms');
	};

	// refreshPlatforms reloads the platform list with their figures.
	App.prototype.refreshPlatforms = function () {
		var self = this;
		return wanmu.api.get('/platforms').then(function (res) {
			self._setPlatforms(res.platforms || []);
		});
	};

	App.prototype.platformById = function (id) {
		return this.platforms.filter(function (p) { return p.id === id; })[0] || null;
	};

	// zoneChanged takes a zone written to or read from the server.
	App.prototype.zoneChanged = function (f) {
		var old = this.zones.feature(f.properties.id);
		this.zones.upsert(f);
		this.refreshSummary();
		this.selection.prune();
		this.fire('zones');
		this._platformsTouched([old && old.properties.platform_id, f.properties.platform_id]);
	};

	App.prototype.zoneRetired = function (id) {
		var old = this.zones.feature(id);
		this.zones.remove(id);
		this.refreshSummary();
		this.selection.prune();
		this.fire('zones');
		this._platformsTouched([old && old.properties.platform_id]);
	};

	// setZonePlatform records membership locally after a membership write.
	App.prototype.setZonePlatform = function (ids, platform) {
		ids.forEach(function (id) {
			var f = this.zones.feature(id);
			if (!f) {
				return;
			}
			var props = L.extend({}, f.properties, { platform_id: platform ? platform.id : null, platform_name: platform ? platform.name : null });
			this.zones.upsert({ type: 'Feature', geometry: f.geometry, properties: props, id: f.id });
		}, this);
		this.selection.set(this.selection.ids());
		this.fire('zones');
	};

	// _platformsTouched refreshes the figures when a member zone changed, so
	// the developable bar moves the moment a boundary does.
	App.prototype._platformsTouched = function (ids) {
		ids = ids.filter(Boolean);
		if (!ids.length) {
			return;
		}
		this.refreshPlatforms();
		if (this.activePlatformId && ids.indexOf(this.activePlatformId) >= 0) {
			this.platformPanel.refresh();
		}
	};

	// ---- navigation -----------------------------------------------------------

	App.prototype.fitAll = function () {
		var e = this.zoneSummary && this.zoneSummary.bbox;
		var b = e ? L.latLngBounds([e[1], e[0]], [e[3], e[2]]) : this.zones.boundsOf([]);
		if (b.isValid()) {
			// The zones (and the platform labels above them) clear of the toolbar.
			var bar = this.toolbar && this.toolbar.el;
			var top = bar && bar.offsetHeight ? bar.offsetTop + bar.offsetHeight + 12 : 30;
			this.map.fitBounds(b, { paddingTopLeft: [30, top], paddingBottomRight: [30, 30], animate: false });
		}
	};

	App.prototype.zoomToZones = function (ids) {
		var self = this;
		this.ensureZones(ids).then(function () {
			var b = self.zones.boundsOf(ids);
			if (b.isValid()) {
				self.map.fitBounds(b, { padding: [60, 60], maxZoom: 15 });
			}
		});
	};

	App.prototype.zoomToPlatform = function (id) {
		var p = this.platformById(id);
		if (p && p.zone_ids && p.zone_ids.length) {
			this.zoomToZones(p.zone_ids);
		}
	};

	App.prototype.showPlatform = function (id, zoom) {
		this.setTab('platform');
		if (this.activePlatformId !== id || !this.platformPanel.report) {
			this.platformPanel.show(id);
		}
		if (zoom) {
			this.zoomToPlatform(id);
		}
		this.fire('platforms');
	};

	App.prototype.openExport = function (selectionOnly) {
		wanmu.ExportDialog.open(this, { selectionOnly: selectionOnly });
	};

	App.prototype.openImport = function () {
		wanmu.ImportDialog.open(this);
	};

	// canRestore: restoring any past version is an administrator's, where the
	// server offers it (an editor's undo of their own change is not this).
	App.prototype.canRestore = function () {
		return !!this.user && this.user.role === 'admin' && this.capabilities.restore;
	};

	// markProblem puts a red mark where the server located a geometry
	// problem (problem+json "location": [lng, lat]).
	App.prototype.markProblem = function (err) {
		var loc = err && err.problem && err.problem.location;
		if (!this.map || !loc || loc.length !== 2) {
			return;
		}
		var m = L.circleMarker([loc[1], loc[0]], { radius: 9, color: '#b8322a', weight: 2.5, fillColor: '#b8322a', fillOpacity: 0.25, pane: 'wanmuCompare', pmIgnore: true, snapIgnore: true });
		m.bindTooltip(wanmu.dom.h('span', { text: err.problem.errors && err.problem.errors[0] ? err.problem.errors[0].message : err.describe() }), { permanent: true, direction: 'right', className: 'problem-tip' });
		this.compare.addLayer(m);
	};

	wanmu.App = App;

	document.addEventListener('DOMContentLoaded', function () {
		wanmu.app = new App();
		wanmu.app.start();
	});
})(window.wanmu = window.wanmu || {});
