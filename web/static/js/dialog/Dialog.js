// Dialog.js: the dialog every other dialog is built on. A dialog has a title,
// a body, and buttons whose actions may talk to the server: while an action
// runs the buttons are disabled; if it fails, the problem is shown inside the
// dialog and the planner's input stays where it was.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;

	// Dialog options: title (message key), titleText (literal), body (element),
	// buttons [{label: key, kind: 'primary'|'danger'|'', value, action()}],
	// modal (default true; false floats over the map, which stays usable),
	// className, onClose(value).
	function Dialog(options) {
		this.options = options;
		this._resolve = null;
		this._build();
	}

	Dialog.prototype._build = function () {
		var o = this.options, self = this;
		this.error = h('div', { className: 'dialog-error', attrs: { role: 'alert' } });
		this.error.hidden = true;
		this.buttons = (o.buttons || []).map(function (b) {
			var btn = h('button', {
				className: 'btn' + (b.kind ? ' btn-' + b.kind : ''), attrs: { type: 'button' },
				dataset: { value: String(b.value) }, i18n: b.label
			});
			btn.addEventListener('click', function () { self._press(b); });
			return btn;
		});
		var closeBtn = h('button', { className: 'dialog-x', text: '×', attrs: { type: 'button' }, i18nTitle: 'action.close' });
		closeBtn.addEventListener('click', function () { self.close(null); });
		var title = o.title ? h('h2', { i18n: o.title }) : h('h2', { text: o.titleText || '' });
		this.el = h('dialog', { className: 'wanmu-dialog ' + (o.modal === false ? 'floating ' : '') + (o.className || '') },
			h('header', null, title, closeBtn),
			h('div', { className: 'dialog-body' }, o.body),
			this.error,
			h('footer', null, this.buttons));
		this.el.addEventListener('cancel', function (e) {
			e.preventDefault();
			self.close(null);
		});
		this.el.addEventListener('keydown', function (e) {
			if (e.key === 'Enter' && e.target.tagName === 'INPUT' && e.target.type !== 'file') {
				var primary = (o.buttons || []).filter(function (b) { return b.kind === 'primary'; })[0];
				if (primary) {
					e.preventDefault();
					self._press(primary);
				}
			}
		});
	};

	// open shows the dialog and resolves with the value of the button that
	// closed it (null for close/Esc).
	Dialog.prototype.open = function () {
		var self = this;
		document.body.appendChild(this.el);
		// A floating dialog over an open modal one must be modal itself, or
		// the modal one would leave it inert; the one below is set aside.
		var below = Array.prototype.filter.call(document.querySelectorAll('dialog[open]'), function (d) {
			return d !== self.el && d.matches(':modal');
		});
		if (this.options.modal === false && !below.length) {
			this.el.show();
		} else {
			if (this.options.modal === false) {
				this.el.classList.add('stacked');
				below.forEach(function (d) { d.classList.add('suspended'); });
				this._suspended = below;
			}
			this.el.showModal();
		}
		var first = this.el.querySelector('input:not([type=hidden]):not([disabled]), select, textarea');
		if (first) {
			first.focus();
		}
		return new Promise(function (resolve) { self._resolve = resolve; });
	};

	Dialog.prototype.close = function (value) {
		if (this.el.open) {
			this.el.close();
		}
		(this._suspended || []).forEach(function (d) { d.classList.remove('suspended'); });
		this._suspended = null;
		if (this.el.parentNode) {
			this.el.parentNode.removeChild(this.el);
		}
		if (this.options.onClose) {
			this.options.onClose(value);
		}
		if (this._resolve) {
			var r = this._resolve;
			this._resolve = null;
			r(value);
		}
	};

	// showError puts a problem inside the dialog.
	Dialog.prototype.showError = function (err) {
		wanmu.dom.clear(this.error);
		if (!err) {
			this.error.hidden = true;
			return;
		}
		if (err.name === 'ApiError') {
			if (wanmu.app && wanmu.app.markProblem) {
				wanmu.app.markProblem(err);
			}
			this.error.appendChild(h('strong', { text: err.describe() }));
			// In the planner's language where the page knows the problem
			// (the same words as a toast); the server's English otherwise.
			var local = wanmu.localDetail(err);
			if (local) {
				this.error.appendChild(h('div', { className: 'detail', text: local }));
			} else {
				if (err.problem.detail) {
					this.error.appendChild(h('div', { className: 'detail', text: err.problem.detail }));
				}
				(err.problem.errors || []).forEach(function (fe) {
					this.error.appendChild(h('div', { className: 'detail', text: fe.path + ': ' + fe.message }));
				}, this);
			}
		} else {
			this.error.appendChild(h('strong', { text: String(err.message || err) }));
		}
		this.error.hidden = false;
	};

	Dialog.prototype._press = function (b) {
		var self = this;
		if (!b.action) {
			this.close(b.value);
			return;
		}
		this.buttons.forEach(function (x) { x.disabled = true; });
		this.showError(null);
		Promise.resolve().then(function () { return b.action(self); }).then(function (res) {
			self.buttons.forEach(function (x) { x.disabled = false; });
			if (res !== false) {
				self.close(b.value);
			}
		}, function (err) {
			self.buttons.forEach(function (x) { x.disabled = false; });
			self.showError(err);
		});
	};

	// field builds a labelled form row.
	Dialog.field = function (labelKey, input, hintKey) {
		return h('label', { className: 'field' },
			h('span', { className: 'field-label', i18n: labelKey }),
			input,
			hintKey ? h('span', { className: 'field-hint', i18n: hintKey }) : null);
	};

	// select builds a <select> from [{value, label (key) | text}].
	Dialog.select = function (name, options, value) {
		var s = h('select', { name: name });
		options.forEach(function (o) {
			var opt = h('option', { value: o.value, text: o.text !== undefined ? o.text : wanmu.i18n.t(o.label) });
			if (String(o.value) === String(value)) {
				opt.selected = true;
			}
			s.appendChild(opt);
		});
		return s;
	};

	// confirm asks a yes/no question, optionally with a reason field; it
	// resolves to {reason} or null.
	Dialog.confirm = function (opts) {
		var reason = h('input', { type: 'text', name: 'reason', attrs: { maxlength: 2000 } });
		var body = h('div', null,
			h('p', { className: 'dialog-text', text: opts.text }),
			opts.withReason ? Dialog.field('field.reason', reason, 'field.reasonHint') : null);
		var d = new Dialog({
			title: opts.title, body: body, className: 'confirm',
			buttons: [
				{ label: 'action.cancel', value: null },
				{ label: opts.ok || 'action.ok', kind: opts.danger ? 'danger' : 'primary', value: 'ok', action: opts.action ? function () { return opts.action(reason.value.trim()); } : null }
			]
		});
		return d.open().then(function (v) { return v === 'ok' ? { reason: reason.value.trim() } : null; });
	};

	wanmu.Dialog = Dialog;
})(window.wanmu = window.wanmu || {});
