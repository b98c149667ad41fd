// PanelToggle.js: the side panels on any screen. A handle on each edge of
// the map collapses and expands the layers panel (left) and the detail and
// platform panel (right); the choice is kept per screen class in
// localStorage. On a tablet the layers panel floats over the map; on a phone
// both panels and the overview are bottom sheets opened from a tab bar, and
// editing is refused with a note (responsive.css does the layout).
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var PHONE = window.matchMedia('(max-width: 600px)');
	var TABLET = window.matchMedia('(max-width: 1024px)');
	// What a screen class starts with before the user chooses.
	var DEFAULT_COLLAPSED = {
		desktop: { left: false, right: false },
		tablet: { left: true, right: false },
		phone: { left: true, right: true }
	};

	function layout() {
		return PHONE.matches ? 'phone' : (TABLET.matches ? 'tablet' : 'desktop');
	}

	function PanelToggle(app) {
		var self = this;
		this.app = app;
		this.handles = {};
		var center = document.getElementById('center');
		['left', 'right'].forEach(function (side) {
			var b = h('button', {
				className: 'panel-handle panel-handle-' + side,
				attrs: { type: 'button', 'data-panel-toggle': side, 'aria-controls': side },
				on: { click: function () { self.toggle(side); } }
			});
			self.handles[side] = b;
			center.appendChild(b);
		});
		this.tabs = h('nav', { className: 'phone-tabs', attrs: { role: 'tablist' } },
			this._tab('left', 'phone.tab.layers'),
			this._tab('right', 'phone.tab.detail'),
			this._tab('overview', 'phone.tab.overview'));
		document.body.appendChild(this.tabs);
		app.mapEl.appendChild(h('div', { className: 'phone-edit-note', attrs: { role: 'note' }, i18n: 'phone.editNote' }));

		// On a phone, a looked-up zone or platform opens its sheet.
		var setTab = app.setTab;
		app.setTab = function (tab) {
			setTab.call(app, tab);
			if (layout() === 'phone') {
				self.set('right', false);
			}
		};
		// ... and the zones it zooms to stay in the strip of map above the sheet.
		var zoomToZones = app.zoomToZones;
		app.zoomToZones = function (ids) {
			if (layout() !== 'phone') {
				return zoomToZones.call(app, ids);
			}
			app.ensureZones(ids).then(function () {
				var b = app.zones.boundsOf(ids);
				var sheet = document.getElementById('right').getBoundingClientRect().height || 0;
				if (b.isValid()) {
					app.map.fitBounds(b, { paddingTopLeft: [30, 60], paddingBottomRight: [30, sheet + 20], maxZoom: 15 });
				}
			});
		};
		var toggleOverview = app.toggleOverview;
		app.toggleOverview = function (on) {
			toggleOverview.call(app, on);
			if (layout() === 'phone' && !document.getElementById('overview').hidden) {
				self.set('left', true);
				self.set('right', true);
			}
			self._sync();
		};
		if (layout() === 'phone') {
			// The overview would cover the map as a sheet: a phone starts on the map.
			document.getElementById('overview').hidden = true;
		}
		var changed = function () { self.apply(); };
		PHONE.addEventListener('change', changed);
		TABLET.addEventListener('change', changed);
		wanmu.i18n.on('langchange', this._sync, this);
		this.apply();
	}

	PanelToggle.prototype._tab = function (what, key) {
		var self = this;
		return h('button', {
			className: 'phone-tab', attrs: { type: 'button', role: 'tab', 'data-sheet': what }, i18n: key,
			on: { click: function () { self.sheet(what); } }
		});
	};

	PanelToggle.prototype._key = function (side) {
		return 'wanmu.panel.' + layout() + '.' + side;
	};

	// collapsed says whether a side panel is collapsed on this screen.
	PanelToggle.prototype.collapsed = function (side) {
		var v = null;
		try {
			v = window.localStorage.getItem(this._key(side));
		} catch (e) { /* storage disabled */ }
		return v === null ? DEFAULT_COLLAPSED[layout()][side] : v === 'collapsed';
	};

	// set collapses or expands a side panel and remembers it (a phone's
	// sheets are passing views: not remembered).
	PanelToggle.prototype.set = function (side, collapsed) {
		if (layout() === 'phone') {
			this._sheets = this._sheets || {};
			this._sheets[side] = collapsed;
			if (!collapsed) {
				// One sheet at a time.
				this._sheets[side === 'left' ? 'right' : 'left'] = true;
				if (!document.getElementById('overview').hidden) {
					this.app.toggleOverview(false);
				}
			}
		} else {
			try {
				window.localStorage.setItem(this._key(side), collapsed ? 'collapsed' : 'open');
			} catch (e) { /* storage disabled */ }
		}
		this.apply();
	};

	PanelToggle.prototype.toggle = function (side) {
		this.set(side, !this._isCollapsed(side));
	};

	PanelToggle.prototype._isCollapsed = function (side) {
		if (layout() === 'phone') {
			var s = this._sheets || {};
			return s[side] === undefined ? true : s[side];
		}
		return this.collapsed(side);
	};

	// sheet opens one of the phone's sheets (or closes it if it is open).
	PanelToggle.prototype.sheet = function (what) {
		var overview = document.getElementById('overview');
		if (what === 'overview') {
			this.app.toggleOverview(overview.hidden);
			return;
		}
		this.set(what, !this._isCollapsed(what));
	};

	PanelToggle.prototype.apply = function () {
		var body = document.body;
		body.classList.toggle('left-collapsed', this._isCollapsed('left'));
		body.classList.toggle('right-collapsed', this._isCollapsed('right'));
		body.dataset.screen = layout();
		this._sync();
		if (this.app.map) {
			this.app.map.invalidateSize();
		}
	};

	// _sync sets the handles' arrows and titles and the tab bar's state.
	PanelToggle.prototype._sync = function () {
		var self = this;
		var t = wanmu.i18n.t;
		['left', 'right'].forEach(function (side) {
			var c = self._isCollapsed(side);
			var b = self.handles[side];
			var arrowOut = side === 'left' ? '›' : '‹';
			var arrowIn = side === 'left' ? '‹' : '›';
			b.textContent = c ? arrowOut : arrowIn;
			b.title = t('panel.' + (c ? 'expand' : 'collapse') + '.' + side);
			b.setAttribute('aria-label', b.title);
			b.setAttribute('aria-expanded', c ? 'false' : 'true');
		});
		var overviewOpen = !document.getElementById('overview').hidden;
		this.tabs.querySelectorAll('[data-sheet]').forEach(function (b) {
			var what = b.dataset.sheet;
			var on = what === 'overview' ? overviewOpen : !self._isCollapsed(what);
			b.classList.toggle('on', on);
			b.setAttribute('aria-selected', on ? 'true' : 'false');
		});
	};

	wanmu.PanelToggle = PanelToggle;
})(window.wanmu = window.wanmu || {});
