// DevelopableBar.js: one platform's developable area against its threshold
// (10,000 mu by default), drawn as SVG — the developable part, the part the
// constraint layers take away, and the 万亩 line — with the verdict beside it.
// The verdict is the server's (unrounded comparison), never recomputed here.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var s = wanmu.dom.svg;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	// render(report) returns the bar and the headline for a report of
	// GET /api/v1/platforms/{id}/report.
	function render(rep) {
		var W = 320, H = 58, top = 16, barH = 20;
		var gross = rep.gross.mu, dev = rep.developable.mu, th = rep.threshold_mu;
		var max = Math.max(gross, th) * 1.12 || 1;
		function x(mu) { return Math.max(0, Math.min(W, mu / max * W)); }
		var devColor = rep.meets ? '#2f8a57' : '#c9822a';
		var id = 'hatch' + Math.random().toString(36).slice(2, 8);
		var chart = s('svg', { viewBox: '0 0 ' + W + ' ' + H, width: '100%', 'class': 'devbar', role: 'img', 'aria-label': t('bar.aria', { dev: wanmu.units.area(dev), th: wanmu.units.area(th) }) },
			s('defs', null, s('pattern', { id: id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
				s('rect', { width: 6, height: 6, fill: '#eceff2' }),
				s('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#a7b0ba', 'stroke-width': 2 }))),
			s('rect', { x: 0, y: top, width: W, height: barH, fill: '#f4f6f8', rx: 2 }),
			s('rect', { x: 0, y: top, width: x(gross), height: barH, fill: 'url(#' + id + ')', rx: 2, 'class': 'bar-gross' }),
			s('rect', { x: 0, y: top, width: x(dev), height: barH, fill: devColor, rx: 2, 'class': 'bar-developable' }),
			s('line', { x1: x(th), y1: top - 8, x2: x(th), y2: top + barH + 6, stroke: '#b02a1f', 'stroke-width': 2, 'class': 'bar-threshold' }),
			text(x(th), top - 10, t('bar.thresholdLine', { v: wanmu.units.area(th, { bare: true, round: true }) }), x(th) > W * 0.7 ? 'end' : 'middle', '#b02a1f', 'bar-threshold-label'),
			text(0, top + barH + 16, '0', 'start', '#6b7785'),
			text(W, top + barH + 16, wanmu.units.area(max, { bare: true, round: true }), 'end', '#6b7785'));
		var verdict = rep.meets ?
			h('span', { className: 'verdict ok', attrs: { 'data-meets': 'true' } }, h('span', { className: 'mark', text: '✓' }), h('span', { text: t('bar.meets') }),
				h('span', { className: 'verdict-figure', text: t('bar.margin', { v: wanmu.units.area(rep.margin ? rep.margin.mu : dev - th) }) })) :
			h('span', { className: 'verdict short', attrs: { 'data-meets': 'false' } }, h('span', { className: 'mark', text: '!' }), h('span', { text: t('bar.short') }),
				h('span', { className: 'verdict-figure', text: t('bar.shortfall', { v: wanmu.units.area(rep.shortfall ? rep.shortfall.mu : th - dev) }) }));
		return h('div', { className: 'devbar-wrap' },
			h('div', { className: 'devbar-head' },
				h('div', null, h('div', { className: 'caption', i18n: 'bar.developable' }),
					h('div', { className: 'devbar-figure', attrs: { 'data-field': 'developable' }, text: wanmu.units.area(dev) })),
				verdict),
			chart,
			h('div', { className: 'devbar-legend' },
				h('span', null, h('i', { className: 'key', style: { background: devColor } }), h('span', { i18n: 'bar.keyDevelopable' })),
				h('span', null, h('i', { className: 'key hatched' }), h('span', { i18n: 'bar.keyDeducted' })),
				h('span', null, h('i', { className: 'key line' }), h('span', { i18n: 'bar.keyThreshold' }))));
	}

	function text(xx, y, str, anchor, color, cls) {
		var el = s('text', { x: xx, y: y, 'text-anchor': anchor, fill: color, 'font-size': 10.5, 'class': cls || '' });
		el.textContent = str;
		return el;
	}

	wanmu.DevelopableBar = { render: render };
})(window.wanmu = window.wanmu || {});
