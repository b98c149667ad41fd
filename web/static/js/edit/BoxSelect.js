// BoxSelect.js: drag a box to select the zones it touches — with Shift held,
// or with the box tool on. (Leaflet's own Shift-drag box zoom is turned off.)
(function (wanmu) {
	'use strict';

	wanmu.BoxSelect = L.Handler.extend({
		initialize: function (map, options) {
			this._map = map;
			this._always = false;
			this._onBox = options.onBox;
		},

		// setAlways makes a plain drag draw the box (the box tool).
		setAlways: function (on) {
			this._always = on;
			L.DomUtil[on ? 'addClass' : 'removeClass'](this._map.getContainer(), 'wanmu-boxmode');
		},

		addHooks: function () {
			L.DomEvent.on(this._map.getContainer(), 'mousedown', this._down, this);
		},

		removeHooks: function () {
			L.DomEvent.off(this._map.getContainer(), 'mousedown', this._down, this);
			this._finish();
		},

		_down: function (e) {
			if (e.button !== 0 || !(e.shiftKey || this._always)) {
				return;
			}
			if (this._map.pm && (this._map.pm.globalDrawModeEnabled() || this._map.pm.globalCutModeEnabled())) {
				return;
			}
			if (e.target.closest && e.target.closest('.leaflet-control, .leaflet-marker-icon')) {
				return;
			}
			L.DomEvent.stop(e);
			this._start = this._map.mouseEventToContainerPoint(e);
			this._shift = e.shiftKey;
			this._map.dragging.disable();
			this._box = L.DomUtil.create('div', 'wanmu-selectbox', this._map.getContainer());
			L.DomEvent.on(document, 'mousemove', this._move, this);
			L.DomEvent.on(document, 'mouseup', this._up, this);
		},

		_move: function (e) {
			var p = this._map.mouseEventToContainerPoint(e);
			var b = L.bounds(this._start, p);
			this._end = p;
			L.DomUtil.setPosition(this._box, b.min);
			this._box.style.width = (b.max.x - b.min.x) + 'px';
			this._box.style.height = (b.max.y - b.min.y) + 'px';
		},

		_up: function (e) {
			var end = this._end || this._map.mouseEventToContainerPoint(e);
			var start = this._start;
			this._finish();
			if (Math.abs(end.x - start.x) < 4 && Math.abs(end.y - start.y) < 4) {
				return;
			}
			var bounds = L.latLngBounds(this._map.containerPointToLatLng(start), this._map.containerPointToLatLng(end));
			this._onBox(bounds, this._shift);
		},

		_finish: function () {
			if (this._box) {
				L.DomUtil.remove(this._box);
				this._box = null;
			}
			this._end = null;
			L.DomEvent.off(document, 'mousemove', this._move, this);
			L.DomEvent.off(document, 'mouseup', this._up, this);
			if (this._map) {
				this._map.dragging.enable();
			}
		}
	});
})(window.wanmu = window.wanmu || {});
