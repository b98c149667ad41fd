// StatusBar.js: the strip along the bottom of the map — pointer position in
// CGCS2000 degrees (decimal or DMS) or Gauss-Kruger EPSG:4528/4549 (click the
// format to switch, the position to copy), a "go to" box, and the zoom.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var FORMAT_KEY = 'wanmu.coordFormat';

	function savedFormat() {
		try {
			var f = window.localStorage.getItem(FORMAT_KEY);
			return wanmu.coords.FORMATS.indexOf(f) >= 0 ? f : 'dd';
		} catch (e) {
			return 'dd';
		}
	}

	// copyText puts text on the clipboard; without the async clipboard (an
	// insecure origin) it falls back to a hidden textarea.
	function copyText(text) {
		if (navigator.clipboard && window.isSecureContext) {
			return navigator.clipboard.writeText(text);
		}
		var ta = h('textarea', { value: text, style: { position: 'fixed', opacity: '0' } });
		document.body.appendChild(ta);
		ta.select();
		var ok = document.execCommand('copy');
		ta.remove();
		return ok ? Promise.resolve() : Promise.reject(new Error('copy refused'));
	}

	wanmu.StatusBar = L.Control.extend({
		options: { position: 'bottomright' },

		onAdd: function (map) {
			var self = this;
			this.format = savedFormat();
			this._ll = null;
			this._crs = h('button', { className: 'crs', attrs: { type: 'button' }, i18nTitle: 'coords.switch', on: { click: function () { self.nextFormat(); } } });
			this._coords = h('button', { className: 'coords', attrs: { type: 'button' }, i18nTitle: 'coords.copy', text: '—', on: { click: function () { self.copy(); } } });
			this._goto = h('input', {
				className: 'goto', attrs: { type: 'text', spellcheck: 'false', autocomplete: 'off' },
				on: { keydown: function (e) { if (e.key === 'Enter') { e.preventDefault(); self.goTo(self._goto.value); } } }
			});
			this._gotoNote = h('span', { className: 'goto-note', attrs: { 'aria-live': 'polite' } });
			this._zoom = h('span', { className: 'zoom' });
			this._el = h('div', { className: 'wanmu-statusbar' }, this._crs, this._coords, this._goto, this._gotoNote, this._zoom);
			L.DomEvent.disableClickPropagation(this._el);
			// The pointer on the bar itself is not a position: keep the last one to copy.
			L.DomEvent.on(this._el, 'mousemove', L.DomEvent.stopPropagation);
			map.on('mousemove', this._move, this);
			map.on('zoomend', this._zoomed, this);
			wanmu.i18n.on('langchange', this._labels, this);
			this._labels();
			return this._el;
		},

		onRemove: function (map) {
			map.off('mousemove', this._move, this);
			map.off('zoomend', this._zoomed, this);
			wanmu.i18n.off('langchange', this._labels, this);
		},

		// nextFormat switches the readout: decimal → DMS → 4528 → 4549.
		nextFormat: function () {
			var f = wanmu.coords.FORMATS;
			this.format = f[(f.indexOf(this.format) + 1) % f.length];
			try {
				window.localStorage.setItem(FORMAT_KEY, this.format);
			} catch (e) { /* keep for this page only */ }
			this._labels();
		},

		// copy puts the position shown (in the format shown) on the clipboard.
		copy: function () {
			var text = this._coords.textContent;
			if (!this._ll) {
				return;
			}
			copyText(text).then(function () {
				wanmu.notify(t('coords.copied', { text: text }), 'info');
			}, function () {
				wanmu.notify(t('coords.copyFailed'), 'warn', text);
			});
		},

		// goTo reads a position in any of the formats, says what it took it
		// for, and pans there with a marker. It returns the parse or null.
		// A position outside China is refused: for a planner in 丽水, 0,0 or
		// 40.7, -74.0 is a mistake, and the note says how it was read.
		goTo: function (text) {
			var r = wanmu.coords.read(text), why = wanmu.coords.problem(r);
			var note = this._gotoNote;
			if (why) {
				note.textContent = why;
				note.title = why;
				note.className = 'goto-note error';
				if (!r.error || r.error === 'zone') { // a long sentence: the note shows its start
					wanmu.notify(why, 'warn');
				}
				return null;
			}
			note.title = '';
			note.textContent = t('coords.detected', { what: wanmu.coords.kindText(r) });
			note.className = 'goto-note ok';
			var ll = L.latLng(r.lat, r.lon), map = this._map;
			if (this._marker) {
				this._marker.remove();
			}
			this._marker = L.circleMarker(ll, { radius: 8, color: '#c0392b', weight: 3, fillColor: '#fff', fillOpacity: 0.6, interactive: false })
				.bindTooltip(h('span', { text: wanmu.coords.format(r.lon, r.lat, 'dd') }), { permanent: true, direction: 'top', offset: [0, -8] })
				.addTo(map);
			map.setView(ll, Math.max(map.getZoom(), 15));
			this._ll = ll;
			this._show();
			return r;
		},

		_move: function (e) {
			this._ll = e.latlng;
			this._show();
		},

		_show: function () {
			if (this._ll) {
				this._coords.textContent = wanmu.coords.format(this._ll.lng, this._ll.lat, this.format);
			}
		},

		_labels: function () {
			this._crs.textContent = t('coords.fmt.' + this.format);
			this._goto.placeholder = t('coords.goto');
			this._goto.title = t('coords.gotoHelp');
			this._show();
			this._zoomed();
		},

		_zoomed: function () {
			this._zoom.textContent = t('status.zoom', { z: this._map.getZoom() });
		}
	});
})(window.wanmu = window.wanmu || {});
