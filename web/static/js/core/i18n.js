// i18n.js: every user-visible string goes through wanmu.i18n.t and the one
// message table in messages.js. Chinese is the default; the choice is kept
// in localStorage. Elements built with data-i18n / data-i18n-title /
// data-i18n-placeholder are re-translated on a language change; other
// components listen to the 'langchange' event and re-render.
(function (wanmu) {
	'use strict';

	var STORAGE_KEY = 'wanmu.lang';
	var languages = ['zh', 'en'];
	var lang = 'zh';
	try {
		var saved = window.localStorage.getItem(STORAGE_KEY);
		if (languages.indexOf(saved) >= 0) {
			lang = saved;
		}
	} catch (e) { /* storage disabled: keep the default */ }

	var events = new wanmu.Emitter();
	var missing = {};

	// t returns the message for key in the current language, with {name}
	// placeholders replaced from params. A key missing from the table is
	// recorded (the browser tests fail on any) and shown as the key itself.
	function t(key, params) {
		var table = wanmu.messages[lang] || {};
		var msg = table[key];
		if (msg === undefined) {
			msg = wanmu.messages.zh[key];
			missing[lang + ':' + key] = true;
			if (msg === undefined) {
				msg = key;
			}
		}
		if (params) {
			msg = msg.replace(/\{(\w+)\}/g, function (m, name) {
				return params[name] === undefined || params[name] === null ? '' : String(params[name]);
			});
		}
		return msg;
	}

	// has reports whether the table has key (for optional messages such as
	// server problem types).
	function has(key) {
		return wanmu.messages[lang] && wanmu.messages[lang][key] !== undefined;
	}

	// apply translates the static text below root.
	function apply(root) {
		root = root || document;
		root.querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = t(el.dataset.i18n); });
		root.querySelectorAll('[data-i18n-title]').forEach(function (el) { el.title = t(el.dataset.i18nTitle); });
		root.querySelectorAll('[data-i18n-placeholder]').forEach(function (el) { el.placeholder = t(el.dataset.i18nPlaceholder); });
		root.querySelectorAll('[data-i18n-aria]').forEach(function (el) { el.setAttribute('aria-label', t(el.dataset.i18nAria)); });
		if (root === document) {
			document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
			var title = document.querySelector('title[data-i18n]');
			if (title) {
				document.title = t(title.dataset.i18n);
			}
		}
	}

	function setLang(l) {
		if (languages.indexOf(l) < 0 || l === lang) {
			return;
		}
		lang = l;
		try {
			window.localStorage.setItem(STORAGE_KEY, l);
		} catch (e) { /* ignore */ }
		apply(document);
		events.fire('langchange', { lang: l });
	}

	// number formats n with the current locale's digit grouping. The
	// formatters are kept: toLocaleString with options builds a new one on
	// every call, which cost the map's first drawing tens of milliseconds.
	var formats = {};
	function number(n, decimals) {
		if (n === null || n === undefined || isNaN(n)) {
			return '—';
		}
		var key = lang + (decimals === undefined ? '' : decimals);
		var f = formats[key] || (formats[key] = new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
			minimumFractionDigits: decimals, maximumFractionDigits: decimals
		}));
		return f.format(Number(n));
	}

	// datetime formats an ISO time for people (local time, no seconds).
	function datetime(iso) {
		if (!iso) {
			return '—';
		}
		var d = new Date(iso);
		if (isNaN(d.getTime())) {
			return String(iso);
		}
		return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
			year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit'
		});
	}

	// tOr is t for keys that may legitimately be absent (e.g. an action name
	// the server added later): it falls back to the given text.
	function tOr(key, fallback, params) {
		return has(key) ? t(key, params) : fallback;
	}

	wanmu.i18n = {
		t: t,
		tOr: tOr,
		has: has,
		apply: apply,
		setLang: setLang,
		lang: function () { return lang; },
		languages: languages,
		number: number,
		datetime: datetime,
		on: function (type, fn, ctx) { events.on(type, fn, ctx); },
		off: function (type, fn, ctx) { events.off(type, fn, ctx); },
		// missing lists the keys asked for but absent from the table.
		missing: function () { return Object.keys(missing); }
	};
})(window.wanmu = window.wanmu || {});
