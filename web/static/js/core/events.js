// events.js: a small event emitter for the app's state (the login page has
// no Leaflet, so L.Evented is not used here).
(function (wanmu) {
	'use strict';

	function Emitter() {
		this._handlers = {};
	}
	Emitter.prototype.on = function (type, fn, ctx) {
		(this._handlers[type] = this._handlers[type] || []).push({ fn: fn, ctx: ctx });
		return this;
	};
	Emitter.prototype.off = function (type, fn, ctx) {
		var list = this._handlers[type] || [];
		this._handlers[type] = list.filter(function (h) { return h.fn !== fn || h.ctx !== ctx; });
		return this;
	};
	Emitter.prototype.fire = function (type, data) {
		(this._handlers[type] || []).slice().forEach(function (h) {
			h.fn.call(h.ctx, data || {});
		});
		return this;
	};

	wanmu.Emitter = Emitter;
})(window.wanmu = window.wanmu || {});
