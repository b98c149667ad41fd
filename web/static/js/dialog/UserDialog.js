// UserDialog.js: an administrator's users — the list (name, role, the
// counties an editor is limited to) with a way to change an editor's
// counties, and a form to add a user (name, role, first password, and for
// an editor the counties; none: the whole city). The server checks the
// counties against the region and allows them for editors only.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var D = wanmu.Dialog;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	// countyChecks are checkboxes of the region's counties, `chosen` ticked;
	// .value() is the ticked adcodes.
	function countyChecks(chosen) {
		var el = h('div', { className: 'checks', attrs: { 'data-field': 'counties' } }, (wanmu.style.counties || []).map(function (c) {
			return h('label', { className: 'check' },
				h('input', { type: 'checkbox', value: c, checked: (chosen || []).indexOf(c) >= 0 }),
				h('span', { text: t('county.' + c) }));
		}));
		el.value = function () {
			return Array.prototype.filter.call(el.querySelectorAll('input'), function (i) { return i.checked; }).map(function (i) { return i.value; });
		};
		return el;
	}

	function countiesText(u) {
		if (u.role !== 'editor') {
			return '—';
		}
		return u.counties && u.counties.length ? wanmu.permissions.names(u.counties) : t('user.cityWide');
	}

	function open() {
		var list = h('div', { className: 'user-list' }, h('p', { className: 'muted', i18n: 'user.loading' }));
		var dialog;

		function load() {
			return wanmu.api.get('/users').then(function (res) {
				wanmu.dom.clear(list);
				list.appendChild(table(res.users || []));
			}, function (err) {
				wanmu.dom.clear(list);
				list.appendChild(h('p', { className: 'dialog-error', text: err.describe() + (err.message ? '：' + err.message : '') }));
			});
		}

		function table(users) {
			return h('table', { className: 'list users' },
				h('thead', null, h('tr', null, h('th', { i18n: 'user.name' }), h('th', { i18n: 'user.role' }), h('th', { i18n: 'user.counties' }), h('th'))),
				h('tbody', null, users.map(row)));
		}

		// row is a user; an editor's counties can be changed in place.
		function row(u) {
			var cell = h('td', { attrs: { 'data-field': 'counties' }, text: countiesText(u) });
			var edit = u.role === 'editor' ? h('button', {
				className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'edit-counties' }, i18n: 'user.editCounties',
				on: { click: function () { editCounties(u, cell, edit); } }
			}) : null;
			return h('tr', { dataset: { user: u.name } },
				h('td', { text: u.name + (u.disabled ? ' ' + t('user.disabledMark') : '') }),
				h('td', { text: t('role.user.' + u.role) }),
				cell, h('td', { className: 'row-action' }, edit));
		}

		function editCounties(u, cell, edit) {
			var checks = countyChecks(u.counties);
			var msg = h('div', { className: 'dialog-error', attrs: { 'aria-live': 'polite' } });
			var save = h('button', {
				className: 'btn btn-small btn-primary', attrs: { type: 'button', 'data-action': 'save-counties' }, i18n: 'action.save',
				on: {
					click: function () {
						save.disabled = true;
						var cs = checks.value();
						wanmu.api.send('PATCH', '/users/' + encodeURIComponent(u.name), { counties: cs }).then(function () {
							wanmu.notify(t('user.countiesSaved', { name: u.name, counties: countiesText({ role: 'editor', counties: cs }) }), 'ok');
							return load();
						}, function (err) {
							save.disabled = false;
							msg.textContent = err.describe() + (err.message ? '：' + err.message : '');
						});
					}
				}
			});
			edit.hidden = true;
			wanmu.dom.clear(cell);
			cell.appendChild(h('div', null, checks, h('div', { className: 'field-hint', i18n: 'user.countiesHint' }), save, msg));
		}

		var name = h('input', { type: 'text', name: 'name', attrs: { maxlength: 64, autocomplete: 'off', pattern: '[A-Za-z0-9_.@-]{1,64}' } });
		var role = D.select('role', ['viewer', 'editor', 'admin'].map(function (r) { return { value: r, label: 'role.user.' + r }; }), 'editor');
		var password = h('input', { type: 'password', name: 'password', attrs: { autocomplete: 'new-password', maxlength: 200 } });
		var counties = countyChecks([]);
		var countiesField = h('div', { className: 'field' }, h('span', { className: 'field-label', i18n: 'user.counties' }), counties,
			h('span', { className: 'field-hint', i18n: 'user.countiesHint' }));
		var showCounties = function () { countiesField.hidden = role.value !== 'editor'; };
		role.addEventListener('change', showCounties);
		showCounties();
		var body = h('div', { className: 'form-grid' },
			list,
			h('h3', { className: 'section-title', i18n: 'user.new' }),
			D.field('user.name', name, 'user.nameHint'),
			D.field('user.role', role),
			countiesField,
			D.field('user.password', password, 'user.passwordHint'));
		dialog = new D({
			title: 'user.manage', body: body, className: 'user-dialog',
			buttons: [
				{ label: 'action.close', value: null },
				{
					label: 'action.create', kind: 'primary', value: 'ok',
					action: function () {
						if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name.value)) {
							throw new Error(t('user.nameHint'));
						}
						var b = { name: name.value, role: role.value, password: password.value };
						if (role.value === 'editor') {
							b.counties = counties.value();
						}
						return wanmu.api.send('POST', '/users', b).then(function () {
							wanmu.notify(t('user.created', { name: b.name, role: t('role.user.' + b.role) }), 'ok');
							name.value = '';
							password.value = '';
							load();
							return false; // stays open: the new user is in the list
						});
					}
				}
			]
		});
		load();
		return dialog.open();
	}

	wanmu.UserDialog = { open: open };
})(window.wanmu = window.wanmu || {});
