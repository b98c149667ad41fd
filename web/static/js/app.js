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
	}
	App.prototype = Object.create(wanmu.Emitter.prototype);

	App.prototype.start = function () {
		var self = this;
		wanmu.i18n.apply(document);
		this._wireSwitches();
		wanmu.api.on('unauthorized', function () { self.toLogin(); });
		return wanmu.api.get('/config', null, { quiet401: true }).catch(function () { return {}; }).then(function (cfg) {
			self.config = cfg || {};
			return self._whoAmI();
		}).then(function (ok) {
			if (!ok) {
				return;
			}
			self._build();
			return self.loadAll().then(function () {
				self.fitAll();
				self.ready = true;
				document.body.classList.add('ready');
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
	App.prototype._whoAmI = function () {
		var self = this;
		return wanmu.api.get('/auth/me', null, { quiet401: true }).then(function (me) {
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
			center: [28.2, 119.7], zoom: 9, zoomSnap: 0.5, wheelPxPerZoomLevel: 90
		});
		[['wanmuHalo', 380], ['wanmuZones', 410], ['wanmuCompare', 420], ['wanmuEdit', 430], ['wanmuLabels', 450]].forEach(function (p) {
			map.createPane(p[0]).style.zIndex = p[1];
		});
		map.getPane('wanmuLabels').style.pointerEvents = 'none';
		L.control.zoom({ position: 'topleft', zoomInTitle: t('map.zoomIn'), zoomOutTitle: t('map.zoomOut') }).addTo(map);
		L.control.scale({ position: 'bottomleft', imperial: false, maxWidth: 140 }).addTo(map);
		var attribution = L.control.attribution({ position: 'bottomright', prefix: false }).addAttribution(t('map.attribution')).addTo(map);
		var attributionText = t('map.attribution');
		wanmu.i18n.on('langchange', function () {
			attribution.removeAttribution(attributionText);
			attributionText = t('map.attribution');
			attribution.addAttribution(attributionText);
		});
		new wanmu.StatusBar().addTo(map);
		this.liveArea = new wanmu.LiveArea().addTo(map);
		if (this.config.basemap_url) {
			this.basemap = L.tileLayer(this.config.basemap_url, { maxZoom: 19, zIndex: 1, opacity: 0.75, className: 'basemap' }).addTo(map);
		}
		this.zones = new wanmu.ZoneLayer().addTo(map);
		this.compare = new wanmu.CompareLayer().addTo(map);
		this.selection = new wanmu.Selection(this);
		this.editor = new wanmu.Editor(this);
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
		this.platformPanel = new wanmu.PlatformPanel(this, document.getElementById('platform'));
		this.overview = new wanmu.Overview(this, document.getElementById('overview'));
		this._wireTopbar();
		this.setTab('feature');
		this.toggleOverview(window.localStorage.getItem('wanmu.overview') !== 'closed');
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
		var imp = document.getElementById('btn-import');
		imp.hidden = !canEdit;
		imp.addEventListener('click', function () { self.openImport(); });
		document.querySelectorAll('.tabs [data-tab]').forEach(function (b) {
			b.addEventListener('click', function () { self.setTab(b.dataset.tab); });
		});
		this._renderUser();
		wanmu.i18n.on('langchange', this._renderUser, this);
		var search = document.getElementById('search');
		search.addEventListener('change', function () { self._search(search.value); });
		search.addEventListener('keydown', function (e) {
			if (e.key === 'Enter') {
				self._search(search.value);
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
		var p = this.platforms.filter(function (x) { return x.name === q; })[0];
		if (p) {
			this.showPlatform(p.id, true);
			return;
		}
		var hits = this.zones.features().filter(function (f) { return f.properties.name.indexOf(q) >= 0; });
		if (!hits.length) {
			wanmu.notify(t('search.none', { q: q }), 'info', t('search.tryRetired'));
			return;
		}
		var ids = hits.map(function (f) { return f.properties.id; });
		this.selection.set(ids);
		this.zoomToZones(ids);
		this.setTab('feature');
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
			h('div', { className: 'menu-info' }, h('strong', { text: this.user.name }), h('span', { className: 'muted', text: t('role.user.' + this.user.role) })),
			this.user.role === 'admin' && !this.user.noAuth ? h('button', { className: 'menu-item', attrs: { type: 'button', 'data-action': 'new-user' }, i18n: 'user.new', on: { click: function () { details.open = false; wanmu.UserDialog.open(); } } }) : null,
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

	App.prototype.loadAll = function () {
		var self = this;
		return Promise.all([
			wanmu.api.get('/layers'),
			wanmu.api.get('/zones'),
			wanmu.api.get('/platforms')
		]).then(function (res) {
			self.setLayers(res[0].layers || []);
			self.zones.setData(res[1].features || []);
			self._setPlatforms(res[2].platforms || []);
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
				if (!big) {
					tl.addTo(self.map);
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
		this.selection.prune();
		this.fire('zones');
		this._platformsTouched([old && old.properties.platform_id, f.properties.platform_id]);
	};

	App.prototype.zoneRetired = function (id) {
		var old = this.zones.feature(id);
		this.zones.remove(id);
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
		var b = this.zones.boundsOf([]);
		if (b.isValid()) {
			this.map.fitBounds(b, { padding: [30, 30], animate: false });
		}
	};

	App.prototype.zoomToZones = function (ids) {
		var b = this.zones.boundsOf(ids);
		if (b.isValid()) {
			this.map.fitBounds(b, { padding: [60, 60], maxZoom: 15 });
		}
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
