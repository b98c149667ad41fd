// MergeDialog.js: merging the selected zones into one. The union is made by
// the server (PostGIS), which keeps everything of the sources (README,
// "Merging zones"). The dialog shows what the merge will make before it is
// made — a dry run: the union's exact area and parts, the document numbers
// kept, the approved areas summed, attribute values that disagree — and
// asks what only the planner can decide: the kind, county, disposition or
// platform where the zones differ, and a confirmation naming the distance
// when they do not touch.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var D = wanmu.Dialog;

	// open(features, {preview(body), submit(body)}): preview resolves to the
	// dry run's answer (the merged Feature with its "merge" member); submit
	// does the merge. body holds properties, platform_id, allow_gap_m, reason.
	function open(features, o) {
		var t = wanmu.i18n.t;
		var props = features.map(function (f) { return f.properties; });
		var first = props[0];
		var name = h('input', { type: 'text', name: 'name', value: first.name, attrs: { maxlength: 200 } });
		var reason = h('input', { type: 'text', name: 'reason', attrs: { maxlength: 2000 } });

		// A choice is asked only where the sources differ; where they agree
		// their value is kept (the disposition can still be changed).
		function distinct(key) {
			var seen = [];
			props.forEach(function (p) {
				var v = p[key] === undefined ? null : p[key];
				if (seen.indexOf(v) < 0) {
					seen.push(v);
				}
			});
			return seen;
		}
		function choice(key, values, label) {
			var options = values.length > 1 ? [{ value: '', text: t('merge.choose') }] : [];
			return D.select(key, options.concat(values.map(function (v) { return { value: v === null ? '' : v, text: label(v) }; })),
				values.length > 1 ? '' : values[0]);
		}
		var kinds = distinct('kind'), counties = distinct('county_adcode'), platformIds = distinct('platform_id');
		var kind = kinds.length > 1 ? choice('kind', kinds, function (v) { return t('kind.' + v); }) : null;
		var county = counties.length > 1 ? choice('county_adcode', counties, function (v) { return t('county.' + v); }) : null;
		var dispositions = distinct('disposition');
		var disposition = D.select('disposition', (dispositions.length > 1 ? [{ value: '', text: t('merge.choose') }] : [])
			.concat(wanmu.style.dispositions.map(function (d) { return { value: d, label: 'disp.' + d }; })),
			dispositions.length > 1 ? '' : first.disposition);
		var platform = null;
		if (platformIds.length > 1) {
			platform = D.select('platform_id', [{ value: '', text: t('merge.choose') }].concat(platformIds.map(function (id) {
				var p = props.filter(function (x) { return (x.platform_id || null) === id; })[0];
				return { value: id === null ? '0' : String(id), text: id === null ? t('merge.noPlatform') : (p.platform_name || String(id)) };
			})), '');
		}

		var list = h('ul', { className: 'merge-list' }, props.map(function (p) {
			return h('li', null,
				h('span', { text: p.name }),
				h('span', { className: 'muted', text: ' ' + t('disp.' + p.disposition) + (p.platform_name ? ' · ' + p.platform_name : '') }),
				h('span', { className: 'num', text: wanmu.units.area(p.area_mu) }));
		}));
		var preview = h('div', { className: 'merge-preview', attrs: { 'data-merge-preview': '' } },
			h('div', { className: 'muted', text: t('merge.previewing') }));
		var gapConfirm = h('input', { type: 'checkbox', name: 'allow_gap' });
		var gapBox = h('label', { className: 'form-warn merge-gap', attrs: { 'data-merge-gap': '' } });
		gapBox.hidden = true;
		var gapM = 0;

		// The document numbers are kept whole (joined by "；"); when together
		// they exceed what a zone holds, the server asks for them
		// (document_no) and the planner shortens them here.
		var docs = joinedDocs(props);
		var docNo = h('textarea', { name: 'document_no', value: docs, attrs: { rows: 4 },
			style: { width: '100%', padding: '6px 8px', border: '1px solid #cdd5dd', 'border-radius': '4px', resize: 'vertical' } });
		var docCount = h('span', { className: 'field-hint', attrs: { 'data-doc-count': '' } });
		var docNote = h('div', { className: 'form-warn', attrs: { 'data-doc-question': '' } });
		var docBox = h('div', { className: 'form-grid', attrs: { 'data-merge-document': '' } }, docNote, D.field('field.documentNo', docNo), docCount);
		function countDocs() {
			var n = chars(docNo.value.trim());
			docCount.textContent = t('merge.docCount', { n: n, max: DOC_MAX });
			docCount.className = 'field-hint' + (n > DOC_MAX ? ' bad' : '');
		}
		docNo.addEventListener('input', countDocs);
		// askDocs shows the field; true if it was hidden (the preview must
		// then be asked again with the planner's numbers).
		function askDocs() {
			var was = docBox.hidden;
			docBox.hidden = false;
			docNote.textContent = t('merge.docTooLong', { n: chars(docs), max: DOC_MAX });
			countDocs();
			return was;
		}
		docBox.hidden = true;
		if (chars(docs) > DOC_MAX) {
			askDocs();
		}

		// decided reads the planner's answers; undecided ones are null.
		function decided() {
			return {
				kind: kind ? kind.value || null : first.kind,
				county_adcode: county ? county.value || null : first.county_adcode,
				disposition: disposition.value || null,
				platform_id: platform ? (platform.value === '' ? null : Number(platform.value)) : undefined
			};
		}
		function body(forPreview) {
			var d = decided();
			// The preview does not depend on the answers (area, document
			// numbers, approved areas, attributes): it stands in the first
			// source's values until the planner chooses.
			var p = {
				name: name.value.trim() || first.name,
				kind: d.kind || first.kind,
				county_adcode: d.county_adcode || first.county_adcode,
				disposition: d.disposition || first.disposition
			};
			var b = { properties: p, reason: reason.value.trim() };
			if (platform) {
				b.platform_id = d.platform_id === null ? (first.platform_id || 0) : d.platform_id;
			}
			b.allow_gap_m = forPreview ? 1e9 : (gapConfirm.checked ? gapM : 0);
			if (!docBox.hidden) {
				// The preview stands in the first DOC_MAX characters until the
				// planner has shortened them.
				p.document_no = forPreview ? Array.from(docNo.value.trim()).slice(0, DOC_MAX).join('') : docNo.value.trim();
			}
			return b;
		}

		var body0 = h('div', { className: 'form-grid' },
			h('p', { className: 'dialog-text', text: t('merge.intro', { n: features.length }) }),
			list,
			preview,
			gapBox,
			docBox,
			D.field('field.name', name),
			kind ? D.field('field.kind', kind, 'merge.differs') : null,
			county ? D.field('field.county', county, 'merge.differs') : null,
			D.field('field.disposition', disposition, dispositions.length > 1 ? 'merge.differs' : null),
			platform ? D.field('field.platform', platform, 'merge.platformDiffers') : null,
			D.field('field.reason', reason, 'field.reasonHint'));

		var d = new D({
			title: 'merge.title', body: body0,
			buttons: [
				{ label: 'action.cancel', value: null },
				{
					label: 'action.merge', kind: 'primary', value: 'ok',
					action: function () {
						var a = decided();
						if (!name.value.trim()) {
							throw new Error(t('attr.nameRequired'));
						}
						if (!a.kind || !a.county_adcode || !a.disposition || a.platform_id === null) {
							throw new Error(t('merge.answerFirst'));
						}
						if (gapM > 0 && !gapConfirm.checked) {
							throw new Error(t('merge.confirmGap', { m: wanmu.i18n.number(gapM, 2) }));
						}
						if (!docBox.hidden && chars(docNo.value.trim()) > DOC_MAX) {
							throw new Error(t('merge.docOver', { n: chars(docNo.value.trim()), max: DOC_MAX }));
						}
						var b = body(false);
						b.properties.name = name.value.trim();
						return o.submit(b).catch(function (err) {
							if (asksDocs(err)) {
								askDocs();
								throw new Error(t('merge.docTooLong', { n: chars(docs), max: DOC_MAX }));
							}
							throw err;
						});
					}
				}
			]
		});

		function runPreview() {
			return o.preview(body(true)).then(function (f) {
				showPreview(f, preview, props);
				if (!docBox.hidden) { // the preview stood in a cut-off value
					preview.querySelector('[data-field="merged-document-no"]').textContent = t('merge.docBelow');
				}
				var m = f.merge || {};
				gapM = m.gap_m || 0;
				if (gapM > 0) {
					gapBox.hidden = false;
					gapBox.appendChild(gapConfirm);
					gapBox.appendChild(h('span', { text: ' ' + t('merge.gap', { m: wanmu.i18n.number(gapM, 2), n: m.parts }) }));
				}
			}, function (err) {
				if (asksDocs(err) && askDocs()) {
					return runPreview();
				}
				wanmu.dom.clear(preview);
				preview.appendChild(h('div', { className: 'form-warn', text: t('merge.previewFailed') + ' ' + (err.describe ? err.describe() : String(err.message || err)) }));
			});
		}
		runPreview();
		return d.open();
	}

	// DOC_MAX is the characters a zone's document numbers hold (the server's
	// limit for document_no).
	var DOC_MAX = 200;

	function chars(s) {
		return Array.from(s || '').length;
	}

	// joinedDocs is what the server keeps of the sources' document numbers:
	// each once, in order, joined by "；".
	function joinedDocs(props) {
		var out = [];
		props.forEach(function (p) {
			String(p.document_no || '').split('；').forEach(function (d) {
				d = d.trim();
				if (d && out.indexOf(d) < 0) {
					out.push(d);
				}
			});
		});
		return out.join('；');
	}

	// asksDocs: the server's question for the merged zone's document_no.
	function asksDocs(err) {
		return !!(err && err.name === 'ApiError' && err.kind() === 'merge-question' &&
			err.problem.question && err.problem.question.field === 'document_no');
	}

	// showPreview lists what the merge keeps of the sources.
	function showPreview(f, el, sources) {
		var t = wanmu.i18n.t;
		var p = f.properties || {}, m = f.merge || {};
		var conflicts = m.conflicts || {};
		wanmu.dom.clear(el);
		el.appendChild(h('dl', { className: 'kv compact' },
			h('dt', { text: t('merge.resultArea') }),
			h('dd', { className: 'num', attrs: { 'data-field': 'merged-area' }, text: wanmu.units.area(p.area_mu) + (m.parts > 1 ? ' · ' + t('merge.parts', { n: m.parts }) : '') }),
			h('dt', { text: t('field.documentNo') }),
			h('dd', { attrs: { 'data-field': 'merged-document-no' }, text: p.document_no || '—' }),
			h('dt', { text: t('field.approvedHa') }),
			h('dd', { className: 'num', attrs: { 'data-field': 'merged-approved' }, text: p.approved_area_ha === null || p.approved_area_ha === undefined ? '—' :
				wanmu.i18n.number(p.approved_area_ha, 4) + ' ' + t('unit.ha') + ' ' + t('merge.summed') })));
		var keys = Object.keys(conflicts);
		if (keys.length) {
			el.appendChild(h('div', { className: 'form-note', attrs: { 'data-merge-conflicts': '' } },
				h('strong', { text: t('merge.conflicts') }),
				h('ul', null, keys.map(function (k) {
					return h('li', { text: t('merge.conflictRow', { key: k, values: conflicts[k].map(function (v) { return typeof v === 'object' ? JSON.stringify(v) : String(v); }).join(' / ') }) });
				}))));
		}
		var without = sources.filter(function (s) { return s.approved_area_ha === null || s.approved_area_ha === undefined; });
		if (without.length && without.length < sources.length) {
			el.appendChild(h('div', { className: 'form-note muted', text: t('merge.approvedPartial', {
				names: without.map(function (s) { return s.name; }).join('、') }) }));
		}
	}

	wanmu.MergeDialog = { open: open };
})(window.wanmu = window.wanmu || {});
