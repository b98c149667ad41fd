// LayersPanel.js: the left panel — layers with their legend. Platforms,
// parks, township zones by disposition (with counts), each constraint layer
// (on/off, opacity, whether it counts in the developable-area calculation),
// reference layers (the basemap has its own switcher on the map).
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	function LayersPanel(app, el) {
		this.app = app;
		this.el = el;
		app.on('zones', this.render, this);
		app.on('layers', this.render, this);
		app.on('platforms', this.render, this);
		wanmu.i18n.on('langchange', this.render, this);
		this.render();
	}

	LayersPanel.prototype.render = function () {
		var app = this.app, self = this;
		var filter = app.zones.filter();
		// The counts are of all zones (the server's summary), not only of
		// those loaded for the view.
		var sum = app.zoneSummary || {};
		var counts = sum.by_disposition || {}, parks = (sum.by_kind || {}).park || 0;
		wanmu.dom.clear(this.el);

		var planning = h('section', { className: 'layer-section' },
			h('h3', { i18n: 'layers.planning' }),
			item({
				id: 'platforms', checked: filter.halos, label: t('layers.platforms'), count: app.platforms.length,
				swatch: h('span', { className: 'swatch halo' }),
				onChange: function (on) { app.zones.setFilter({ halos: on, platformLabels: on }); }
			}),
			item({
				id: 'parks', checked: filter.park, label: t('kind.park'), count: parks,
				swatch: h('span', { className: 'swatch', style: { background: wanmu.style.park.fill, 'border-color': wanmu.style.park.color, opacity: '0.8' } }),
				onChange: function (on) { app.zones.setFilter({ park: on }); }
			}),
			h('div', { className: 'layer-group-title', i18n: 'kind.township' }),
			h('div', { className: 'sublist' }, wanmu.style.dispositions.map(function (d) {
				var c = wanmu.style.dispositionColor[d];
				return item({
					id: 'disp-' + d, checked: filter.township[d] !== false, label: t('disp.' + d), count: counts[d] || 0,
					swatch: h('span', { className: 'swatch', style: { background: c, 'border-color': wanmu.style.shade(c, -0.25) } }),
					onChange: function (on) {
						var tw = L.extend({}, app.zones.filter().township);
						tw[d] = on;
						app.zones.setFilter({ township: tw });
					}
				});
			})),
			item({
				id: 'labels', checked: filter.labels, label: t('layers.labels'),
				swatch: h('span', { className: 'swatch text', text: 'A' }),
				onChange: function (on) { app.zones.setFilter({ labels: on }); }
			}));

		// Vacant land (闲置土地) counts in no figure of the developable area: listed with the reference layers.
		var constraint = app.layers.filter(function (l) { return l.kind === 'include' || l.kind === 'exclude'; });
		var reference = app.layers.filter(function (l) { return l.kind !== 'include' && l.kind !== 'exclude'; });
		var constraints = h('section', { className: 'layer-section' },
			h('h3', null, h('span', { i18n: 'layers.constraints' }), h('span', { className: 'help', i18nTitle: 'layers.constraintsHelp', text: '?' })),
			constraint.length ? constraint.map(function (l) { return self._constraintItem(l); }) : h('div', { className: 'muted small', i18n: 'layers.none' }));
		var refs = h('section', { className: 'layer-section' },
			h('h3', { i18n: 'layers.reference' }),
			reference.length ? reference.map(function (l) { return self._constraintItem(l); }) : h('div', { className: 'muted small', i18n: 'layers.none' }));
		var note = app.tilesMissing ? h('div', { className: 'warn-box small', i18n: 'layers.tilesMissing' }) : null;
		// 亩均评价: enterprises by class, low-efficiency land, platform shading (EnterpriseLayer.js).
		app.evalLayers = app.evalLayers || new wanmu.EvaluationLayers(app);
		this.el.appendChild(h('div', { className: 'layers' }, planning, app.evalLayers.section(), constraints, refs, note, phoneSettings(this),
			// Only on the sample data loaded at first start (GET /config).
			app.config && app.config.sample_data ? h('div', { className: 'sample-note muted small', i18n: 'layers.sampleNote' }) : null));
	};

	LayersPanel.prototype._constraintItem = function (l) {
		var app = this.app;
		var tl = app.tileLayers[l.id];
		var st = wanmu.style.layerStyle(l);
		var on = !!tl && app.map.hasLayer(tl);
		var opacity = h('input', {
			type: 'range', min: 0, max: 100, step: 5, value: Math.round((tl ? tl.options.opacity : 1) * 100),
			className: 'opacity', attrs: { 'aria-label': t('layers.opacity') }, i18nTitle: 'layers.opacity'
		});
		opacity.addEventListener('input', function () {
			if (tl) {
				tl.setOpacity(opacity.value / 100);
			}
		});
		var swatch = h('span', { className: 'swatch' + (st.hatch ? ' hatch' : '') + (l.kind === 'include' ? ' dashed' : '') + (l.kind === 'reference' ? ' line' : ''),
			style: { background: st.fill || 'transparent', 'border-color': st.stroke, color: st.hatch || st.stroke } });
		var row = item({
			id: 'layer-' + l.id, checked: on, label: l.name, count: l.features,
			swatch: swatch,
			tags: [
				l.kind !== 'reference' ? h('span', { className: 'kind-tag kind-' + l.kind, text: t('layerKind.' + l.kind) }) : null,
				(l.kind === 'include' || l.kind === 'exclude') && !l.enabled ? h('span', { className: 'kind-tag off', i18nTitle: 'layers.notCountedHelp', text: t('layers.notCounted') }) : null
			],
			onChange: function (checked) {
				if (!tl) {
					return;
				}
				if (checked) {
					tl.addTo(app.map);
				} else {
					app.map.removeLayer(tl);
				}
				opacity.disabled = !checked;
			}
		});
		opacity.disabled = !on;
		row.appendChild(h('div', { className: 'layer-opacity' }, h('span', { className: 'muted small', i18n: 'layers.opacity' }), opacity));
		return row;
	};

	// phoneSettings: a phone's top bar has no room for the language switch
	// and its status bar none for the coordinate format's, so the layers
	// sheet offers both (responsive.css shows it on a phone only). The format
	// is the status bar's: its switch button is stepped to the one chosen.
	function phoneSettings(panel) {
		var crs = function () { return document.querySelector('.wanmu-statusbar .crs'); };
		var lang = wanmu.i18n.lang();
		var cur = crs() ? crs().textContent : '';
		function seg(name, values, isOn, label, choose) {
			return h('div', { className: 'phone-setting' }, h('span', { className: 'muted small', i18n: 'phone.' + name }),
				h('div', { className: 'seg', attrs: { role: 'group', 'data-setting': name } }, values.map(function (v) {
					return h('button', { className: 'seg-btn' + (isOn(v) ? ' on' : ''), attrs: { type: 'button', 'data-value': v, 'aria-pressed': String(isOn(v)) },
						text: label(v), on: { click: function () { choose(v); } } });
				})));
		}
		return h('section', { className: 'layer-section phone-settings' }, h('h3', { i18n: 'phone.settings' }),
			seg('lang', wanmu.i18n.languages, function (l) { return l === lang; }, function (l) { return t('lang.' + l); }, function (l) {
				wanmu.i18n.setLang(l); // the panel is drawn again in the new language
				document.querySelectorAll('#lang .seg-btn').forEach(function (b) {
					b.classList.toggle('on', b.dataset.value === l);
					b.setAttribute('aria-pressed', String(b.dataset.value === l));
				});
			}),
			crs() ? seg('coords', wanmu.coords.FORMATS, function (f) { return t('coords.fmt.' + f) === cur; }, function (f) { return t('coords.fmt.' + f); }, function (f) {
				for (var i = 0; i < wanmu.coords.FORMATS.length && crs().textContent !== t('coords.fmt.' + f); i++) {
					crs().click();
				}
				panel.render();
			}) : null);
	}

	// item is one legend row: checkbox, swatch, label, count.
	function item(o) {
		var cb = h('input', { type: 'checkbox', checked: !!o.checked, attrs: { 'data-layer': o.id } });
		cb.addEventListener('change', function () { o.onChange(cb.checked); });
		return h('div', { className: 'layer-item' },
			h('label', { className: 'layer-row' }, cb, o.swatch,
				h('span', { className: 'layer-name', text: o.label }),
				o.tags || null,
				o.count !== undefined ? h('span', { className: 'layer-count', text: wanmu.i18n.number(o.count, 0) }) : null));
	}

	wanmu.LayersPanel = LayersPanel;
})(window.wanmu = window.wanmu || {});
