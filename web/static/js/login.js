// login.js: the sign-in page. Posts the user name and password, then goes
// back to the page that sent the user here (only paths on this site).
(function (wanmu) {
	'use strict';

	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	// next is where to go after signing in: a local path, never another site.
	// The browser's own URL parser decides, since it drops tabs and newlines
	// and reads backslashes as slashes ("/\t/evil.example" is "//evil.example").
	function next() {
		var n = new URLSearchParams(window.location.search).get('next') || '/';
		var u;
		try {
			u = new URL(n, window.location.origin);
		} catch (e) {
			return '/';
		}
		if (n.charAt(0) !== '/' || u.origin !== window.location.origin || u.pathname.indexOf('/login.html') === 0) {
			return '/';
		}
		return u.pathname + u.search + u.hash;
	}

	function langSwitch() {
		var el = document.getElementById('lang');
		wanmu.i18n.languages.forEach(function (l) {
			var b = wanmu.dom.h('button', { className: 'seg-btn' + (l === wanmu.i18n.lang() ? ' on' : ''), attrs: { type: 'button', 'data-value': l }, i18n: 'lang.' + l });
			b.addEventListener('click', function () {
				el.querySelectorAll('.seg-btn').forEach(function (x) { x.classList.toggle('on', x === b); });
				wanmu.i18n.setLang(l);
			});
			el.appendChild(b);
		});
	}

	document.addEventListener('DOMContentLoaded', function () {
		wanmu.i18n.apply(document);
		langSwitch();
		var form = document.getElementById('login-form');
		var error = document.getElementById('login-error');
		var submit = document.getElementById('login-submit');
		// Already signed in? Go straight on.
		wanmu.api.get('/auth/me', null, { quiet401: true }).then(function () {
			window.location.replace(next());
		}, function () { /* not signed in: stay */ });
		wanmu.api.get('/config', null, { quiet401: true }).then(function (cfg) {
			document.getElementById('login-public').hidden = !(cfg && cfg.public_read);
		}, function () { /* no config: no guest link */ });
		form.addEventListener('submit', function (e) {
			e.preventDefault();
			error.hidden = true;
			var username = document.getElementById('username').value.trim();
			var password = document.getElementById('password').value;
			if (!username || !password) {
				error.textContent = t('login.failed');
				error.hidden = false;
				return;
			}
			submit.disabled = true;
			submit.textContent = t('login.busy');
			wanmu.api.send('POST', '/auth/login', { username: username, password: password }, { quiet401: true }).then(function () {
				window.location.replace(next());
			}, function (err) {
				submit.disabled = false;
				submit.textContent = t('login.submit');
				if (err.status === 401) {
					error.textContent = t('login.failed');
				} else if (err.status === 429) {
					var m = /(\d+)/.exec(err.problem.detail || '');
					error.textContent = t('login.throttled', { s: m ? m[1] : '60' });
				} else {
					error.textContent = t('login.error', { detail: err.describe() });
				}
				error.hidden = false;
				document.getElementById('password').select();
			});
		});
	});
})(window.wanmu = window.wanmu || {});
