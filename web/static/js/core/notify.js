// notify.js: short messages at the top of the page (saved, undone, failed).
// Errors stay until dismissed; the rest fade after a few seconds.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var box = null;

	function container() {
		if (!box) {
			box = h('div', { className: 'wanmu-toasts', attrs: { role: 'status', 'aria-live': 'polite' } });
			document.body.appendChild(box);
		}
		return box;
	}

	// notify shows text; kind is 'ok', 'info', 'warn' or 'error'. detail is an
	// optional second line (e.g. the server's explanation).
	function notify(text, kind, detail) {
		kind = kind || 'info';
		var close = h('button', { className: 'toast-close', text: '×', attrs: { type: 'button', 'aria-label': 'close' } });
		var el = h('div', { className: 'toast toast-' + kind },
			h('div', { className: 'toast-text' }, h('div', { text: text }), detail ? h('div', { className: 'toast-detail', text: detail }) : null),
			close);
		function remove() {
			if (el.parentNode) {
				el.parentNode.removeChild(el);
			}
		}
		close.addEventListener('click', remove);
		container().appendChild(el);
		if (kind !== 'error') {
			setTimeout(remove, kind === 'warn' ? 8000 : 4000);
		}
		return el;
	}

	// notifyError shows an ApiError (or any error) with its localized summary
	// and the server's detail.
	function notifyError(err, what) {
		var t = wanmu.i18n.t;
		if (err && err.name === 'ApiError') {
			if (wanmu.app && wanmu.app.markProblem) {
				wanmu.app.markProblem(err);
			}
			var head = (what ? what + ': ' : '') + err.describe();
			return notify(head, 'error', localDetail(err) || err.problem.detail || '');
		}
		return notify((what ? what + ': ' : '') + t('error.unexpected'), 'error', String(err && err.message || err));
	}

	// localDetail says in the planner's language what the server's detail
	// says in English, for the problem types the page knows: an invalid
	// geometry (what is wrong where, and what to do) and the kinds with a
	// "problemHint.<type>" message, filled from the problem's members.
	function localDetail(err) {
		var t = wanmu.i18n.t, kind = err.kind(), p = err.problem;
		if (kind === 'invalid-geometry' && wanmu.LiveArea) {
			var fe = (p.errors || [])[0] || {};
			if (fe.path === 'geometry') {
				return wanmu.LiveArea.describeInvalid(fe.message || '', p.location);
			}
		}
		if (kind === 'successor-live') {
			// Its land lives on in a merged zone or the pieces (or its sources
			// are live again): say which, and what to do. A restore's dialog
			// and an undo's toast alike.
			var names = (p.successors || []).map(function (z) { return '「' + z.name + '」(' + z.id + ')'; }).join('、');
			return t((p.sources ? 'history.sourcesLive' : 'history.successorLive') + (p.split ? 'Split' : 'Merge'), { name: p.name, zones: names });
		}
		return wanmu.i18n.has('problemHint.' + kind) ? t('problemHint.' + kind, p) : '';
	}

	wanmu.notify = notify;
	wanmu.notifyError = notifyError;
	wanmu.localDetail = localDetail; // dialogs say a problem the same way (Dialog.showError)
})(window.wanmu = window.wanmu || {});
