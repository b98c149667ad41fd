// UserDialog.js: an administrator adds a user (name, role, first password).
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var D = wanmu.Dialog;

	function open() {
		var t = wanmu.i18n.t;
		var name = h('input', { type: 'text', name: 'name', attrs: { maxlength: 64, autocomplete: 'off', pattern: '[A-Za-z0-9_.@-]{1,64}' } });
		var role = D.select('role', ['viewer', 'editor', 'admin'].map(function (r) { return { value: r, label: 'role.user.' + r }; }), 'editor');
		var password = h('input', { type: 'password', name: 'password', attrs: { autocomplete: 'new-password', maxlength: 200 } });
		var body = h('div', { className: 'form-grid' },
			D.field('user.name', name, 'user.nameHint'),
			D.field('user.role', role),
			D.field('user.password', password, 'user.passwordHint'));
		return new D({
			title: 'user.new', body: body,
			buttons: [
				{ label: 'action.cancel', value: null },
				{
					label: 'action.create', kind: 'primary', value: 'ok',
					action: function () {
						if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name.value)) {
							throw new Error(t('user.nameHint'));
						}
						return wanmu.api.send('POST', '/users', { name: name.value, role: role.value, password: password.value }).then(function () {
							wanmu.notify(t('user.created', { name: name.value, role: t('role.user.' + role.value) }), 'ok');
						});
					}
				}
			]
		}).open();
	}

	wanmu.UserDialog = { open: open };
})(window.wanmu = window.wanmu || {});
