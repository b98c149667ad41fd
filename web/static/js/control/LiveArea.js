// LiveArea.js: the live area of the shape being drawn, edited or dragged.
// The figure is the server's ellipsoidal area (POST /api/v1/measure on the
// CGCS2000 ellipsoid), asked for at most every 250 ms — never the browser's
// spherical area, which is 0.15–0.37 % too large here. While an existing zone
// is edited it asks POST /api/v1/zones/{id}/preview instead, which also gives
// each platform the zone belongs to its developable area as it will be once
// the edit is saved, so the planner sees the platform cross 10,000 mu (or
// fall below) while dragging, and the zone's own developable area
// (ZoneDevelopable's table).
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;

	wanmu.LiveArea = L.Control.extend({
		options: { position: 'topright', wait: 250 },

		initialize: function (options) {
			L.setOptions(this, options);
			this._seq = 0;
			this._last = null;
			this.measure = wanmu.dom.debounce(this._measure.bind(this), this.options.wait);
		},

		onAdd: function () {
			this._value = h('div', { className: 'value', text: '—' });
			this._note = h('div', { className: 'note' });
			this._platforms = h('div', { className: 'platforms' });
			this._own = h('div', { className: 'own' }); // an edited zone's own developable area
			this._el = h('div', { className: 'wanmu-livearea', attrs: { 'aria-live': 'polite' } },
				h('div', { className: 'caption', i18n: 'live.caption' }), this._value, this._note, this._own, this._platforms);
			this._el.style.display = 'none';
			L.DomEvent.disableClickPropagation(this._el);
			wanmu.units.on('unitchange', this._render, this);
			wanmu.i18n.on('langchange', this._render, this);
			return this._el;
		},

		onRemove: function () {
			wanmu.units.off('unitchange', this._render, this);
			wanmu.i18n.off('langchange', this._render, this);
		},

		// start shows the figure (empty until the first answer). With zoneId,
		// the shape is a draft of that zone and the platforms' figures follow.
		// With opts.newZone, the shape is a new zone and the figures are those
		// of the platform it would join: opts.platform, else the one whose
		// zones it touches (POST /zones/preview).
		start: function (zoneId, opts) {
			this._zoneId = zoneId || null;
			this._newZone = opts && opts.newZone ? { platform: opts.platform || null } : null;
			this._last = null;
			this._el.style.display = '';
			this._render();
		},

		// stop hides it and forgets pending requests.
		stop: function () {
			this.measure.cancel();
			this._seq++;
			this._el.style.display = 'none';
		},

		// _measure asks the server for the area of a list of rings of latlngs
		// (first the outer ring, then holes) or of a GeoJSON geometry.
		_measure: function (shape) {
			var geom = shape && shape.type ? shape : ringsToPolygon(shape);
			if (!geom) {
				this._last = null;
				this._render();
				return;
			}
			var seq = ++this._seq;
			var self = this;
			var path = this._zoneId ? '/zones/' + this._zoneId + '/preview' : this._newZone ? '/zones/preview' : '/measure';
			var query = this._newZone && this._newZone.platform ? { platform: this._newZone.platform } : undefined;
			wanmu.api.send('POST', path, geom, { quiet401: true, query: query }).then(function (r) {
				if (seq === self._seq) {
					self._last = r.data;
					self._render();
				}
			}, function (err) {
				if (seq === self._seq) {
					self._last = { error: err };
					self._render();
				}
			});
		},

		_render: function () {
			var t = wanmu.i18n.t;
			var d = this._last;
			this._renderPlatforms(d && !d.error && d.valid ? d.platforms : null);
			this._renderOwn(d && !d.error && d.valid ? d.zone : null);
			if (!d) {
				this._value.textContent = '—';
				this._note.textContent = t('live.waiting');
				this._note.className = 'note';
				return;
			}
			if (d.error) {
				// 422 and 400 are the shape's fault; anything else is not
				// (the zone was retired meanwhile, the server is away).
				var status = d.error.status;
				this._value.textContent = '—';
				var pr = d.error.problem || {};
				var fe = (pr.errors || [])[0];
				this._note.textContent = status === 422 && fe && fe.path === 'geometry' ? describeInvalid(fe.message, pr.location) :
					status === 422 || status === 400 ? t('live.invalid') :
					status === 404 || status === 410 ? t('live.gone') : t('live.unavailable');
				this._note.className = 'note bad';
				return;
			}
			this._value.textContent = wanmu.units.area(d.area_mu);
			var second = wanmu.units.current() === 'ha' ? wanmu.units.area(d.area_mu, { unit: 'mu' }) : wanmu.units.area(d.area_mu, { unit: 'ha' });
			this._note.textContent = d.valid ? second + ' · ' + t('live.ellipsoidal') : describeInvalid(d.reason, d.location);
			this._note.className = d.valid ? 'note' : 'note bad';
		},

		// _renderPlatforms lists, for a zone's draft, each platform's
		// developable area once saved, its change from now and the verdict.
		_renderPlatforms: function (platforms) {
			var t = wanmu.i18n.t, units = wanmu.units;
			this._platforms.textContent = '';
			if (!platforms || !platforms.length) {
				return;
			}
			var joins = this._last && this._last.joins;
			this._platforms.appendChild(h('div', { className: 'caption', text: t(joins ? 'live.ifJoins.' + joins : 'live.platforms') }));
			platforms.forEach(function (p) {
				var r = p.preview;
				var verdict = r.meets ? t('bar.meets') : t('bar.shortfall', { v: units.area(r.shortfall.mu) });
				var row = h('div', { className: 'platform ' + (r.meets ? 'ok' : 'bad'), attrs: { 'data-platform': String(p.platform_id) } },
					h('div', { className: 'name', text: p.name }),
					h('div', { className: 'figure', text: t('live.developable', { v: units.area(r.developable.mu) }) + ' · ' + verdict }));
				if (p.current) {
					var delta = r.developable.mu - p.current.developable.mu;
					var changed = p.current.meets !== r.meets ? ' · ' + t(r.meets ? 'live.nowMeets' : 'live.nowShort') : '';
					row.appendChild(h('div', { className: 'delta', text: t('live.delta', { v: units.area(delta, { sign: true }) }) + changed }));
				}
				this._platforms.appendChild(row);
			}, this);
		},

		// _renderOwn shows a zone draft's own developable area once saved.
		_renderOwn: function (zone) {
			this._own.textContent = '';
			if (zone) {
				this._own.appendChild(h('div', { className: 'caption', i18n: 'zonedev.live' }));
				this._own.appendChild(wanmu.ZoneDevelopable.table(zone));
			}
		},

		// value is the last answer, for the tests and the session bar.
		value: function () { return this._last; }
	});

	// ringsToPolygon turns rings of L.LatLng into a closed GeoJSON Polygon, or
	// null while there are fewer than three distinct points.
	function ringsToPolygon(rings) {
		if (!rings || !rings.length) {
			return null;
		}
		var coords = [];
		for (var i = 0; i < rings.length; i++) {
			// Full float64: a vertex snapped onto a neighbour must be measured
			// (and saved) exactly where the neighbour's vertex is.
			var r = rings[i].map(function (ll) { return [ll.lng, ll.lat]; });
			if (r.length < 3) {
				if (i === 0) {
					return null;
				}
				continue;
			}
			var a = r[0], b = r[r.length - 1];
			if (a[0] !== b[0] || a[1] !== b[1]) {
				r.push([a[0], a[1]]);
			}
			coords.push(r);
		}
		return { type: 'Polygon', coordinates: coords };
	}

	// REASONS maps the reasons of PostGIS's ST_IsValidDetail/ST_IsValidReason
	// (GEOS's words) to message keys that say, in the planner's language,
	// what is wrong and what to do.
	var REASONS = {
		'self-intersection': 'geom.selfIntersection',
		'ring self-intersection': 'geom.ringSelfIntersection',
		'hole lies outside shell': 'geom.holeOutside',
		'nested shells': 'geom.nestedShells',
		'interior is disconnected': 'geom.interiorDisconnected',
		'too few points': 'geom.tooFewPoints',
		'invalid coordinate': 'geom.invalidCoordinate',
		'duplicate rings': 'geom.duplicateRings',
		'nested holes': 'geom.nestedHoles',
		'the geometry encloses no area': 'geom.noArea'
	};

	// describeInvalid turns a PostGIS reason and its location into a sentence
	// for the planner. The location comes as its own member ([x, y] or a
	// GeoJSON Point) or, from ST_IsValidReason, inside the reason:
	// "Self-intersection[119.86 28.4]". Unknown reasons are shown raw after a
	// generic localized sentence, so nothing the server says is lost.
	function describeInvalid(reason, location) {
		var t = wanmu.i18n.t;
		var text = String(reason || '');
		var at = null;
		var m = /^(.*?)\s*\[\s*(-?[0-9.eE+-]+)[\s,]+(-?[0-9.eE+-]+)\s*\]\s*$/.exec(text);
		if (m) {
			text = m[1];
			at = [parseFloat(m[2]), parseFloat(m[3])];
		}
		if (location && location.coordinates) {
			location = location.coordinates;
		}
		// [0, 0] is what the server sends when PostGIS named no place.
		if (location && location.length >= 2 && isFinite(location[0]) && isFinite(location[1]) && (location[0] !== 0 || location[1] !== 0)) {
			at = [Number(location[0]), Number(location[1])];
		}
		var where = at ? t('geom.at', { lng: at[0].toFixed(7), lat: at[1].toFixed(7) }) : t('geom.somewhere');
		var key = REASONS[text.trim().toLowerCase()];
		if (key) {
			return t(key, { where: where });
		}
		return t('geom.unknown', { where: where, reason: text || '—' });
	}

	wanmu.LiveArea.ringsToPolygon = ringsToPolygon;
	wanmu.LiveArea.describeInvalid = describeInvalid;
})(window.wanmu = window.wanmu || {});
