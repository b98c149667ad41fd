// api.js: the REST client. Every request is same-origin with the session
// cookie; every write carries the X-CSRF-Token from sign-in and, for existing
// objects, If-Match with the version the planner edited. Errors arrive as
// application/problem+json and become wanmu.ApiError.
(function (wanmu) {
	'use strict';

	var BASE = '/api/v1';
	var csrf = '';
	// scenario is the consolidation plan the page works in: ?scenario=ID in
	// the page's address (none: the official data). Every API request carries
	// it unless it names its own (ScenarioSwitcher.js).
	var scenario = (function () {
		var v = parseInt(new URLSearchParams(window.location.search).get('scenario') || '', 10);
		return v > 0 ? v : 0;
	})();
	var events = new wanmu.Emitter();

	// ApiError is a failed request: status, the problem body (RFC 9457) and a
	// message for people.
	function ApiError(status, problem, fallback) {
		this.name = 'ApiError';
		this.status = status;
		this.problem = problem || {};
		this.message = this.problem.detail || this.problem.title || fallback || ('HTTP ' + status);
	}
	ApiError.prototype = Object.create(Error.prototype);
	ApiError.prototype.constructor = ApiError;

	// kind is the last segment of the problem type, e.g. "stale-version".
	ApiError.prototype.kind = function () {
		var t = this.problem.type || '';
		return t.substring(t.lastIndexOf('/') + 1);
	};

	// describe is a localized one-line summary, followed by the server's
	// detail (which names the feature, ring or coordinate at fault).
	ApiError.prototype.describe = function () {
		var t = wanmu.i18n.t;
		var key = 'problem.' + this.kind();
		var head = wanmu.i18n.has(key) ? t(key) : (wanmu.i18n.has('status.' + this.status) ? t('status.' + this.status) : t('problem.generic', { status: this.status }));
		return head;
	};

	function query(params) {
		if (!params) {
			return '';
		}
		var parts = [];
		Object.keys(params).forEach(function (k) {
			var v = params[k];
			if (v !== undefined && v !== null && v !== '') {
				parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
			}
		});
		return parts.length ? '?' + parts.join('&') : '';
	}

	// request sends one API call. opts: body (JSON), form (FormData),
	// ifMatch (version number), query (object), quiet401 (do not announce).
	// It resolves to {status, data, etag} and rejects with ApiError.
	function request(method, path, opts) {
		opts = opts || {};
		var headers = { 'Accept': 'application/json, application/geo+json, application/problem+json' };
		var init = { method: method, headers: headers, credentials: 'same-origin', cache: 'no-store' };
		if (opts.body !== undefined) {
			headers['Content-Type'] = 'application/json';
			init.body = JSON.stringify(opts.body);
		} else if (opts.form) {
			init.body = opts.form;
		}
		if (method !== 'GET' && method !== 'HEAD' && csrf) {
			headers['X-CSRF-Token'] = csrf;
		}
		if (opts.ifMatch !== undefined && opts.ifMatch !== null) {
			headers['If-Match'] = '"' + opts.ifMatch + '"';
		}
		var url = (path.charAt(0) === '/' && path.indexOf(BASE) !== 0 && path.indexOf('/tiles') !== 0 ? BASE + path : path);
		var q = opts.query;
		// The session and the settings are not a scenario's: a plan that is
		// gone must not keep the page from starting (ScenarioSwitcher then
		// says so and returns to the official data).
		if (scenario && url.indexOf(BASE) === 0 && !/^\/api\/v1\/(auth\/|config)/.test(url) && !(q && 'scenario' in q)) {
			q = L_extend({ scenario: scenario }, q);
		}
		url += query(q);
		return fetch(url, init).then(function (res) {
			var ct = res.headers.get('Content-Type') || '';
			var parse = res.status === 204 ? Promise.resolve(null) :
				(ct.indexOf('json') >= 0 ? res.json().catch(function () { return null; }) : res.text());
			return parse.then(function (data) {
				var etag = res.headers.get('ETag');
				var version = etag ? parseInt(etag.replace(/^W\//, '').replace(/"/g, ''), 10) : null;
				if (res.ok) {
					return { status: res.status, data: data, etag: etag, version: version };
				}
				var err = new ApiError(res.status, data && typeof data === 'object' ? data : null, typeof data === 'string' ? data.slice(0, 200) : '');
				if (res.status === 401 && !opts.quiet401) {
					events.fire('unauthorized', { error: err });
				}
				throw err;
			});
		}, function (netErr) {
			var err = new ApiError(0, { type: 'network', detail: String(netErr && netErr.message || netErr) });
			throw err;
		});
	}

	function get(path, q, opts) {
		return request('GET', path, L_extend({ query: q }, opts)).then(function (r) { return r.data; });
	}

	function L_extend(a, b) {
		Object.keys(b || {}).forEach(function (k) { a[k] = b[k]; });
		return a;
	}

	wanmu.ApiError = ApiError;
	// download fetches a file (an address of url()) with the session cookie
	// — no credential in the address — and hands it to the browser under
	// the server's file name (else fallback); it resolves to that name. A
	// refusal rejects with an ApiError, so a bad choice shows where it was
	// made, not as a broken download.
	function download(url, fallback) {
		return fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(function (res) {
			if (!res.ok) {
				return res.json().catch(function () { return null; }).then(function (p) {
					throw new wanmu.ApiError(res.status, p);
				});
			}
			return res.blob().then(function (blob) {
				var cd = res.headers.get('Content-Disposition') || '';
				var m = /filename\*=UTF-8''([^;]+)/i.exec(cd) || /filename="([^"]+)"/i.exec(cd);
				var name = m ? decodeURIComponent(m[1]) : fallback;
				var a = document.createElement('a');
				a.href = URL.createObjectURL(blob);
				a.download = name;
				document.body.appendChild(a);
				a.click();
				setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
				wanmu.notify(wanmu.i18n.t('export.done', { name: name }), 'ok');
				return name;
			});
		});
	}

	wanmu.api = {
		request: request,
		get: get,
		send: function (method, path, body, opts) {
			return request(method, path, L_extend({ body: body }, opts));
		},
		setCsrf: function (token) { csrf = token || ''; },
		csrf: function () { return csrf; },
		scenario: function () { return scenario; },
		url: function (path, q) {
			if (scenario && !(q && 'scenario' in q)) {
				q = L_extend({ scenario: scenario }, q);
			}
			return (path.indexOf(BASE) === 0 ? path : BASE + path) + query(q);
		},
		download: download,
		on: function (type, fn, ctx) { events.on(type, fn, ctx); }
	};
})(window.wanmu = window.wanmu || {});
