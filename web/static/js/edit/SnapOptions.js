// SnapOptions.js: how drawing and vertex edits snap (on/off, tolerance in
// pixels, onto vertices and/or edges, onto the constraint layers' parcels,
// tracing), chosen from a small popover in the session bar and kept in
// localStorage for the next visit.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var KEY = 'wanmu.snap';
	var TOLERANCES = [5, 10, 14, 20];
	var DEFAULTS = { on: true, px: 14, vertex: true, edge: true, trace: false, layers: true };

	function SnapOptions(onChange) {
		this.value = read();
		this._onChange = onChange;
		this._build();
	}

	// geoman is the options Geoman's draw and edit modes take.
	SnapOptions.prototype.geoman = function () {
		var v = this.value;
		return { snappable: v.on && (v.vertex || v.edge), snapDistance: v.px, snapVertex: v.vertex, snapSegment: v.edge };
	};

	SnapOptions.prototype.set = function (patch) {
		this.value = L.Util.extend({}, this.value, patch);
		try {
			window.localStorage.setItem(KEY, JSON.stringify(this.value));
		} catch (e) { /* storage disabled: for this visit only */ }
		this._sync();
		this._onChange(this.geoman());
	};

	// setLayersStatus says what snapping onto the constraint layers has read
	// ('' hides the line).
	SnapOptions.prototype.setLayersStatus = function (text) {
		this._layersStatus.textContent = text;
		this._layersStatus.hidden = !text;
	};

	SnapOptions.prototype._build = function () {
		var self = this;
		function box(k) {
			return h('input', { attrs: { type: 'checkbox', 'data-snap': k }, on: { change: function () { var p = {}; p[k] = this.checked; self.set(p); } } });
		}
		this._on = box('on');
		this._vertex = box('vertex');
		this._edge = box('edge');
		this._trace = box('trace');
		this._layers = box('layers');
		this._layersStatus = h('small', { className: 'snap-layers-status', attrs: { 'aria-live': 'polite' } });
		this._px = h('select', { attrs: { 'data-snap': 'px' }, on: { change: function () { self.set({ px: Number(this.value) }); } } },
			TOLERANCES.map(function (n) { return h('option', { attrs: { value: String(n) } }, n + ' px'); }));
		this.popover = h('div', { className: 'snap-popover' },
			h('label', {}, this._on, h('span', { i18n: 'snap.on' })),
			h('label', {}, h('span', { i18n: 'snap.tolerance' }), this._px),
			h('label', {}, this._vertex, h('span', { i18n: 'snap.vertex' })),
			h('label', {}, this._edge, h('span', { i18n: 'snap.edge' })),
			h('label', { i18nTitle: 'snap.traceHelp' }, this._trace, h('span', { i18n: 'snap.trace' })),
			h('label', { i18nTitle: 'snap.layersHelp' }, this._layers, h('span', { i18n: 'snap.layers' })),
			this._layersStatus);
		this.popover.hidden = true;
		this.button = h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'snap-options', 'aria-haspopup': 'true' }, i18n: 'snap.button',
			on: { click: function () { self.popover.hidden = !self.popover.hidden; } } });
		this.el = h('span', { className: 'snap-options' }, this.button, this.popover);
		this._sync();
	};

	SnapOptions.prototype._sync = function () {
		var v = this.value;
		this._on.checked = v.on;
		this._vertex.checked = v.vertex;
		this._edge.checked = v.edge;
		this._trace.checked = v.trace;
		this._layers.checked = v.layers;
		this._px.value = String(v.px);
		this._vertex.disabled = this._edge.disabled = this._px.disabled = this._trace.disabled = this._layers.disabled = !v.on;
	};

	function read() {
		try {
			var v = JSON.parse(window.localStorage.getItem(KEY) || 'null');
			if (v && typeof v === 'object') {
				v = L.Util.extend({}, DEFAULTS, v);
				if (TOLERANCES.indexOf(v.px) < 0) {
					v.px = DEFAULTS.px;
				}
				return v;
			}
		} catch (e) { /* unreadable: defaults */ }
		return L.Util.extend({}, DEFAULTS);
	}

	wanmu.SnapOptions = SnapOptions;
})(window.wanmu = window.wanmu || {});
