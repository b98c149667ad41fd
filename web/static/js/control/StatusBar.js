// StatusBar.js: the strip along the bottom of the map — pointer position in
// CGCS2000 longitude/latitude, zoom, and the coordinate system in use.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;

	wanmu.StatusBar = L.Control.extend({
		options: { position: 'bottomright' },

		onAdd: function (map) {
			this._coords = h('span', { className: 'coords', text: '—' });
			this._zoom = h('span', { className: 'zoom' });
			this._el = h('div', { className: 'wanmu-statusbar' },
				h('span', { className: 'crs', i18n: 'status.crs' }),
				this._coords, this._zoom);
			L.DomEvent.disableClickPropagation(this._el);
			map.on('mousemove', this._move, this);
			map.on('zoomend', this._zoomed, this);
			wanmu.i18n.on('langchange', this._zoomed, this);
			this._zoomed();
			return this._el;
		},

		onRemove: function (map) {
			map.off('mousemove', this._move, this);
			map.off('zoomend', this._zoomed, this);
			wanmu.i18n.off('langchange', this._zoomed, this);
		},

		_move: function (e) {
			var ll = e.latlng;
			this._coords.textContent = ll.lng.toFixed(6) + '°E  ' + ll.lat.toFixed(6) + '°N';
		},

		_zoomed: function () {
			this._zoom.textContent = wanmu.i18n.t('status.zoom', { z: this._map.getZoom() });
		}
	});
})(window.wanmu = window.wanmu || {});
