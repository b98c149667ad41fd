// icons.js: the few line icons of the toolbar, as SVG path data (24×24,
// stroked), drawn by wanmu.icon(name).
(function (wanmu) {
	'use strict';

	var paths = {
		select: 'M6 3l12 8.5-5.2 1.3 3 5.7-2.3 1.2-3-5.7L6 17.5z',
		box: 'M4 6h3M10 6h4M17 6h3v3M20 12v3M20 18v2h-3M14 20h-4M7 20H4v-3M4 14v-4',
		draw: 'M4 19l2.5-10L14 5l5 6.5L13 19zM4 19l0 0M14 5l0 0',
		vertex: 'M5 18L8 6l10 3-2 9zM3.5 16.5h3v3h-3zM6.5 4.5h3v3h-3zM16.5 7.5h3v3h-3zM14.5 16.5h3v3h-3z',
		drag: 'M12 3v18M3 12h18M12 3L9.5 5.5M12 3l2.5 2.5M12 21l-2.5-2.5M12 21l2.5-2.5M3 12l2.5-2.5M3 12l2.5 2.5M21 12l-2.5-2.5M21 12l-2.5 2.5',
		cut: 'M4 5h16v14H4zM9.5 9.5h5v5h-5z',
		split: 'M4 6h16v12H4zM15 3L9 21',
		attributes: 'M8 7h11M8 12h11M8 17h7M4.5 7h.5M4.5 12h.5M4.5 17h.5',
		retire: 'M5 7h14M10 7V4.5h4V7M7 7l1 12.5h8L17 7M10.5 10.5v6M13.5 10.5v6',
		merge: 'M4 4h9v9H4zM11 11h9v9h-9z',
		undo: 'M9 14L4.5 9.5 9 5M5 9.5h9.5a5 5 0 010 10H11',
		redo: 'M15 14l4.5-4.5L15 5m4 4.5H9.5a5 5 0 000 10H13',
		platform: 'M3 20h18M5 20V9l5-3v14M10 20V4l9 4v12M13 10h3M13 13h3M13 16h3',
		layers: 'M12 4l9 5-9 5-9-5zM3 14l9 5 9-5',
		importFile: 'M12 4v11M7.5 10.5L12 15l4.5-4.5M5 19h14',
		exportFile: 'M12 15V4M7.5 8.5L12 4l4.5 4.5M5 19h14',
		chart: 'M4 20h16M7 20v-6M11 20V8M15 20v-9M19 20V5',
		user: 'M12 12a4 4 0 100-8 4 4 0 000 8zM4 20c1.5-4 4.5-6 8-6s6.5 2 8 6',
		history: 'M4 12a8 8 0 108-8c-3 0-5.5 1.6-6.9 4M4 4v4.5h4.5M12 8v4.5l3 2',
		close: 'M6 6l12 12M18 6L6 18',
		target: 'M12 3v4M12 17v4M3 12h4M17 12h4M12 8a4 4 0 110 8 4 4 0 010-8z'
	};

	// icon returns an <svg> element for a named icon.
	wanmu.icon = function (name, size) {
		size = size || 18;
		var s = wanmu.dom.svg('svg', { width: size, height: size, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor',
			'stroke-width': 1.7, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', 'class': 'icon' },
		wanmu.dom.svg('path', { d: paths[name] || '' }));
		return s;
	};
})(window.wanmu = window.wanmu || {});
