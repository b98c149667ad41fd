// YearLayer.js: what the layers of the layers panel's 亩均评价 group share
// (EnterpriseLayer.js, PlatformShading.js). Turned on, a layer shows the
// group's year: its figures are fetched once per year (this._fetch(year),
// a promise of the data), an answer for a year no longer shown is dropped,
// and a load that failed is tried again when the layer is turned off and
// on. A layer provides _fetch, _draw and _remove, and the fields on, year,
// data, failed and _seq.
(function (wanmu) {
	'use strict';

	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	wanmu.YearLayer = {
		toggle: function (on) {
			this.on = !!on;
			if (this.failed) {
				this.failed = false;
				this.year = null;
			}
			this.sync();
		},

		// sync shows the group's year when on, nothing when off.
		sync: function () {
			var year = this.on ? this.group.year() : null;
			if (!year) {
				this._remove();
				this.group.changed();
				return;
			}
			if (year === this.year && (this.data || this.failed)) {
				this._draw();
				this.group.changed(); // the panel's legend for the layer turned back on
				return;
			}
			var self = this, seq = ++this._seq;
			this.year = year;
			this.data = null;
			this.failed = false;
			this._remove();
			this.group.changed();
			this._fetch(year).then(function (data) {
				if (seq === self._seq) {
					self.data = data;
					self._draw();
					self.group.changed();
				}
			}, function (err) {
				if (seq === self._seq) {
					self.failed = true;
					self.group.changed();
					wanmu.notifyError(err, t('evalmap.failed'));
				}
			});
		}
	};
})(window.wanmu = window.wanmu || {});
