// CompareLayer.js: other versions of a zone drawn beside the current one — a
// past revision from the history, or someone else's version in a conflict —
// each with a small tag saying what it is.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;

	wanmu.CompareLayer = L.LayerGroup.extend({
		options: { pane: 'wanmuCompare' },

		// show replaces what is shown by one geometry with a style and a tag.
		show: function (geometry, style, tag) {
			this.clearLayers();
			this.add(geometry, style, tag);
		},

		// add draws one more geometry.
		add: function (geometry, style, tag) {
			if (!geometry) {
				return null;
			}
			var layer = L.geoJSON(geometry, {
				pane: this.options.pane, interactive: false, pmIgnore: true, snapIgnore: true,
				style: function () { return style; }
			});
			this.addLayer(layer);
			if (tag) {
				var b = layer.getBounds();
				var marker = L.marker([b.getSouth(), b.getWest()], {
					pane: this.options.pane, interactive: false, keyboard: false, pmIgnore: true, snapIgnore: true,
					icon: L.divIcon({
						className: 'compare-tag-icon', iconSize: null, iconAnchor: [0, 0],
						html: h('div', { className: 'compare-tag', style: { 'border-color': style.color, color: style.color }, text: tag })
					})
				});
				this.addLayer(marker);
			}
			return layer;
		},

		bounds: function () {
			var b = L.latLngBounds([]);
			this.eachLayer(function (l) {
				if (l.getBounds) {
					b.extend(l.getBounds());
				}
			});
			return b;
		}
	});
})(window.wanmu = window.wanmu || {});
