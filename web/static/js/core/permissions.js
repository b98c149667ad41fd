// permissions.js: what the signed-in user may edit, so the page offers only
// what the server will accept (issue 17: county-scoped editors). An editor
// may be limited to counties (/auth/me user.counties; none: every county):
// they edit zones of those counties, platforms all of whose counties are
// theirs (or a cross-county one an administrator made county_editable), and
// write only in the official data and in drafts owned by one of their
// counties. The server enforces the same rules (migration 0013); every
// control asks here rather than checking roles itself.
(function (wanmu) {
	'use strict';

	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	function app() { return wanmu.app || {}; }

	function overlaps(a, b) {
		return (a || []).some(function (c) { return (b || []).indexOf(c) >= 0; });
	}

	// mayEdit: the role edits at all (editor or administrator).
	function mayEdit() {
		var u = app().user;
		return !!u && (u.role === 'editor' || u.role === 'admin');
	}

	// limit is the counties the user is limited to, or null (every county).
	function limit() {
		var u = app().user;
		return u && u.role === 'editor' && u.counties && u.counties.length ? u.counties : null;
	}

	// names are the counties' names from the region, for notes.
	function names(counties) {
		return (counties || []).map(function (c) { return wanmu.i18n.tOr('county.' + c, c); }).join(t('perm.sep'));
	}

	// mayWriteHere: writes in the scenario the page shows. A limited editor's
	// draft must be owned by one of their counties; until the scenarios are
	// loaded a draft counts as not theirs (the page re-asks on 'permissions').
	function mayWriteHere() {
		if (!mayEdit()) {
			return false;
		}
		var lim = limit();
		if (!lim || !wanmu.api.scenario()) {
			return true;
		}
		var cur = app().scenarios && app().scenarios.current;
		return !!cur && overlaps(cur.counties, lim);
	}

	// mayEditZone: props are a zone's properties (county_adcode).
	function mayEditZone(props) {
		var lim = limit();
		return mayWriteHere() && (!lim || lim.indexOf(props && props.county_adcode) >= 0);
	}

	function mayEditZones(list) {
		return list.length > 0 && list.every(mayEditZone);
	}

	// mayEditPlatform: p has counties and county_editable.
	function mayEditPlatform(p) {
		var lim = limit();
		if (!mayWriteHere() || !p) {
			return false;
		}
		if (!lim) {
			return true;
		}
		var cs = p.counties || [];
		return cs.length > 0 && (cs.every(function (c) { return lim.indexOf(c) >= 0; }) || (!!p.county_editable && overlaps(cs, lim)));
	}

	// mayImport: imports are for the city's editors, in the official data.
	function mayImport() {
		return mayEdit() && !limit();
	}

	// Why something is read-only for a limited editor (null: it is not, or
	// the role does not edit at all — a viewer needs no note).
	function draftNote() {
		if (!mayEdit() || mayWriteHere()) {
			return null;
		}
		return t('perm.draft', { counties: names(limit()) });
	}

	function zoneNote(props) {
		return draftNote() || (mayEdit() && !mayEditZone(props) ? t('perm.zone', { counties: names(limit()) }) : null);
	}

	function platformNote(p) {
		if (draftNote() || !mayEdit() || mayEditPlatform(p)) {
			return draftNote();
		}
		return (p.counties || []).length > 1 ? t('perm.crossCounty', { counties: names(limit()) }) : t('perm.platform', { counties: names(limit()) });
	}

	// note is the element shown where edit controls would be.
	function note(text) {
		return text ? wanmu.dom.h('div', { className: 'info-box readonly-note', attrs: { 'data-readonly': '', role: 'note' }, text: text }) : null;
	}

	// ownerLabel names the counties owning a draft ("青田县方案"; '' for the city's).
	function ownerLabel(s) {
		return s && s.counties && s.counties.length ? t('perm.owner', { counties: names(s.counties) }) : '';
	}

	// countyChoices are the counties a new zone may be given (all but a
	// limited editor's others).
	function countyChoices() {
		var lim = limit();
		return (wanmu.style.counties || []).filter(function (c) { return !lim || lim.indexOf(c) >= 0; });
	}

	wanmu.permissions = {
		mayEdit: mayEdit, limit: limit, names: names, mayWriteHere: mayWriteHere,
		mayEditZone: mayEditZone, mayEditZones: mayEditZones, mayEditPlatform: mayEditPlatform, mayImport: mayImport,
		draftNote: draftNote, zoneNote: zoneNote, platformNote: platformNote, note: note,
		ownerLabel: ownerLabel, countyChoices: countyChoices
	};
})(window.wanmu = window.wanmu || {});
