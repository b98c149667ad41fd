// ImportDialog.js: bring in the boundaries a planner was given. Upload
// (Shapefile zip, GeoPackage, FileGDB zip, KML/KMZ, DXF, GeoJSON, CSV), choose
// the target layer, the coordinate system and the encoding (or let the
// server detect them), look at the preview — how many features, which are
// invalid and why, which overlap existing zones — then confirm. Imports are
// all-or-nothing; progress is shown while the server works.
//
// Contract (POST /api/v1/imports, multipart: file, layer, crs, encoding,
// gcj02): the answer is a job {id, status, progress, preview}; the page polls
// GET /api/v1/imports/{id} while status is "queued"/"running", confirms with
// POST /api/v1/imports/{id}/commit and drops the job with DELETE.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var D = wanmu.Dialog;
	var CRS = ['auto', 'EPSG:4490', 'EPSG:4326', 'EPSG:4549', 'EPSG:4528'];
	var ENCODINGS = ['auto', 'UTF-8', 'GBK'];

	function open(app) {
		var t = wanmu.i18n.t;
		var job = null;
		var file = h('input', { type: 'file', name: 'file', attrs: { accept: '.zip,.gpkg,.kml,.kmz,.dxf,.geojson,.json,.csv,.gdb' } });
		var target = D.select('layer', [{ value: 'zones', label: 'import.toZones' }]
			.concat(app.layers.filter(function (l) { return l.kind !== 'reference'; }).map(function (l) {
				return { value: 'constraint:' + l.name, text: t('import.toLayer', { name: l.name }) };
			})).concat([{ value: 'new', label: 'import.toNewLayer' }]), 'zones');
		var newName = h('input', { type: 'text', name: 'new_layer', attrs: { maxlength: 200 } });
		var newRow = D.field('import.newLayerName', newName);
		newRow.hidden = true;
		target.addEventListener('change', function () { newRow.hidden = target.value !== 'new'; });
		var crs = D.select('crs', CRS.map(function (c) { return { value: c, label: 'crs.' + c }; }), 'auto');
		var encoding = D.select('encoding', ENCODINGS.map(function (e) { return { value: e, label: 'encoding.' + e }; }), 'auto');
		var gcj = h('input', { type: 'checkbox', name: 'gcj02' });
		var progress = h('progress', { max: 1000, value: 0, className: 'import-progress' });
		var progressText = h('span', { className: 'muted small' });
		var progressRow = h('div', { className: 'progress-row' }, progress, progressText);
		progressRow.hidden = true;
		var preview = h('div', { className: 'import-preview' });
		var body = h('div', { className: 'form-grid' },
			D.field('import.file', file, 'import.fileHint'),
			D.field('import.target', target),
			newRow,
			h('div', { className: 'form-row' }, D.field('import.crs', crs), D.field('import.encoding', encoding)),
			h('label', { className: 'check' }, gcj, h('span', { i18n: 'import.gcj02' })),
			progressRow,
			preview);

		var dialog = new D({
			title: 'import.title', body: body, className: 'import',
			onClose: function (v) {
				if (v !== 'ok' && job && job.id && job.status !== 'done') {
					wanmu.api.request('DELETE', '/imports/' + job.id).catch(function () { return null; });
				}
			},
			buttons: [
				{ label: 'action.cancel', value: null },
				{ label: 'import.preview', value: 'preview', action: function () { return upload().then(function () { return false; }); } },
				{ label: 'import.confirm', kind: 'primary', value: 'ok', action: function () { return commit(); } }
			]
		});
		var confirmBtn = dialog.buttons[2];
		confirmBtn.disabled = true;

		function layerValue() {
			if (target.value === 'new') {
				if (!newName.value.trim()) {
					throw new Error(t('import.newLayerRequired'));
				}
				return 'constraint:' + newName.value.trim();
			}
			return target.value;
		}

		function upload() {
			if (!file.files.length) {
				throw new Error(t('import.noFile'));
			}
			var form = new FormData();
			form.append('file', file.files[0]);
			form.append('layer', layerValue());
			if (crs.value !== 'auto') {
				form.append('crs', crs.value);
			}
			if (encoding.value !== 'auto') {
				form.append('encoding', encoding.value);
			}
			form.append('gcj02', gcj.checked ? 'true' : 'false');
			wanmu.dom.clear(preview);
			setProgress({ done: 0, total: 1000 }, t('import.uploading'));
			return wanmu.api.request('POST', '/imports', { form: form }).then(function (r) {
				return poll(r.data);
			}, function (err) {
				progressRow.hidden = true;
				if (err.status === 404 || err.status === 405) {
					throw new Error(t('import.unavailable'));
				}
				throw err;
			}).then(function (j) {
				job = j;
				renderPreview(j);
				window.setTimeout(function () { confirmBtn.disabled = !canCommit(j); }, 0);
			});
		}

		function canCommit(j) {
			var p = j.preview || {};
			return (j.status === 'preview' || j.status === 'ready') && !(p.invalid && p.invalid.length) && (p.features || p.count || 0) > 0;
		}

		function commit() {
			if (!job || !canCommit(job)) {
				throw new Error(t('import.previewFirst'));
			}
			setProgress({ done: 0, total: 1000 }, t('import.writing'));
			return wanmu.api.send('POST', '/imports/' + job.id + '/commit', {}).then(function (r) {
				return poll(r.data || job);
			}).then(function (j) {
				job = j;
				if (j.status !== 'done') {
					throw new Error(t('import.failed', { reason: j.error || j.status }));
				}
				wanmu.notify(t('import.done', { n: (j.result && j.result.features) || (j.preview && j.preview.features) || '' }), 'ok');
				return app.loadAll();
			});
		}

		// poll follows a job until it leaves queued/running.
		function poll(j) {
			setProgress(j.progress, statusText(j));
			if (j.status !== 'queued' && j.status !== 'running') {
				progressRow.hidden = j.status !== 'running';
				return Promise.resolve(j);
			}
			return new Promise(function (resolve) { window.setTimeout(resolve, 400); }).then(function () {
				return wanmu.api.get('/imports/' + j.id);
			}).then(poll);
		}

		function statusText(j) {
			return t('import.status.' + (j.status || 'running'));
		}

		function setProgress(p, text) {
			progressRow.hidden = false;
			var done = 0, total = 1000;
			if (typeof p === 'number') {
				done = p <= 1 ? p * 1000 : p;
			} else if (p) {
				done = p.done || 0;
				total = p.total || 1000;
			}
			progress.max = total;
			progress.value = done;
			progressText.textContent = text + ' ' + Math.round(done / total * 100) + '%';
		}

		function renderPreview(j) {
			var p = j.preview || {};
			wanmu.dom.clear(preview);
			var invalid = p.invalid || [];
			var overlaps = p.overlaps || [];
			preview.appendChild(h('dl', { className: 'kv compact' },
				h('dt', { i18n: 'import.features' }), h('dd', { text: String(p.features !== undefined ? p.features : (p.count || 0)) }),
				p.crs ? [h('dt', { i18n: 'import.crsFound' }), h('dd', { text: p.crs })] : null,
				p.encoding ? [h('dt', { i18n: 'import.encodingFound' }), h('dd', { text: p.encoding })] : null,
				p.area_mu !== undefined ? [h('dt', { i18n: 'import.area' }), h('dd', { text: wanmu.units.area(p.area_mu) })] : null));
			(p.warnings || []).forEach(function (w) {
				preview.appendChild(h('div', { className: 'info-box small', text: typeof w === 'string' ? w : (w.message || JSON.stringify(w)) }));
			});
			if (invalid.length) {
				preview.appendChild(h('div', { className: 'warn-box' }, h('strong', { text: t('import.invalid', { n: invalid.length }) }),
					h('ul', null, invalid.slice(0, 50).map(function (e) {
						return h('li', { text: '#' + (e.index !== undefined ? e.index + 1 : '?') + (e.name ? ' ' + e.name : '') + ': ' + (e.reason || e.message || '') });
					}))));
			}
			if (overlaps.length) {
				preview.appendChild(h('div', { className: 'info-box' }, h('strong', { text: t('import.overlaps', { n: overlaps.length }) }),
					h('ul', null, overlaps.slice(0, 50).map(function (o) {
						return h('li', { text: (o.name || ('#' + ((o.index || 0) + 1))) + ' ↔ ' + (o.zone_name || o.zone_id || '') + (o.area_m2 ? ' · ' + wanmu.units.area(wanmu.units.fromM2(o.area_m2)) : '') });
					}))));
			}
			if (j.status === 'failed') {
				preview.appendChild(h('div', { className: 'warn-box', text: t('import.failed', { reason: j.error || '' }) }));
			}
		}

		return dialog.open();
	}

	wanmu.ImportDialog = { open: open };
})(window.wanmu = window.wanmu || {});
