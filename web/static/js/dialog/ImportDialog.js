// ImportDialog.js: bring in the boundaries a planner was given. Upload
// (Shapefile zip, GeoPackage, FileGDB zip, KML/KMZ, DXF, GeoJSON, CSV), choose
// the target and, where the file does not say, the coordinate system and the
// encoding; look at the preview — how many features, the total ellipsoidal
// area, which are invalid and why, which overlap existing zones, which
// columns hold the name, kind, county and disposition — then confirm.
// Imports are all-or-nothing; a progress bar follows the server's job.
//
// API: POST /api/v1/imports (multipart: file, layer = zones | constraint:NAME,
// kind, crs, encoding, gcj02, source_layer) starts a job {id, state,
// progress, step, error, result}; the page polls GET /api/v1/imports/{id}
// while it is "running"; "waiting" carries the preview; POST …/commit
// {mapping, reason} writes it; DELETE drops it. A file with several polygon
// layers fails with error.layers [{name, geometry, features, crs}]: the
// dialog lists them, and choosing one previews it again with source_layer.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var D = wanmu.Dialog;
	var ENCODINGS = ['auto', 'UTF-8', 'GBK'];

	function open(app) {
		var t = wanmu.i18n.t;
		var isAdmin = app.user && app.user.role === 'admin';
		var job = null, preview = null;
		var sourceLayer = '';  // the file's layer to read, once chosen
		var layerChoices = []; // the file's layers, when it has several
		var file = h('input', { type: 'file', name: 'file', attrs: { accept: '.zip,.gpkg,.kml,.kmz,.dxf,.geojson,.json,.csv' } });
		var targets = [{ value: 'zones', label: 'import.toZones' }];
		if (isAdmin) {
			targets = targets.concat(app.layers.map(function (l) {
				return { value: 'constraint:' + l.name, text: t('import.toLayer', { name: l.name }) };
			})).concat([{ value: 'new', label: 'import.toNewLayer' }]);
		}
		var target = D.select('layer', targets, 'zones');
		var newName = h('input', { type: 'text', name: 'new_layer', attrs: { maxlength: 200 } });
		var newKind = D.select('kind', ['exclude', 'include', 'reference', 'vacant'].map(function (k) { return { value: k, label: 'layerKind.long.' + k }; }), 'exclude');
		var newRow = h('div', { className: 'form-row' }, D.field('import.newLayerName', newName), D.field('import.newLayerKind', newKind));
		newRow.hidden = true;
		target.addEventListener('change', function () {
			newRow.hidden = target.value !== 'new';
			reset();
		});
		var crs = D.select('crs', ['auto'].concat(wanmu.style.crsCodes()).map(function (c) { return { value: c, label: 'crs.' + c }; }), 'auto');
		var encoding = D.select('encoding', ENCODINGS.map(function (e) { return { value: e, label: 'encoding.' + e }; }), 'auto');
		var gcj = h('input', { type: 'checkbox', name: 'gcj02' });
		[file, crs, encoding, gcj].forEach(function (el) { el.addEventListener('change', reset); });
		file.addEventListener('change', function () {
			// Another file: its layers are not the last one's.
			sourceLayer = '';
			layerChoices = [];
		});
		var progress = h('progress', { max: 1000, value: 0, className: 'import-progress' });
		var progressText = h('span', { className: 'muted small' });
		var progressRow = h('div', { className: 'progress-row' }, progress, progressText);
		progressRow.hidden = true;
		var previewEl = h('div', { className: 'import-preview' });
		var reason = h('input', { type: 'text', name: 'reason', attrs: { maxlength: 2000 } });
		var body = h('div', { className: 'form-grid' },
			D.field('import.file', file, 'import.fileHint'),
			D.field('import.target', target),
			newRow,
			h('div', { className: 'form-row' }, D.field('import.crs', crs), D.field('import.encoding', encoding)),
			h('label', { className: 'check' }, gcj, h('span', { i18n: 'import.gcj02' })),
			progressRow,
			previewEl,
			D.field('field.reason', reason, 'field.reasonHint'));

		var dialog = new D({
			title: 'import.title', body: body, className: 'import',
			onClose: function () {
				app.compare.clearLayers();
				if (job && job.id && job.state !== 'done' && job.state !== 'failed' && job.state !== 'cancelled') {
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
		var repair = null;  // checkbox, when the preview has invalid features
		var mapping = {};   // selects of the field mapping

		// reset forgets a preview when the input changes.
		function reset() {
			if (job && job.id && job.state === 'waiting') {
				wanmu.api.request('DELETE', '/imports/' + job.id).catch(function () { return null; });
			}
			job = null;
			preview = null;
			wanmu.dom.clear(previewEl);
			progressRow.hidden = true;
			confirmBtn.disabled = true;
		}

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
			form.append('layer', layerValue());
			if (target.value === 'new') {
				form.append('kind', newKind.value);
			} else if (target.value !== 'zones') {
				var l = app.layers.filter(function (x) { return 'constraint:' + x.name === target.value; })[0];
				if (l) {
					form.append('kind', l.kind);
				}
			}
			if (crs.value !== 'auto') {
				form.append('crs', crs.value);
			}
			if (encoding.value !== 'auto') {
				form.append('encoding', encoding.value);
			}
			form.append('gcj02', gcj.checked ? 'true' : 'false');
			if (sourceLayer) {
				form.append('source_layer', sourceLayer);
			}
			form.append('file', file.files[0]);
			reset();
			setProgress(0, t('import.uploading'));
			return wanmu.api.request('POST', '/imports', { form: form }).then(function (r) {
				return follow(r.data);
			}).then(function (j) {
				job = j;
				if (j.state === 'waiting') {
					preview = j.result || {};
					if (preview.layers && preview.layers.length > 1) {
						layerChoices = preview.layers;
					}
					renderPreview(preview);
					window.setTimeout(updateConfirm, 0);
				} else {
					if (j.error && j.error.layers && j.error.layers.length) {
						layerChoices = j.error.layers;
						renderLayers();
					}
					throw jobError(j);
				}
			}, function (err) {
				progressRow.hidden = true;
				throw err;
			});
		}

		function updateConfirm() {
			var p = preview;
			confirmBtn.disabled = !p || !(p.features > 0) || (p.invalid && p.invalid.length > 0 && !(repair && repair.checked));
		}

		function commit() {
			if (!job || !preview) {
				throw new Error(t('import.previewFirst'));
			}
			var m = null;
			if (preview.mapping) {
				m = L.extend({}, preview.mapping);
				Object.keys(mapping).forEach(function (k) { m[k] = mapping[k].value; });
				m.repair = !!(repair && repair.checked);
			}
			setProgress(0, t('import.writing'));
			var b = { reason: reason.value.trim() };
			if (m) {
				b.mapping = m;
			}
			return wanmu.api.send('POST', '/imports/' + job.id + '/commit', b).then(function (r) {
				return follow(r.data);
			}).then(function (j) {
				job = j;
				if (j.state === 'waiting') {
					// Refused, nothing written: the preview stands, to be changed
					// (mapping, repair) and confirmed again.
					throw jobError(j, 'import.refused');
				}
				if (j.state !== 'done') {
					throw jobError(j);
				}
				var res = j.result || {};
				wanmu.notify(t('import.done', { n: res.written !== undefined ? res.written : '' }), 'ok');
				if (res.empty && res.empty.length) {
					// Features that enclose no area were left out of the layer: say which.
					var shown = res.empty.slice(0, 20).join(', ') + (res.empty.length > 20 ? ' …' : '');
					wanmu.notify(t('import.empty', { n: res.empty.length }), 'warn', t('import.emptyList', { list: shown }));
				}
				return app.loadAll().then(function () {
					if (res.zone_ids && res.zone_ids.length) {
						app.selection.set(res.zone_ids);
						app.zoomToZones(res.zone_ids);
					}
				});
			});
		}

		// follow polls a job until it stops running.
		function follow(j) {
			setProgress(j.progress || 0, t('import.step', { step: j.step || t('import.status.' + (j.state || 'running')) }));
			if (j.state !== 'running') {
				progressRow.hidden = true;
				return Promise.resolve(j);
			}
			return new Promise(function (resolve) { window.setTimeout(resolve, 300); }).then(function () {
				return wanmu.api.get('/imports/' + j.id);
			}).then(follow);
		}

		function jobError(j, key) {
			var e = j.error || {};
			var detail = wanmu.i18n.lang() === 'zh' ? (e.detail || e.english) : (e.english || e.detail);
			return new Error(t(key || 'import.failed', { reason: detail || t('import.status.' + j.state) }));
		}

		function setProgress(frac, text) {
			progressRow.hidden = false;
			progress.max = 1000;
			progress.value = Math.round((frac || 0) * 1000);
			progressText.textContent = text + ' ' + Math.round((frac || 0) * 100) + '%';
		}

		// renderLayers lists the file's layers (name, geometry type, feature
		// count, CRS) to choose from; choosing one previews it.
		function renderLayers() {
			if (!layerChoices.length) {
				return;
			}
			var current = sourceLayer || (preview && preview.source_layer) || '';
			var rows = layerChoices.map(function (l) {
				var radio = h('input', { type: 'radio', name: 'source_layer', value: l.name, checked: l.name === current });
				var row = h('tr', { className: l.name === current ? 'selected' : '' },
					h('td', null, radio),
					h('td', { text: l.name }),
					h('td', { text: l.geometry || '—' }),
					h('td', { className: 'num', text: l.features >= 0 ? String(l.features) : '?' }),
					h('td', { text: l.crs || t('import.layerNoCRS') }));
				row.addEventListener('click', function () {
					if (sourceLayer === l.name && preview) {
						return;
					}
					radio.checked = true;
					sourceLayer = l.name;
					dialog.buttons[1].click(); // preview the chosen layer
				});
				return row;
			});
			previewEl.appendChild(h('fieldset', { className: 'layer-choice' },
				h('legend', { i18n: 'import.sourceLayer' }),
				h('p', { className: 'muted small', i18n: 'import.sourceLayerHint' }),
				h('table', { className: 'list' },
					h('thead', null, h('tr', null, h('th'),
						h('th', { i18n: 'import.layerName' }), h('th', { i18n: 'import.layerGeometry' }),
						h('th', { className: 'num', i18n: 'import.layerFeatures' }), h('th', { i18n: 'import.layerCRS' }))),
					h('tbody', null, rows))));
		}

		function renderPreview(p) {
			wanmu.dom.clear(previewEl);
			renderLayers();
			showBounds(p.bounds);
			mapping = {};
			repair = null;
			var invalid = p.invalid || [], overlaps = p.overlaps || [], unplaced = p.unplaced || [];
			previewEl.appendChild(h('dl', { className: 'kv compact preview-kv' },
				h('dt', { i18n: 'import.features' }), h('dd', { className: 'strong', text: String(p.features || 0) }),
				p.total_area ? [h('dt', { i18n: 'import.area' }), h('dd', { text: wanmu.units.area(p.total_area.mu) })] : null,
				h('dt', { i18n: 'import.format' }), h('dd', { text: p.format || '—' }),
				h('dt', { i18n: 'import.crsFound' }), h('dd', { text: (p.source_crs || '—') + (p.crs_assumed ? ' · ' + t('import.crsAssumed') : '') }),
				p.crs_note ? [h('dt'), h('dd', { className: 'muted small', text: p.crs_note })] : null,
				p.encoding ? [h('dt', { i18n: 'import.encodingFound' }), h('dd', { text: p.encoding })] : null));
			(p.warnings || []).forEach(function (w) {
				previewEl.appendChild(h('div', { className: 'info-box small', text: String(w) }));
			});
			if (p.mapping && (p.fields || []).length && p.target === 'zones') {
				var opts = [{ value: '', label: 'import.noField' }].concat(p.fields.map(function (f) { return { value: f, text: f }; }));
				var rows = [['name_field', 'field.name'], ['kind_field', 'field.kind'], ['county_field', 'field.county'], ['disposition_field', 'field.disposition'], ['document_no_field', 'field.documentNo'], ['approved_area_field', 'field.approvedHa']].map(function (m) {
					var sel = D.select(m[0], opts, p.mapping[m[0]] || '');
					mapping[m[0]] = sel;
					return D.field(m[1], sel);
				});
				var dk = D.select('default_kind', [{ value: 'township', label: 'kind.township' }, { value: 'park', label: 'kind.park' }], p.mapping.default_kind || 'township');
				mapping.default_kind = dk;
				var dc = D.select('default_county', [{ value: '', label: 'import.countyFromMap' }].concat(wanmu.style.counties.map(function (c) {
					return { value: c, text: t('county.' + c) };
				})), p.mapping.default_county || '');
				mapping.default_county = dc;
				previewEl.appendChild(h('fieldset', { className: 'mapping' },
					h('legend', { i18n: 'import.mapping' }),
					h('div', { className: 'form-row' }, rows[0], rows[1]),
					h('div', { className: 'form-row' }, rows[2], rows[3]),
					h('div', { className: 'form-row' }, rows[4], rows[5]),
					h('div', { className: 'form-row' }, D.field('import.defaultKind', dk), D.field('import.defaultCounty', dc))));
			}
			if (invalid.length) {
				repair = h('input', { type: 'checkbox', name: 'repair' });
				repair.addEventListener('change', updateConfirm);
				previewEl.appendChild(h('div', { className: 'warn-box' },
					h('strong', { text: t('import.invalid', { n: invalid.length }) }),
					h('ul', null, invalid.slice(0, 100).map(function (e) {
						return h('li', { attrs: { 'data-invalid': String(e.index) }, text: invalidText(e) });
					})),
					h('label', { className: 'check' }, repair, h('span', { i18n: 'import.repair' }))));
			}
			if (overlaps.length) {
				previewEl.appendChild(h('div', { className: 'info-box' },
					h('strong', { text: t('import.overlaps', { n: overlaps.length }) }),
					h('ul', null, overlaps.slice(0, 100).map(function (o) {
						var with_ = (o.overlaps || []).map(function (x) {
							return x.name + (x.area_m2 ? ' ' + t('import.paren', { v: wanmu.units.area(wanmu.units.fromM2(x.area_m2)) }) : '');
						}).join(t('list.separator'));
						return h('li', { text: '#' + o.index + (o.name ? ' ' + o.name : '') + ' ↔ ' + with_ });
					}))));
			}
			if (unplaced.length) {
				previewEl.appendChild(h('div', { className: 'info-box' },
					h('strong', { text: t('import.unplaced', { n: unplaced.length }) }),
					h('ul', null, unplaced.slice(0, 50).map(function (u) {
						return h('li', { text: t('import.issue', { i: u.index, name: u.name || '', reason: u.reason || '' }) });
					}))));
			}
		}

		// invalidText says, in the planner's language, which feature is
		// invalid, what is wrong where (the live panel's sentences), the
		// vertex nearest to it and that the import can repair it.
		function invalidText(e) {
			var near = e.near ? t('import.near', {
				part: e.near.part > 1 ? t('import.part', { p: e.near.part }) : '',
				ring: e.near.ring > 1 ? t('import.holeRing', { h: e.near.ring - 1 }) : t('import.outerRing'),
				v: e.near.vertex
			}) : '';
			return t('import.invalidFeature', { i: e.index, name: e.name ? t('import.quoted', { name: e.name }) : '' }) +
				wanmu.LiveArea.describeInvalid(e.reason_code || e.reason || '', e.location) + near +
				(e.repair ? t('import.willRepair', { v: e.repaired_area_mu ? wanmu.units.area(e.repaired_area_mu) : '—' }) : '');
		}

		// showBounds draws where the file's features fall, so a wrong
		// coordinate system shows at once (e.g. far from 丽水).
		function showBounds(b) {
			app.compare.clearLayers();
			if (!b || b.length !== 4 || !(b[2] > b[0]) || !(b[3] > b[1])) {
				return;
			}
			var ring = [[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]], [b[0], b[1]]];
			app.compare.show({ type: 'Polygon', coordinates: [ring] }, wanmu.style.ghost, t('import.boundsTag'));
			app.map.fitBounds(app.compare.bounds(), { paddingTopLeft: [40, 90], paddingBottomRight: [40, 40], maxZoom: 15 });
		}

		return dialog.open();
	}

	wanmu.ImportDialog = { open: open };
})(window.wanmu = window.wanmu || {});
