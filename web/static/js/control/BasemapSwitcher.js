// BasemapSwitcher.js: the basemap under the zones (bottom left). None is the
// offline default; OpenStreetMap; the server's --basemap template when it
// has one; and 天地图 vector, imagery and terrain, each with its annotation
// layer, once an administrator has entered a 天地图 key (the "设置天地图密钥"
// form here, PUT /settings/basemap). 天地图 is CGCS2000 and lines up with the
// data; GCJ-02 services (高德, 百度, 腾讯) are offset by about 600 m in 丽水
// and are deliberately not offered. The choice is kept in localStorage.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var STORE = 'wanmu.basemap';
	var OSM = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
	// 天地图's base and annotation layers (Web Mercator tile matrix "w").
	var TDT = { 'tdt-vec': ['vec', 'cva'], 'tdt-img': ['img', 'cia'], 'tdt-ter': ['ter', 'cta'] };
	var KEY_RE = /^[0-9a-fA-F]{32}$/;
	// Tiles failing in a row, none loading in between, before the planner is
	// told: a wrong 天地图 key (403) or no internet otherwise looks like a
	// blank map.
	var FAILS = 4;

	function stored() {
		try { return localStorage.getItem(STORE); } catch (e) { return null; }
	}

	wanmu.BasemapSwitcher = L.Control.extend({
		options: { position: 'bottomleft', app: null },

		onAdd: function (map) {
			this._map = map;
			this._layer = null;
			this.current = 'none';
			this._el = h('div', { className: 'wanmu-basemap leaflet-bar', attrs: { 'data-basemap-switcher': '' } });
			L.DomEvent.disableClickPropagation(this._el);
			L.DomEvent.disableScrollPropagation(this._el);
			this._render();
			var ids = this.choices().map(function (c) { return c.id; });
			var want = stored();
			if (ids.indexOf(want) < 0) {
				want = ids.indexOf('server') >= 0 ? 'server' : 'none'; // --basemap stays the initial choice
			}
			this.choose(want, true);
			return this._el;
		},

		config: function () { return this.options.app.config || {}; },

		tianditu: function () {
			var td = this.config().tianditu;
			return td && td.key ? td : null;
		},

		// choices lists what can be chosen now.
		choices: function () {
			var out = [{ id: 'none', label: 'basemap.none' }];
			if (this.tianditu()) {
				out.push({ id: 'tdt-vec', label: 'basemap.tdtVec' }, { id: 'tdt-img', label: 'basemap.tdtImg' }, { id: 'tdt-ter', label: 'basemap.tdtTer' });
			}
			out.push({ id: 'osm', label: 'basemap.osm' });
			if (this.config().basemap_url) {
				out.push({ id: 'server', label: 'basemap.server' });
			}
			return out;
		},

		// choose switches to basemap id (one of choices()).
		choose: function (id, initial) {
			var map = this._map;
			if (this._layer) {
				map.removeLayer(this._layer);
				this._layer = null;
			}
			this.current = id;
			this._layer = this._make(id);
			this._fails = 0;
			this._warned = false;
			this._failNote(false);
			if (this._layer) {
				this._watch(this._layer, id);
				this._layer.addTo(map);
			}
			if (!initial) {
				try { localStorage.setItem(STORE, id); } catch (e) { /* private mode: not remembered */ }
			}
			this._el.dataset.current = id;
			this._el.querySelectorAll('input[name=wanmu-basemap]').forEach(function (r) { r.checked = r.value === id; });
		},

		_make: function (id) {
			var cfg = this.config();
			if (id === 'osm') {
				return L.tileLayer(OSM, { maxZoom: 20, maxNativeZoom: 19, zIndex: 1, className: 'basemap-osm',
					attribution: '© OpenStreetMap contributors' });
			}
			if (id === 'server' && cfg.basemap_url) {
				return L.tileLayer(cfg.basemap_url, { maxZoom: 19, zIndex: 1, opacity: 0.75, className: 'basemap' });
			}
			var td = this.tianditu();
			if (TDT[id] && td) {
				var opts = function (layer, z) {
					return { layer: layer, tk: td.key, subdomains: '01234567', maxZoom: 20, maxNativeZoom: 18, zIndex: z, className: 'basemap-tdt' };
				};
				return L.layerGroup([
					L.tileLayer(td.url, L.extend(opts(TDT[id][0], 1), { attribution: '天地图' })),
					L.tileLayer(td.url, opts(TDT[id][1], 2))
				]);
			}
			return null;
		},

		// _watch counts the basemap's failing tiles (any loaded tile resets
		// the count) and says once per choice that they do not load.
		_watch: function (layer, id) {
			var self = this;
			var tiles = layer instanceof L.TileLayer ? [layer] : layer.getLayers();
			tiles.forEach(function (tl) {
				tl.on('tileload', function () { self._fails = 0; });
				tl.on('tileerror', function () {
					if (self._layer !== layer || self._warned || ++self._fails < FAILS) {
						return;
					}
					self._warned = true;
					var msg = t(TDT[id] ? 'basemap.failedTdt' : 'basemap.failed');
					self._failNote(msg);
					wanmu.notify(msg, 'warn');
				});
			});
		},

		// _failNote shows (text) or hides (false) the note in the switcher.
		_failNote: function (text) {
			var el = this._el && this._el.querySelector('.tiles-failed');
			if (el) {
				el.hidden = !text;
				el.textContent = text || '';
				if (text) {
					el.parentNode.open = true; // where the choice can be changed
				}
			}
		},

		_render: function () {
			var self = this;
			var el = wanmu.dom.clear(this._el);
			var list = h('div', { className: 'choices', attrs: { role: 'radiogroup' } });
			this.choices().forEach(function (c) {
				list.appendChild(h('label', { className: 'choice' },
					h('input', { attrs: { type: 'radio', name: 'wanmu-basemap', value: c.id, 'data-basemap': c.id }, checked: c.id === self.current,
						on: { change: function () { self.choose(c.id); } } }),
					h('span', { i18n: c.label })));
			});
			el.appendChild(h('details', { className: 'basemap-box', open: stored() !== null && stored() !== 'none' },
				h('summary', { i18n: 'basemap.title' }),
				list,
				h('div', { className: 'tiles-failed', hidden: true, attrs: { role: 'alert', 'data-basemap-failed': '' } }),
				h('div', { className: 'note', i18n: this.tianditu() ? 'basemap.gcjNote' : 'basemap.noKey' }),
				this._admin()));
		},

		// _admin is the 天地图 key form, for administrators only.
		_admin: function () {
			var self = this;
			var app = this.options.app;
			if (!app.user || app.user.role !== 'admin') {
				return null;
			}
			var input = h('input', { className: 'tdt-key', attrs: { type: 'text', maxlength: 32, spellcheck: 'false', autocomplete: 'off', 'aria-label': t('basemap.key') },
				value: (this.tianditu() || {}).key || '' });
			var msg = h('div', { className: 'msg', attrs: { role: 'status' } });
			var save = function (key) {
				if (key !== '' && !KEY_RE.test(key)) {
					msg.className = 'msg error';
					msg.textContent = t('basemap.keyInvalid');
					return;
				}
				wanmu.api.send('PUT', '/settings/basemap', { tianditu_key: key }).then(function (r) {
					app.config.tianditu = r.data;
					var keep = self.current;
					if (TDT[keep] && !self.tianditu()) {
						keep = 'none';
					}
					self._render();
					self._el.querySelector('details').open = true;
					self.choose(keep, keep === self.current);
					wanmu.notify(t(key ? 'basemap.keySaved' : 'basemap.keyRemoved'), 'ok');
				}, function (err) {
					msg.className = 'msg error';
					msg.textContent = (err.problem && err.problem.detail) || t('basemap.keyFailed');
				});
			};
			var form = h('form', { className: 'tdt-form', hidden: true, on: { submit: function (e) { e.preventDefault(); save(input.value.trim()); } } },
				h('label', { i18n: 'basemap.key' }), input,
				h('div', { className: 'buttons' },
					h('button', { attrs: { type: 'submit', 'data-action': 'tdt-save' }, i18n: 'basemap.keySave' }),
					this.tianditu() ? h('button', { attrs: { type: 'button', 'data-action': 'tdt-remove' }, i18n: 'basemap.keyRemove',
						on: { click: function () { save(''); } } }) : null),
				h('div', { className: 'hint', i18n: 'basemap.keyHint' }),
				msg);
			return h('div', { className: 'tdt-admin' },
				h('button', { className: 'link', attrs: { type: 'button', 'data-action': 'tdt-settings' }, i18n: 'basemap.settings',
					on: { click: function () { form.hidden = !form.hidden; if (!form.hidden) { input.focus(); } } } }),
				form);
		}
	});
})(window.wanmu = window.wanmu || {});
