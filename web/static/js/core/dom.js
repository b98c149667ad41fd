// dom.js: the one way wanmu builds DOM. Text is always set with textContent,
// never innerHTML, so names and attributes from the data cannot become markup.
(function (wanmu) {
	'use strict';

	// h(tag, props, ...children) creates an element. props: className, text,
	// title, attrs {name: value}, dataset, style (object), on {event: fn},
	// i18n (message key, re-applied on language change), plus any DOM property.
	function h(tag, props) {
		var el = document.createElement(tag);
		props = props || {};
		Object.keys(props).forEach(function (k) {
			var v = props[k];
			if (v === undefined || v === null) {
				return;
			}
			switch (k) {
			case 'text':
				el.textContent = String(v);
				break;
			case 'className':
				el.className = v;
				break;
			case 'attrs':
				Object.keys(v).forEach(function (a) {
					if (v[a] !== undefined && v[a] !== null && v[a] !== false) {
						el.setAttribute(a, v[a] === true ? '' : String(v[a]));
					}
				});
				break;
			case 'dataset':
				Object.keys(v).forEach(function (d) { el.dataset[d] = v[d]; });
				break;
			case 'style':
				Object.keys(v).forEach(function (s) { el.style.setProperty(s, v[s]); });
				break;
			case 'on':
				Object.keys(v).forEach(function (ev) { el.addEventListener(ev, v[ev]); });
				break;
			case 'i18n':
				el.dataset.i18n = v;
				el.textContent = wanmu.i18n.t(v);
				break;
			case 'i18nTitle':
				el.dataset.i18nTitle = v;
				el.title = wanmu.i18n.t(v);
				break;
			default:
				el[k] = v;
			}
		});
		for (var i = 2; i < arguments.length; i++) {
			append(el, arguments[i]);
		}
		return el;
	}

	function append(el, child) {
		if (child === undefined || child === null || child === false) {
			return;
		}
		if (Array.isArray(child)) {
			child.forEach(function (c) { append(el, c); });
			return;
		}
		if (typeof child === 'string' || typeof child === 'number') {
			el.appendChild(document.createTextNode(String(child)));
			return;
		}
		el.appendChild(child);
	}

	// clear removes every child of el.
	function clear(el) {
		while (el.firstChild) {
			el.removeChild(el.firstChild);
		}
		return el;
	}

	// svg creates an SVG element with attributes.
	function svg(tag, attrs) {
		var el = document.createElementNS('http://www.w3.org/2000/svg', tag);
		Object.keys(attrs || {}).forEach(function (a) { el.setAttribute(a, String(attrs[a])); });
		for (var i = 2; i < arguments.length; i++) {
			if (arguments[i]) {
				el.appendChild(arguments[i]);
			}
		}
		return el;
	}

	// debounce calls fn once, wait ms after the last call.
	function debounce(fn, wait) {
		var timer = null;
		function d() {
			var args = arguments, self = this;
			clearTimeout(timer);
			timer = setTimeout(function () { timer = null; fn.apply(self, args); }, wait);
		}
		d.cancel = function () { clearTimeout(timer); timer = null; };
		return d;
	}

	wanmu.dom = { h: h, append: append, clear: clear, svg: svg, debounce: debounce };
})(window.wanmu = window.wanmu || {});
