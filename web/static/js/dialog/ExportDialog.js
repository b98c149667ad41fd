// ExportDialog.js: hand a layer (or the selected zones) over in the format
// and coordinate system the recipient uses. The file is produced by the
// server (GET /api/v1/exports) and downloaded by the browser.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var D = wanmu.Dialog;

	var FORMATS = ['shp', 'gpkg', 'filegdb', 'kml', 'kmz', 'dxf', 'geojson', 'csv', 'xlsx'];

	// open(app, {selectionOnly}) shows the dialog.
	function open(app, opts) {
		var t = wanmu.i18n.t;
		var sel = opts.ids || app.selection.ids(); // ids: the zone table's selection
		var layerOptions = [{ value: 'zones', label: 'export.layerZones' }, { value: 'platforms', label: 'export.layerPlatforms' }]
			.concat(app.layers.map(function (l) { return { value: 'layer-' + l.id, text: l.name }; }))
			.concat([{ value: 'handover', label: 'export.handover' }, { value: 'qgis', label: 'export.qgisProject' }]);
		var layer = D.select('layer', layerOptions, 'zones');
		var format = D.select('format', FORMATS.map(function (f) { return { value: f, label: 'format.' + f }; }), 'shp');
		var crs = D.select('crs', wanmu.style.crsCodes().map(function (c) { return { value: c, label: 'crs.' + c }; }), 'EPSG:4490');
		var encoding = D.select('encoding', ['UTF-8', 'GBK'].map(function (e) { return { value: e, label: 'encoding.' + e }; }), 'UTF-8');
		var encodingRow = D.field('export.encoding', encoding, 'export.encodingHint');
		var formatRow = D.field('export.format', format);
		var onlySel = h('input', { type: 'checkbox', name: 'selection', checked: !!opts.selectionOnly && sel.length > 0, disabled: !sel.length });
		var crsNote = h('div', { className: 'field-hint' });
		function update() {
			var f = format.value;
			var handover = layer.value === 'handover', qgis = layer.value === 'qgis';
			formatRow.hidden = handover || qgis;
			encodingRow.hidden = qgis || (!handover && f !== 'shp' && f !== 'csv' && f !== 'dxf');
			if (handover) {
				f = 'shp';
			}
			// KML/KMZ are WGS84 by their specification.
			crs.disabled = f === 'kml' || f === 'kmz';
			crsNote.textContent = crs.disabled ? t('export.kmlCrs') : (f === 'dxf' && crs.value.indexOf('45') < 0 ? t('export.dxfCrs') : '');
			crs.disabled = crs.disabled && !handover;
			if (handover && crsNote.textContent === '') {
				crsNote.textContent = t('export.handoverNote');
			}
			if (qgis) { // a project in CGCS2000 or Gauss-Kruger (WGS 84 is not offered there)
				crs.disabled = false;
				var plan = wanmu.app.scenarios && wanmu.app.scenarios.current;
				crsNote.textContent = t('export.qgisNote') + (plan ? ' ' + t('export.qgisPlanNote', { name: plan.name }) : '');
			}
			onlySel.disabled = !sel.length || layer.value !== 'zones';
			if (onlySel.disabled) {
				onlySel.checked = false;
			}
		}
		[layer, format, crs].forEach(function (el) { el.addEventListener('change', update); });
		var body = h('div', { className: 'form-grid' },
			D.field('export.layer', layer),
			h('div', { className: 'form-row' }, formatRow, D.field('export.crs', crs)),
			crsNote,
			encodingRow,
			h('label', { className: 'check' }, onlySel, h('span', { text: t('export.onlySelection', { n: sel.length }) })),
			h('p', { className: 'field-hint', i18n: 'export.note' }));
		update();
		return new D({
			title: 'export.title', body: body,
			buttons: [
				{ label: 'action.cancel', value: null },
				{
					label: 'export.download', kind: 'primary', value: 'ok',
					action: function () {
						var url;
						if (layer.value === 'handover') {
							url = wanmu.api.url('/exports/handover', { crs: crs.value, encoding: encoding.value });
						} else if (layer.value === 'qgis') {
							url = wanmu.api.url('/exports/qgis-project', crs.value === 'EPSG:4326' ? {} : { crs: crs.value });
						} else {
							var q = { layer: layer.value, format: format.value };
							if (!crs.disabled) {
								q.crs = crs.value;
							}
							if (!encodingRow.hidden) {
								q.encoding = encoding.value;
							}
							if (onlySel.checked) {
								q.ids = sel.join(',');
							}
							url = wanmu.api.url('/exports', q);
						}
						// Ask first (HEAD is not enough for a job that may fail), so
						// a missing endpoint or a bad choice shows here, not as a
						// broken download.
						return wanmu.api.download(url, 'wanmu-' + layer.value + '.' + ({ handover: 'zip', qgis: 'qgz' }[layer.value] || format.value));
					}
				}
			]
		}).open();
	}

	wanmu.ExportDialog = { open: open };
})(window.wanmu = window.wanmu || {});
