// MeasureTool.js: measuring distances and areas on the map, for every role.
// Click to add points, double-click or Enter to finish, Esc to leave. The
// figures are the server's, on the CGCS2000 ellipsoid: lengths from
// POST /measure/length, areas from POST /measure (the same function as every
// zone's area), so a measured parcel reads exactly as a drawn zone would.
//
// While it is on, clicks on the map are caught in the capture phase before
// Leaflet sees them, so they neither select zones nor reach Geoman; panning
// still works (a click that ends a drag adds no point).
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	// length writes metres as m below a kilometre and km above.
	function length(m) {
		if (m === null || m === undefined || isNaN(m)) {
			return '—';
		}
		return m < 1000 ? wanmu.i18n.number(m, 2) + ' m' : wanmu.i18n.number(m / 1000, 3) + ' km';
	}

	wanmu.MeasureTool = L.Control.extend({
		options: { position: 'topleft', app: null },

		onAdd: function (map) {
			var self = this;
			this._group = L.layerGroup();
			this._points = [];
			this._seq = 0;
			this.last = null; // the server's latest answer, {lengths, area}
			this._request = wanmu.dom.debounce(this._measure.bind(this), 120);
			this._buttons = {};
			var bar = h('div', { className: 'leaflet-bar wanmu-measure-buttons' });
			['distance', 'area'].forEach(function (mode) {
				self._buttons[mode] = h('a', {
					className: 'wanmu-measure-' + mode, href: '#', i18n: 'measure.' + mode, i18nTitle: 'measure.' + mode + '.help',
					attrs: { role: 'button', 'data-measure': mode },
					on: { click: function (e) { e.preventDefault(); self.toggle(mode); } }
				});
				bar.appendChild(self._buttons[mode]);
			});
			this._panel = h('div', { className: 'wanmu-measure-panel', style: { display: 'none' } });
			this._el = h('div', { className: 'wanmu-measure' }, bar, this._panel);
			L.DomEvent.disableClickPropagation(this._el);
			L.DomEvent.disableScrollPropagation(this._el);
			L.DomEvent.on(this._el, 'mousemove', L.DomEvent.stopPropagation);
			this._onClick = this._click.bind(this);
			this._onDbl = this._dblclick.bind(this);
			this._onKey = this._key.bind(this);
			wanmu.i18n.on('langchange', this._render, this);
			wanmu.units.on('unitchange', this._render, this);
			var ed = this.options.app && this.options.app.editor;
			if (ed) {
				// An edit session takes the map: measuring gives way.
				ed.on('change', function () {
					if (self.mode && (ed.session || (ed.mode !== 'select' && ed.mode !== 'box'))) {
						self.stop();
					}
				});
			}
			return this._el;
		},

		onRemove: function () {
			this.stop();
			wanmu.i18n.off('langchange', this._render, this);
			wanmu.units.off('unitchange', this._render, this);
		},

		toggle: function (mode) {
			if (this.mode === mode) {
				this.stop();
			} else {
				this.start(mode);
			}
		},

		// start turns measuring on in 'distance' or 'area' mode.
		start: function (mode) {
			var ed = this.options.app && this.options.app.editor;
			if (ed && (ed.session || (ed.mode !== 'select' && ed.mode !== 'box'))) {
				wanmu.notify(t('measure.busy'), 'warn');
				return;
			}
			var map = this._map, box = map.getContainer();
			if (!this.mode) {
				box.addEventListener('click', this._onClick, true);
				box.addEventListener('dblclick', this._onDbl, true);
				document.addEventListener('keydown', this._onKey, true);
				map.on('mousemove', this._move, this);
				this._group.addTo(map);
			}
			this.mode = mode;
			L.DomUtil.addClass(box, 'wanmu-measuring');
			Object.keys(this._buttons).forEach(function (m) {
				L.DomUtil[m === mode ? 'addClass' : 'removeClass'](this._buttons[m], 'active');
			}, this);
			this._reset();
		},

		// stop leaves the tool and removes what it drew.
		stop: function () {
			if (!this.mode) {
				return;
			}
			var map = this._map, box = map.getContainer();
			box.removeEventListener('click', this._onClick, true);
			box.removeEventListener('dblclick', this._onDbl, true);
			document.removeEventListener('keydown', this._onKey, true);
			map.off('mousemove', this._move, this);
			this._group.remove();
			L.DomUtil.removeClass(box, 'wanmu-measuring');
			Object.keys(this._buttons).forEach(function (m) { L.DomUtil.removeClass(this._buttons[m], 'active'); }, this);
			this.mode = null;
			this._reset();
			this._panel.style.display = 'none';
		},

		_reset: function () {
			this._points = [];
			this._done = false;
			this.last = null;
			this._seq++;
			this._request.cancel();
			this._group.clearLayers();
			this._hint = null;
			this._render();
		},

		// _onMap tells a click on the map itself from one on a control.
		_onMap: function (e) {
			var pane = this._map.getPanes().mapPane;
			return e.target === this._map.getContainer() || pane.contains(e.target);
		},

		_click: function (e) {
			if (!this._onMap(e)) {
				return;
			}
			e.stopPropagation();
			if (this._map.dragging && this._map.dragging.moved()) {
				return; // the end of a pan
			}
			if (this._done) {
				this._reset(); // a click after a finished measurement starts a new one
			}
			// A click on the last point (the clicks of a double-click that
			// finishes, or the last point clicked once more) adds no 0 m segment.
			var ll = this._map.mouseEventToLatLng(e), p = this._points;
			if (p.length && this._map.latLngToContainerPoint(p[p.length - 1]).distanceTo(this._map.latLngToContainerPoint(ll)) < 4) {
				return;
			}
			p.push(ll);
			this._changed();
		},

		_dblclick: function (e) {
			if (!this._onMap(e)) {
				return;
			}
			e.stopPropagation(); // no double-click zoom
			e.preventDefault();
			this.finish(); // its clicks added no point on top of the last (_click)
		},

		_key: function (e) {
			var tag = e.target && e.target.tagName;
			if (tag === 'INPUT' || tag === 'TEXTAREA' || document.querySelector('dialog[open]')) {
				return;
			}
			if (e.key === 'Escape') {
				e.stopPropagation();
				this.stop();
			} else if (e.key === 'Enter') {
				e.stopPropagation();
				e.preventDefault();
				this.finish();
			}
		},

		// finish ends the current line or polygon; its figures stay shown.
		finish: function () {
			var need = this.mode === 'area' ? 3 : 2;
			if (this._points.length < need) {
				this._reset();
				return;
			}
			this._done = true;
			this._changed();
		},

		_move: function (e) {
			if (this._done || !this._points.length) {
				return;
			}
			var p = this._points, ll = [p[p.length - 1], e.latlng];
			if (this.mode === 'area' && p.length >= 2) {
				ll.push(p[0]);
			}
			if (!this._hint) {
				this._hint = L.polyline(ll, { color: '#c0392b', weight: 1.5, dashArray: '4 4', interactive: false }).addTo(this._group);
			} else {
				this._hint.setLatLngs(ll);
			}
		},

		_changed: function () {
			this._draw();
			this._render();
			this._request();
		},

		// _draw redraws the line or polygon, its vertices and segment labels.
		_draw: function () {
			var g = this._group, p = this._points, area = this.mode === 'area';
			g.clearLayers();
			this._hint = null;
			if (area && p.length >= 3) {
				L.polygon(p, { color: '#c0392b', weight: 2, fillOpacity: 0.12, interactive: false }).addTo(g);
			} else if (p.length >= 2) {
				L.polyline(p, { color: '#c0392b', weight: 2, interactive: false }).addTo(g);
			}
			p.forEach(function (ll) {
				L.circleMarker(ll, { radius: 3.5, color: '#c0392b', weight: 1.5, fillColor: '#fff', fillOpacity: 1, interactive: false }).addTo(g);
			});
			var segs = this.last && this.last.lengths && this.last.n === p.length ? this.last.lengths.segments_m : null;
			if (segs && !area) {
				for (var i = 0; i < segs.length; i++) {
					var mid = L.latLng((p[i].lat + p[i + 1].lat) / 2, (p[i].lng + p[i + 1].lng) / 2);
					L.tooltip({ permanent: true, direction: 'center', className: 'wanmu-measure-label', interactive: false })
						.setLatLng(mid).setContent(h('span', { text: length(segs[i]) })).addTo(g);
				}
			}
		},

		// _measure asks the server for the lengths (and the area) of the
		// current points; an answer to an older question is dropped.
		_measure: function () {
			var p = this._points, area = this.mode === 'area';
			if (p.length < 2) {
				return;
			}
			var ring = p.map(function (ll) { return [ll.lng, ll.lat]; });
			if (area && p.length >= 3) {
				ring.push(ring[0]);
			}
			var seq = ++this._seq, self = this, n = p.length;
			var asks = [wanmu.api.send('POST', '/measure/length', { type: 'LineString', coordinates: ring }, { quiet401: true })];
			if (area && p.length >= 3) {
				asks.push(wanmu.api.send('POST', '/measure', { type: 'Polygon', coordinates: [ring] }, { quiet401: true }));
			}
			Promise.all(asks).then(function (rs) {
				if (seq === self._seq) {
					self.last = { n: n, lengths: rs[0].data, area: rs[1] ? rs[1].data : null };
					self._draw();
					self._render();
				}
			}, function (err) {
				if (seq === self._seq) {
					self.last = { n: n, error: err };
					self._render();
				}
			});
		},

		_row: function (label, value, cls) {
			return h('div', { className: 'row ' + (cls || '') }, h('span', { className: 'label', text: label }), h('span', { className: 'value', text: value }));
		},

		// _render writes the panel: totals, segments or area in every unit.
		_render: function () {
			var el = this._panel;
			if (!el) {
				return;
			}
			wanmu.dom.clear(el);
			if (!this.mode) {
				return;
			}
			el.style.display = '';
			var d = this.last, area = this.mode === 'area', self = this;
			el.appendChild(h('div', { className: 'title', text: t('measure.' + this.mode) }));
			if (d && d.error) {
				el.appendChild(h('div', { className: 'note error', text: t('measure.failed') + ': ' + d.error.message }));
			} else if (d && d.n === this._points.length) {
				if (area && d.area) {
					var u = wanmu.units.current(), list = wanmu.units.list;
					el.appendChild(h('button', {
						className: 'area-total', attrs: { type: 'button' }, i18nTitle: 'measure.unitHelp',
						on: { click: function () { wanmu.units.set(list[(list.indexOf(u) + 1) % list.length]); } }
					}, h('span', { className: 'label', text: t('measure.areaLabel') }), h('span', { className: 'value', text: wanmu.units.area(d.area.area_mu) })));
					var others = list.filter(function (x) { return x !== u; }).map(function (x) { return wanmu.units.area(d.area.area_mu, { unit: x }); });
					others.push(wanmu.i18n.number(d.area.area_m2, 2) + ' m²');
					el.appendChild(h('div', { className: 'others', text: '= ' + others.join(' = ') }));
					el.appendChild(this._row(t('measure.perimeter'), length(d.lengths.length_m), 'perimeter'));
					if (!d.area.valid) {
						el.appendChild(h('div', { className: 'note warn', text: t('measure.invalid') }));
					}
				} else if (!area) {
					el.appendChild(this._row(t('measure.total'), length(d.lengths.length_m), 'total'));
					var ol = h('ol', { className: 'segments' });
					d.lengths.segments_m.forEach(function (m) { ol.appendChild(h('li', { text: length(m) })); });
					el.appendChild(ol);
				}
			}
			if (!this._done && this._points.length >= (area ? 3 : 2)) {
				// Touch screens have no Enter and no reliable double-tap.
				el.appendChild(h('button', { className: 'finish', attrs: { type: 'button' }, text: t('measure.finish'), on: { click: function () { self.finish(); } } }));
			}
			el.appendChild(h('div', { className: 'note', text: t(this._done ? 'measure.again' : 'measure.hint') }));
			el.appendChild(h('div', { className: 'method', text: t('measure.method') }));
			el.appendChild(h('button', {
				className: 'close', attrs: { type: 'button' }, i18nTitle: 'measure.close', text: '×',
				on: { click: function () { self.stop(); } }
			}));
		}
	});

	wanmu.measureLength = length;
})(window.wanmu = window.wanmu || {});
