// LabelPlacer.js: keeps the map's labels apart and out from under the
// controls. Given the labels in view (ZoneLayer.js), it places them greedily
// in order of importance: selected first (never hidden), then platform labels
// (they carry the 万亩 figure), then zone labels by area, largest first. A
// label is shown where its box lies inside the map and overlaps neither a
// label already placed nor a control over the map; a platform label first
// tries a few positions around its anchor. Labels that do not fit are hidden
// with visibility (not removed: tests and screen readers still find them).
// One pass reads every box first and writes afterwards, so the browser lays
// the page out once however many labels there are.
(function (wanmu) {
	'use strict';

	// What covers the map: Leaflet's controls (zoom, measure, basemap, scale,
	// status bar, attribution), the toolbar, the editing session's bar, the
	// panel handles, and the panels and sheets that float over the map on a
	// tablet or a phone.
	var CONTROLS = [
		'.leaflet-control', '.wanmu-toolbar', '.wanmu-sessionbar', '.panel-handle',
		'.phone-edit-note', '.phone-tabs', '#left', '#right', '#overview'
	].join(',');

	var GAP = 2; // px kept between two labels

	// A platform label's positions around its anchor (the top middle of the
	// platform's bounds), in the order tried: above (the stylesheet's
	// default), below, right, left, then above and below slid sideways, then
	// a row further out. Each is the top left corner of a label w × h
	// relative to the anchor.
	function spots(w, ht) {
		var out = [[-w / 2, -ht - 4], [-w / 2, 4], [4, -ht / 2], [-w - 4, -ht / 2]];
		[4, -w - 4, 16, -w - 16, -w / 4, -3 * w / 4].forEach(function (dx) {
			out.push([dx, -ht - 4], [dx, 4]);
		});
		[16, -w - 16].forEach(function (dx) { out.push([dx, -ht / 2]); });
		[-w / 2, 4, -w - 4].forEach(function (dx) { out.push([dx, -2 * ht - 8], [dx, ht + 8]); });
		return out;
	}

	function rect(r) { return [r.left, r.top, r.width, r.height]; }

	function hits(a, b, gap) {
		return a[0] < b[0] + b[2] + gap && b[0] < a[0] + a[2] + gap && a[1] < b[1] + b[3] + gap && b[1] < a[1] + a[3] + gap;
	}

	function inside(a, outer) {
		return a[0] >= outer[0] + 1 && a[1] >= outer[1] + 1 && a[0] + a[2] <= outer[0] + outer[2] - 1 && a[1] + a[3] <= outer[1] + outer[3] - 1;
	}

	function free(box, placed, controls) {
		var i;
		for (i = 0; i < controls.length; i++) {
			if (hits(box, controls[i], 1)) {
				return false;
			}
		}
		for (i = 0; i < placed.length; i++) {
			if (hits(box, placed[i], GAP)) {
				return false;
			}
		}
		return true;
	}

	// controlBoxes lists the boxes of what covers the map container.
	function controlBoxes(container, mapBox) {
		var out = [];
		document.querySelectorAll(CONTROLS).forEach(function (el) {
			var b = rect(el.getBoundingClientRect());
			if (b[2] > 0 && b[3] > 0 && hits(b, mapBox, 0)) {
				out.push(b);
			}
		});
		return out;
	}

	// place shows or hides labels. Each label is { el, at (its anchor, or
	// for a zone's name its centre, in the container's pixels), platform
	// (bool), pinned (selected: always shown), area (sorting zone labels),
	// room (widest the label may be, for a zone's name; optional) }. Where a
	// label is comes from the map, not from the page: just after a zoom the
	// page may still show it where it was. Returns how many were hidden.
	function place(container, labels) {
		// Read.
		var mapBox = rect(container.getBoundingClientRect());
		var controls = controlBoxes(container, mapBox);
		var items = [];
		labels.forEach(function (l) {
			var r = l.el.getBoundingClientRect();
			if (!r.width || !r.height) {
				return; // not displayed (a zoom class hides it): takes no room
			}
			var a = { x: mapBox[0] + l.at.x, y: mapBox[1] + l.at.y };
			items.push({ l: l, w: r.width, h: r.height, anchor: a, box: [a.x - r.width / 2, a.y - r.height / 2, r.width, r.height] });
		});
		items.sort(function (a, b) {
			return (b.l.pinned - a.l.pinned) || (b.l.platform - a.l.platform) || ((b.l.area || 0) - (a.l.area || 0));
		});

		// Decide.
		var placed = [];
		items.forEach(function (it) {
			var cands = it.l.platform ? spots(it.w, it.h).map(function (d, i) {
				return { i: i, d: d, box: [it.anchor.x + d[0], it.anchor.y + d[1], it.w, it.h] };
			}) : [{ box: it.box }];
			it.show = false;
			it.why = !inside(cands[0].box, mapBox) ? 'edge' : (free(cands[0].box, [], controls) ? 'overlap' : 'control');
			if (it.l.room !== undefined && it.w > it.l.room) {
				it.why = 'fit';
			} else {
				for (var i = 0; i < cands.length && !it.show; i++) {
					if (inside(cands[i].box, mapBox) && free(cands[i].box, placed, controls)) {
						it.show = true;
						it.spot = cands[i];
					}
				}
			}
			if (!it.show && it.l.pinned) {
				it.show = true;
				it.spot = cands[0];
			}
			if (it.show) {
				placed.push(it.spot.box);
			}
		});

		// Write.
		var hidden = 0;
		items.forEach(function (it) {
			var el = it.l.el;
			el.style.visibility = it.show ? '' : 'hidden';
			if (it.show) {
				delete el.dataset.hiddenBy;
				if (it.l.platform) {
					// The default position is the stylesheet's (above).
					el.style.transform = it.spot.i ? 'translate(' + it.spot.d[0] + 'px, ' + it.spot.d[1] + 'px)' : '';
					el.dataset.spot = it.spot.i;
				}
			} else {
				el.dataset.hiddenBy = it.why;
				hidden++;
			}
		});
		return hidden;
	}

	wanmu.labelPlacer = { place: place, controls: CONTROLS };
})(window.wanmu = window.wanmu || {});
