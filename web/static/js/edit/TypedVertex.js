// TypedVertex.js: while drawing, a point can be typed (same forms as the
// status bar's go-to: decimal, DMS, Gauss-Kruger, read by wanmu.coords.read;
// outside China refused) and is added as the next vertex, exactly.
//
// The vertex goes through Geoman's own _createVertex, the code a click runs
// (self-intersection check, markers, pm:vertexadded, closing on the first
// point). A simulated click would instead go through screen pixels — the
// point would be rounded to a pixel and could snap onto a neighbour — so the
// typed coordinates would not be kept. The hint marker is un-snapped and put
// on the point first, because _createVertex takes a snapped hint marker's
// position over the one it is given.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	function TypedVertex(map, shape) {
		var self = this;
		this.map = map;
		this.shape = shape; // function: the Geoman draw shape now enabled, or null
		this.input = h('input', { className: 'typed-vertex', attrs: { type: 'text', 'data-action': 'type-vertex', spellcheck: 'false', autocomplete: 'off' },
			i18nTitle: 'coords.gotoHelp',
			on: { keydown: function (e) {
				if (e.key === 'Enter') {
					e.preventDefault();
					e.stopPropagation();
					self.add(this.value);
				} else if (e.key === 'Escape') {
					this.blur();
				}
			} } });
		this.el = this.input;
		this.render();
	}

	// render re-applies the placeholder (after a language change).
	TypedVertex.prototype.render = function () {
		this.input.placeholder = t('typed.placeholder');
	};

	// add parses text and adds it as a vertex; false (with a warning) when
	// it cannot be read or is not accepted.
	TypedVertex.prototype.add = function (text) {
		var d = this.shape();
		if (!d) {
			wanmu.notify(t('typed.notDrawing'), 'warn');
			return false;
		}
		// A point outside China is a slip (0,0; lat/lon swapped or of
		// another country): refused, saying how it was read.
		var r = wanmu.coords.read(text), why = wanmu.coords.problem(r);
		if (why) {
			wanmu.notify(why, 'warn');
			return false;
		}
		var ll = L.latLng(r.lat, r.lon);
		var before = d._layer.getLatLngs().length;
		place(d, ll);
		// A vertex refused (the edge would cross the boundary) leaves the
		// ring as it was; one that closed the ring ended the draw.
		if (d.enabled() && d._layer.getLatLngs().length === before) {
			wanmu.notify(t('typed.refused'), 'warn');
			return false;
		}
		this.input.value = '';
		if (this.map.getBounds && !this.map.getBounds().contains(ll)) {
			this.map.panTo(ll);
		}
		return true;
	};

	// place adds ll as the next vertex of draw, exactly (see the top).
	function place(d, ll) {
		d._hintMarker._snapped = false;
		d._hintMarker._snapInfo = undefined;
		d._hintMarker.setLatLng(ll);
		d._createVertex({ latlng: ll });
	}

	TypedVertex.place = place;
	wanmu.TypedVertex = TypedVertex;
})(window.wanmu = window.wanmu || {});
