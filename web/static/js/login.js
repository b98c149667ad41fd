// login.js: the sign-in page. Posts the user name and password, then goes
// back to the page that sent the user here (only paths on this site).
(function (wanmu) {
	'use strict';

	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	// next is where to go after signing in: a page of this site, never
	// another one. Refused (the map instead): anything but one slash
	// followed by something else; backslashes, which browsers read as
	// slashes; spaces and control characters, which the URL parser drops
	// ("/\t/evil.example" is "//evil.example"); and any path that still
	// starts with two slashes once the browser has resolved it ("/.//x",
	// "/a/..//x", "/%2e%2e//x"). What is kept is made an absolute URL of
	// this origin, so nothing later can read it as another host.
	function next() {
		var home = window.location.origin + '/';
		var n = new URLSearchParams(window.location.search).get('next');
		if (!n || n.length > 2048 || n.charAt(0) !== '/' || /^\/[\/\\]/.test(n) || /[\\\s\u0000-\u001f\u007f-\u009f]/.test(n)) {
			return home;
		}
		var u;
		try {
			u = new URL(n, window.location.origin);
		} catch (e) {
			return home;
		}
		if (u.origin !== window.location.origin || u.username || u.password || /^\/[\/\\]/.test(u.pathname) ||
			u.pathname.indexOf('/login.html') === 0) {
			return home;
		}
		return u.origin + u.pathname + u.search + u.hash;
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
			if (cfg && cfg.region) { // the lead names the server's city (issue 17)
				['zh', 'en'].forEach(function (l) {
					var m = wanmu.messages[l], city = l === 'en' ? cfg.region.name_en || cfg.region.name : cfg.region.name;
					m['login.lead'] = m['region.subtitle'].replace('{city}', city);
				});
				wanmu.i18n.apply(document);
			}
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
					error.textContent = t('login.throttled', { s: err.problem.retry_after || (m ? m[1] : '60') });
				} else {
					error.textContent = t('login.error', { detail: err.describe() });
				}
				error.hidden = false;
				document.getElementById('password').select();
			});
		});
	});
})(window.wanmu = window.wanmu || {});
