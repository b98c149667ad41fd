// PlatformPanel.js: the right-hand panel's platform tab. Pick or create a
// platform, add and remove zones (from the selection or one by one), and see
// its developable area against the threshold — gross, overlap, what each
// constraint layer takes, developable, shortfall or margin, parts — refreshed
// the moment membership or a member's boundary changes.
(function (wanmu) {
	'use strict';

	var h = wanmu.dom.h;
	var t = function (k, p) { return wanmu.i18n.t(k, p); };

	function PlatformPanel(app, el) {
		this.app = app;
		this.el = el;
		this.platform = null;  // GET /platforms/{id}
		this.report = null;    // GET /platforms/{id}/report
		this.history = null;
		this.loading = false;
		this._seq = 0;
		this.shortfall = new wanmu.ShortfallPanel(app); // 缺口补足建议 (ShortfallPanel.js)
		app.on('platforms', this.render, this);
		app.on('permissions', this.render, this);
		app.selection.on('change', this.render, this);
		wanmu.i18n.on('langchange', this.render, this);
		wanmu.units.on('unitchange', this.render, this);
		this.render();
	}

	// show makes id the active platform and loads its report.
	PlatformPanel.prototype.show = function (id) {
		this.app.activePlatformId = id || null;
		this.app.zones.setActivePlatform(this.app.activePlatformId);
		this.shortfall.close();
		this.platform = null;
		this.report = null;
		this.history = null;
		this.render();
		return id ? this.refresh() : Promise.resolve();
	};

	// refresh reloads the active platform and its report.
	PlatformPanel.prototype.refresh = function () {
		var id = this.app.activePlatformId, self = this;
		if (!id) {
			return Promise.resolve();
		}
		var seq = ++this._seq;
		this.loading = true;
		this.render();
		return Promise.all([
			wanmu.api.request('GET', '/platforms/' + id),
			wanmu.api.get('/platforms/' + id + '/report'),
			wanmu.api.get('/platforms/' + id + '/history').catch(function () { return null; })
		]).then(function (res) {
			if (seq !== self._seq) {
				return;
			}
			self.loading = false;
			self.platform = res[0].data;
			self.report = res[1];
			self.history = res[2];
			self.render();
			// Members outside the view are loaded for the member list.
			self.app.ensurePlatformZones(self.platform).then(function () {
				if (seq === self._seq) {
					self.render();
				}
			}, function () { /* the list shows the members in view */ });
		}, function (err) {
			if (seq !== self._seq) {
				return;
			}
			self.loading = false;
			if (err.status === 404 || err.status === 410) {
				self.app.activePlatformId = null;
			}
			self.render();
			if (err.status !== 401) {
				wanmu.notifyError(err, t('platform.loadFailed'));
			}
		});
	};

	PlatformPanel.prototype.render = function () {
		var app = this.app, self = this;
		wanmu.dom.clear(this.el);
		var canEdit = wanmu.permissions.mayWriteHere(); // a new platform; this one's: _body
		var picker = wanmu.Dialog.select('platform', [{ value: '', label: 'platform.choose' }].concat(app.platforms.map(function (p) {
			return { value: p.id, text: p.name + (p.meets === undefined ? '' : (p.meets ? '  ✓' : '  ✗')) };
		})), app.activePlatformId || '');
		picker.className = 'platform-picker';
		picker.addEventListener('change', function () {
			var id = Number(picker.value) || null;
			self.show(id);
			if (id) {
				app.zoomToPlatform(id);
			}
		});
		this.el.appendChild(h('div', { className: 'platform-top' }, picker,
			canEdit ? h('button', {
				className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'new-platform' },
				on: { click: function () { self.create(app.selection.ids()); } }
			}, h('span', { text: '+ ' }), h('span', { i18n: 'platform.new' })) : null));
		app.developable.sync(app.activePlatformId && this.platform, this.report);
		if (!app.activePlatformId) {
			this.el.appendChild(h('div', { className: 'empty-state' },
				h('div', { className: 'empty-title', i18n: 'platform.emptyTitle' }),
				h('p', { className: 'muted', i18n: canEdit ? 'platform.emptyEdit' : 'platform.emptyView' })));
			return;
		}
		if (!this.platform || !this.report) {
			this.el.appendChild(h('div', { className: 'muted pad', i18n: 'platform.loading' }));
			return;
		}
		this.el.appendChild(this._body(wanmu.permissions.mayEditPlatform(this.platform)));
	};

	PlatformPanel.prototype._body = function (canEdit) {
		var p = this.platform, r = this.report, app = this.app, self = this;
		var color = wanmu.style.platformColor(p.id);
		var head = h('div', { className: 'detail-head' },
			h('div', { className: 'detail-kicker' },
				h('span', { className: 'chip chip-color', style: { background: color }, text: t('role.' + p.role) }),
				(p.counties || []).map(function (c) { return h('span', { className: 'chip', text: t('county.' + c) }); })),
			h('h3', { className: 'detail-title', text: p.name }));
		var warnings = [wanmu.permissions.note(wanmu.permissions.platformNote(p))];
		if (r.overlap && r.overlap.mu > 0.01) {
			warnings.push(h('div', { className: 'warn-box', attrs: { 'data-warning': 'overlap' } },
				h('strong', { i18n: 'platform.overlapTitle' }),
				h('span', { text: ' ' + t('platform.overlapText', { v: wanmu.units.area(r.overlap.mu) }) })));
		}
		if (r.parts > 1) {
			warnings.push(h('div', { className: 'info-box' },
				h('span', { text: t('platform.partsText', { n: r.parts, gap: formatDistance(r.largest_gap_m) }) })));
		}
		if (!r.members) {
			warnings.push(h('div', { className: 'info-box', i18n: 'platform.noMembers' }));
		}
		var rows = [
			row('report.gross', r.gross.mu, 'gross'),
			row('report.memberSum', r.member_sum.mu),
			row('report.overlap', r.overlap.mu, 'overlap', r.overlap.mu > 0.01 ? 'warn' : '')
		];
		var layerRows = (r.layers || []).map(function (l) {
			return h('tr', { className: 'deduction-row' },
				h('th', null, h('span', { className: 'kind-tag kind-' + l.kind, text: t('layerKind.' + l.kind) }), h('span', { text: ' ' + l.name })),
				h('td', { className: 'num', text: minus(l.own.mu) }),
				h('td', { className: 'num muted', text: minus(l.cumulative.mu) }));
		});
		var table = h('table', { className: 'figures' },
			h('thead', null, h('tr', null, h('th'), h('th', { className: 'num', text: wanmu.units.symbol() }), h('th', { className: 'num muted', i18n: 'report.cumulative' }))),
			h('tbody', null, rows,
				layerRows.length ? h('tr', { className: 'section' }, h('th', { attrs: { colspan: 3 }, i18n: 'report.deductions' })) : null,
				layerRows,
				row('report.deducted', r.deducted.mu, 'deducted', 'subtotal', minus(r.deducted.mu)),
				row('report.developable', r.developable.mu, 'developable', 'total'),
				row('report.threshold', r.threshold_mu, 'threshold'),
				r.meets ? row('report.margin', r.margin ? r.margin.mu : r.developable.mu - r.threshold_mu, 'margin', 'ok') :
					row('report.shortfall', r.shortfall ? r.shortfall.mu : r.threshold_mu - r.developable.mu, 'shortfall', 'bad'),
				h('tr', null, h('th', { i18n: 'report.parts' }), h('td', { className: 'num', attrs: { 'data-field': 'parts' }, text: String(r.parts) }), h('td', { className: 'num muted', text: r.parts > 1 ? formatDistance(r.largest_gap_m) : '' }))));
		var definition = h('div', { className: 'definition muted' },
			h('div', null, h('strong', { i18n: 'report.definition' }), h('span', { text: ' ' + (r.definition && r.definition.text || '—') })),
			h('div', { i18n: 'report.layersOverlapNote' }),
			h('div', { text: t('report.method', { method: r.method || '' }) + ' · ' + t('report.computedAt', { at: wanmu.i18n.datetime(r.computed_at) }) }));
		var sel = app.selection.ids();
		var members = (p.zone_ids || []).map(function (id) { return app.zones.feature(id); }).filter(Boolean);
		var mine = function (id) { var f = app.zones.feature(id); return !!f && wanmu.permissions.mayEditZone(f.properties); };
		var addable = sel.filter(function (id) { return (p.zone_ids || []).indexOf(id) < 0 && mine(id); });
		var removable = sel.filter(function (id) { return (p.zone_ids || []).indexOf(id) >= 0 && mine(id); });
		var memberActions = canEdit ? h('div', { className: 'actions' },
			h('button', {
				className: 'btn btn-small btn-primary', attrs: { type: 'button', 'data-action': 'add-selected' }, disabled: !addable.length,
				on: { click: function () { self.addZones(addable); } }
			}, h('span', { text: t('platform.addSelected', { n: addable.length }) })),
			h('button', {
				className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'remove-selected' }, disabled: !removable.length,
				on: { click: function () { self.removeZones(removable); } }
			}, h('span', { text: t('platform.removeSelected', { n: removable.length }) }))) : null;
		var memberList = h('table', { className: 'list members' },
			h('tbody', null, members.map(function (f) {
				var zp = f.properties;
				return h('tr', { className: 'clickable' + (app.selection.has(zp.id) ? ' selected' : ''), dataset: { zoneId: String(zp.id) } },
					h('td', { on: { click: function () { app.selection.set([zp.id]); app.zoomToZones([zp.id]); } } },
						h('span', { className: 'dot', style: { background: zp.kind === 'park' ? wanmu.style.park.fill : wanmu.style.dispositionColor[zp.disposition] } }),
						h('span', { text: zp.name })),
					h('td', { className: 'num', text: wanmu.units.area(zp.area_mu, { bare: true }) }),
					canEdit ? h('td', { className: 'row-action' }, h('button', {
						className: 'btn-icon', attrs: { type: 'button', 'data-action': 'remove-member' }, i18nTitle: 'platform.removeOne', disabled: !mine(zp.id),
						on: { click: function () { self.removeZones([zp.id]); } }
					}, wanmu.icon('close', 13))) : null);
			})));
		var platformActions = canEdit ? h('div', { className: 'actions subtle' },
			h('button', { className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'edit-platform' }, i18n: 'platform.edit', on: { click: function () { self.edit(); } } }),
			h('button', { className: 'btn btn-small btn-danger-quiet', attrs: { type: 'button', 'data-action': 'retire-platform' }, i18n: 'platform.retire', on: { click: function () { self.retire(); } } })) : null;
		var hist = this.history && this.history.revisions ? h('details', { className: 'history' },
			h('summary', null, wanmu.icon('history', 15), h('span', { text: t('history.title') + ' (' + this.history.revisions.length + ')' })),
			h('ol', { className: 'revisions' }, this.history.revisions.slice().reverse().map(function (rv) {
				return h('li', { className: 'revision' },
					h('div', { className: 'rev-head' }, h('span', { className: 'rev-action', text: wanmu.i18n.tOr('action.rev.' + rv.action, rv.action) }),
						h('span', { className: 'rev-version', text: 'v' + rv.version }), h('span', { className: 'rev-when', text: wanmu.i18n.datetime(rv.at) })),
					h('div', { className: 'rev-who' }, h('span', { text: rv.actor || t('history.unknownActor') }), rv.reason ? h('span', { className: 'rev-reason', text: t('history.reason', { r: rv.reason }) }) : null));
			}))) : null;
		return h('div', { className: 'platform-detail' + (this.loading ? ' loading' : ''), dataset: { platformId: String(p.id) } },
			head,
			wanmu.DevelopableBar.render(r),
			app.developable.control(),
			warnings,
			table,
			definition,
			this.shortfall.section(p, r, canEdit),
			wanmu.PlatformIndicators.section(p), // 亩均效益 from the enterprise figures (PlatformIndicators.js)
			this._targets(canEdit),
			h('h4', { className: 'section-title', text: t('platform.members') + ' (' + members.length + ')' }),
			memberActions,
			memberList,
			platformActions,
			hist);

		function row(key, mu, field, cls, text) {
			return h('tr', { className: cls || '' },
				h('th', { i18n: key }),
				h('td', { className: 'num', attrs: { 'data-field': field || '' }, text: text !== undefined ? text : wanmu.units.area(mu, { bare: true }) }),
				h('td'));
		}
	};

	// _targets is the 目标与考核 section: the platform's targets and, per
	// year (newest first), the recorded indicators against them. The verdict
	// for each figure is value ≥ target; a missing figure or target gives none.
	PlatformPanel.prototype._targets = function (canEdit) {
		var p = this.platform, self = this;
		var TD = wanmu.TargetsDialog;
		var isAdmin = !!this.app.user && this.app.user.role === 'admin';
		var tg = plainObject(p.targets);
		var ind = plainObject(p.indicators);
		var hasTargets = TD.value(tg.year) !== null || TD.measures.some(function (m) { return TD.value(tg[m.key]) !== null; });
		var years = Object.keys(ind).filter(function (y) { return /^\d{4}$/.test(y) && ind[y] && typeof ind[y] === 'object'; })
			.sort().reverse();
		var head = h('div', { className: 'targets-head' },
			h('h4', { className: 'section-title', i18n: 'targets.title' }),
			isAdmin && hasTargets ? h('button', {
				className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'edit-targets' }, i18n: 'targets.edit',
				on: { click: function () { self.editTargets(tg); } }
			}) : null);
		var noTargets = hasTargets ? null : h('div', { className: 'targets-none' },
			h('span', { className: 'muted', i18n: 'targets.none' }),
			isAdmin ? h('button', {
				className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'set-targets' }, i18n: 'targets.set',
				on: { click: function () { self.editTargets(policyTargets(p), policyNote(p)); } }
			}) : null);
		var unitRow = h('tr', { className: 'units' }, h('th'), TD.measures.map(function (m) {
			return h('th', { className: 'num', i18n: m.unit });
		}), canEdit ? h('th') : null);
		var targetRow = hasTargets ? h('tr', { className: 'target-row', attrs: { 'data-row': 'target' } },
			h('th', { text: TD.value(tg.year) !== null ? t('targets.targetYear', { year: TD.value(tg.year) }) : t('targets.target') }),
			TD.measures.map(function (m) {
				return h('td', { className: 'num', attrs: { 'data-field': m.key }, text: figure(TD.value(tg[m.key])) });
			}), canEdit ? h('td') : null) : null;
		var yearRows = years.map(function (y) {
			var rec = ind[y];
			return h('tr', { className: 'year-row', attrs: { 'data-year': y } },
				h('th', { text: t('targets.yearLabel', { year: y }) }),
				TD.measures.map(function (m) {
					var v = TD.value(rec[m.key]), goal = TD.value(tg[m.key]);
					if (v === null || goal === null) {
						return h('td', { className: 'num', attrs: { 'data-field': m.key }, text: figure(v) });
					}
					var met = v >= goal;
					return h('td', { className: 'num ' + (met ? 'met' : 'unmet'), attrs: { 'data-field': m.key, 'data-met': String(met) }, title: t(met ? 'targets.met' : 'targets.unmet') },
						h('span', { className: 'mark', text: met ? '✓' : '!' }), h('span', { text: figure(v) }));
				}),
				canEdit ? h('td', { className: 'row-action' }, h('button', {
					className: 'btn-icon', attrs: { type: 'button', 'data-action': 'edit-indicators', 'data-year': y }, i18nTitle: 'targets.editYear',
					on: { click: function () { self.editIndicators(Number(y)); } }
				}, wanmu.icon('attributes', 13))) : null);
		});
		var table = hasTargets || years.length ? h('table', { className: 'figures targets-table' },
			h('thead', null,
				h('tr', null, h('th'), TD.measures.map(function (m) { return h('th', { className: 'num', i18n: m.label }); }), canEdit ? h('th') : null),
				unitRow),
			h('tbody', null, targetRow, yearRows)) : null;
		var notes = [];
		if (!years.length) {
			notes.push(h('div', { className: 'muted targets-note', i18n: 'targets.noIndicators' }));
		} else if (hasTargets) {
			notes.push(h('div', { className: 'muted targets-note' },
				h('span', { className: 'mark met', text: '✓' }), h('span', { text: ' ' + t('targets.met') + '　' }),
				h('span', { className: 'mark unmet', text: '!' }), h('span', { text: ' ' + t('targets.unmet') + '　' }),
				h('span', { text: t('targets.against') })));
		}
		var actions = canEdit ? h('div', { className: 'actions targets-actions' },
			h('button', {
				className: 'btn btn-small', attrs: { type: 'button', 'data-action': 'record-indicators' }, i18n: 'targets.record',
				on: { click: function () { self.editIndicators(null); } }
			})) : null;
		return h('section', { className: 'targets-section', attrs: { 'data-section': 'targets' } }, head, noTargets, table, notes, actions);
	};

	// editTargets opens the targets dialog (admin) and writes the targets with
	// If-Match, keeping keys the page does not know.
	PlatformPanel.prototype.editTargets = function (prefill, note) {
		var p = this.platform, self = this;
		return wanmu.TargetsDialog.openTargets(prefill, {
			policyNote: note,
			submit: function (values, reason) {
				var build = function (cur) { return mergeMeasures(plainObject(cur.targets), values); };
				return self._writePlatform(p, 'targets', build, reason, function (cur) {
					return [{ label: t('targets.title'), mine: summary(values), theirs: summary(plainObject(cur.targets)) }];
				}).then(function (res) {
					if (res.ok) {
						wanmu.notify(t('targets.saved', { name: p.name }), 'ok');
					}
				});
			}
		});
	};

	// editIndicators records or corrects one year's indicators (editors);
	// year null asks for a new year (prefilled with the current one).
	PlatformPanel.prototype.editIndicators = function (year) {
		var p = this.platform, self = this;
		var ind = plainObject(p.indicators);
		if (year === null) {
			year = new Date().getFullYear();
		}
		return wanmu.TargetsDialog.openIndicators(ind, year, {
			submit: function (y, values, reason) {
				var build = function (cur) {
					var all = L.extend({}, plainObject(cur.indicators));
					var rec = mergeMeasures(plainObject(all[String(y)]), values);
					if (Object.keys(rec).length) {
						all[String(y)] = rec;
					} else {
						delete all[String(y)];
					}
					return all;
				};
				return self._writePlatform(p, 'indicators', build, reason, function (cur) {
					return [{ label: t('targets.yearLabel', { year: y }), mine: summary(values), theirs: summary(plainObject(plainObject(cur.indicators)[String(y)])) }];
				}).then(function (res) {
					if (res.ok) {
						wanmu.notify(t('targets.indicatorsSaved', { name: p.name, year: y }), 'ok');
					}
				});
			}
		});
	};

	// _writePlatform PATCHes one JSON field of the platform with If-Match.
	// build(platform) makes the new value from the platform it is applied to,
	// so "re-apply mine" after a conflict merges into the server's version.
	PlatformPanel.prototype._writePlatform = function (p, field, build, reason, diffFor) {
		var app = this.app, self = this;
		return app.editor.withConflict({
			entity: 'platform', name: p.name, base: p, version: p.version,
			fetchCurrent: function () { return wanmu.api.get('/platforms/' + p.id); },
			diffFor: diffFor,
			attempt: function (version, current) {
				var body = { reason: reason || undefined };
				body[field] = build(current || p);
				return wanmu.api.send('PATCH', '/platforms/' + p.id, body, { ifMatch: version });
			}
		}).then(function (res) {
			return Promise.all([self.refresh(), app.refreshPlatforms()]).then(function () { return res; });
		});
	};

	// targetRule is the first of the policy's 2025 target rules (from the
	// server's vocabulary, internal/policy, in /config) that fits platform p:
	// its role, and any of the rule's counties when it lists some.
	function targetRule(p) {
		var rules = ((wanmu.app.config || {}).policy || {}).target_rules || [];
		var cs = p.counties || [];
		for (var i = 0; i < rules.length; i++) {
			var r = rules[i];
			if ((r.role === '' || r.role === p.role) && (!r.counties || r.counties.some(function (c) { return cs.indexOf(c) >= 0; }))) {
				return r.targets;
			}
		}
		return null;
	}

	// policyTargets prefills the targets dialog; a platform asked to double
	// its own base (which the page cannot know) gets no output figure.
	function policyTargets(p) {
		var r = targetRule(p) || {};
		return { year: r.year || 2025, value_added_per_mu: r.value_added_per_mu || null, tax_per_mu: r.tax_per_mu || null, output_yi: r.output_yi || null };
	}

	function policyNote(p) {
		var r = targetRule(p);
		return r && !r.doubling ? 'targets.policyNote' : 'targets.policyNoteDouble';
	}

	// mergeMeasures sets the dialog's values on a copy of obj: a number is
	// written, null removes the key; other keys stay as they were.
	function mergeMeasures(obj, values) {
		var out = L.extend({}, obj);
		Object.keys(values).forEach(function (k) {
			if (values[k] === null) {
				delete out[k];
			} else {
				out[k] = values[k];
			}
		});
		return out;
	}

	function plainObject(v) {
		return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
	}

	// figure writes a measure for people: up to two decimals, or "—".
	function figure(v) {
		if (v === null || v === undefined) {
			return '—';
		}
		return Number(v).toLocaleString(wanmu.i18n.lang() === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: 2 });
	}

	// summary is one line of the three measures, for the conflict dialog.
	function summary(o) {
		return wanmu.TargetsDialog.measures.map(function (m) {
			return t(m.label) + ' ' + figure(wanmu.TargetsDialog.value(o[m.key]));
		}).join(' · ');
	}

	// minus writes a deduction: "−1,234.56", or "0.00" when nothing is taken.
	function minus(mu) {
		return mu > 0.005 ? '−' + wanmu.units.area(mu, { bare: true }) : wanmu.units.area(0, { bare: true });
	}

	function formatDistance(m) {
		if (m === null || m === undefined || isNaN(m)) {
			return '—';
		}
		return m >= 1000 ? wanmu.i18n.number(m / 1000, 2) + ' km' : wanmu.i18n.number(m, 0) + ' m';
	}

	// create opens the new-platform dialog; the selected zones become its
	// first members.
	PlatformPanel.prototype.create = function (zoneIds) {
		var app = this.app, self = this;
		zoneIds = (zoneIds || []).filter(function (id) {
			var f = app.zones.feature(id);
			return f && !f.properties.platform_id;
		});
		var counties = {};
		zoneIds.forEach(function (id) { counties[app.zones.feature(id).properties.county_adcode] = true; });
		return wanmu.PlatformDialog.open(null, {
			memberCount: zoneIds.length, counties: Object.keys(counties), admin: app.user && app.user.role === 'admin',
			submit: function (body, reason) {
				body.zone_ids = zoneIds;
				body.reason = reason;
				return wanmu.api.send('POST', '/platforms', body).then(function (res) {
					var p = res.data;
					app.setZonePlatform(zoneIds, p);
					wanmu.notify(t('platform.created', { name: p.name }), 'ok');
					app.showPlatform(p.id);
					return app.refreshPlatforms();
				});
			}
		});
	};

	PlatformPanel.prototype.edit = function () {
		var p = this.platform, app = this.app, self = this;
		return wanmu.PlatformDialog.open(p, {
			admin: app.user && app.user.role === 'admin',
			submit: function (body, reason) {
				body.reason = reason;
				return app.editor.withConflict({
					entity: 'platform', name: p.name, base: p, version: p.version,
					fetchCurrent: function () { return wanmu.api.get('/platforms/' + p.id); },
					diffFor: function (cur) {
						return [{ label: t('field.platformName'), mine: body.name, theirs: cur.name },
							{ label: t('field.thresholdMu'), mine: String(body.threshold_mu || p.threshold_mu), theirs: String(cur.threshold_mu) }];
					},
					attempt: function (version) { return wanmu.api.send('PATCH', '/platforms/' + p.id, body, { ifMatch: version }); }
				}).then(function () {
					return Promise.all([self.refresh(), app.refreshPlatforms()]);
				});
			}
		});
	};

	PlatformPanel.prototype.retire = function () {
		var p = this.platform, app = this.app, self = this;
		return wanmu.Dialog.confirm({
			title: 'platform.retireTitle', text: t('platform.retireText', { name: p.name }), withReason: true, danger: true, ok: 'platform.retire',
			action: function (reason) {
				return app.editor.withConflict({
					entity: 'platform', name: p.name, base: p, version: p.version,
					fetchCurrent: function () { return wanmu.api.get('/platforms/' + p.id); },
					attempt: function (version) { return wanmu.api.request('DELETE', '/platforms/' + p.id, { ifMatch: version, query: { reason: reason || undefined } }); }
				}).then(function (res) {
					if (res.ok) {
						app.setZonePlatform(p.zone_ids || [], null);
						wanmu.notify(t('platform.retired', { name: p.name }), 'ok');
						self.show(null);
					}
					return app.refreshPlatforms();
				});
			}
		});
	};

	// addZones adds zones to the active platform. Zones that belong to another
	// platform are moved after the planner agrees (removed there first).
	PlatformPanel.prototype.addZones = function (ids) {
		var app = this.app, self = this;
		var p = this.platform;
		if (!p) {
			return Promise.resolve();
		}
		var elsewhere = {};
		ids.forEach(function (id) {
			var f = app.zones.feature(id);
			var pid = f && f.properties.platform_id;
			if (pid && pid !== p.id) {
				(elsewhere[pid] = elsewhere[pid] || []).push(id);
			}
		});
		var others = Object.keys(elsewhere);
		var step = Promise.resolve(true);
		if (others.length) {
			var names = others.map(function (pid) { return (app.platformById(Number(pid)) || {}).name || pid; }).join(t('list.separator'));
			step = wanmu.Dialog.confirm({ title: 'platform.moveTitle', text: t('platform.moveText', { n: ids.length, others: names, name: p.name }), ok: 'platform.move' })
				.then(function (ok) {
					if (!ok) {
						return false;
					}
					return others.reduce(function (chain, pid) {
						return chain.then(function () {
							return wanmu.api.request('GET', '/platforms/' + pid).then(function (res) {
								var other = res.data;
								var keep = (other.zone_ids || []).filter(function (z) { return elsewhere[pid].indexOf(z) < 0; });
								return self._setMembers(other, keep, t('reason.moveTo', { name: p.name }));
							});
						});
					}, Promise.resolve()).then(function () { return true; });
				});
		}
		return step.then(function (go) {
			if (!go) {
				return;
			}
			var next = (self.platform.zone_ids || []).concat(ids.filter(function (id) { return (self.platform.zone_ids || []).indexOf(id) < 0; }));
			return self._setMembers(self.platform, next, t('reason.addMembers'));
		}).catch(function (err) {
			wanmu.notifyError(err, t('platform.membersFailed'));
		});
	};

	PlatformPanel.prototype.removeZones = function (ids) {
		var self = this;
		var p = this.platform;
		var next = (p.zone_ids || []).filter(function (id) { return ids.indexOf(id) < 0; });
		return this._setMembers(p, next, t('reason.removeMembers')).catch(function (err) {
			wanmu.notifyError(err, t('platform.membersFailed'));
		});
	};

	// _setMembers PUTs a platform's member list with If-Match. On a conflict,
	// "re-apply mine" applies the planner's additions and removals to the
	// members on the server now, not the stale list.
	PlatformPanel.prototype._setMembers = function (p, next, reason) {
		var app = this.app, self = this;
		var before = (p.zone_ids || []).slice();
		var added = next.filter(function (id) { return before.indexOf(id) < 0; });
		var removed = before.filter(function (id) { return next.indexOf(id) < 0; });
		return app.editor.withConflict({
			entity: 'platform', name: p.name, base: p, version: p.version,
			fetchCurrent: function () { return wanmu.api.get('/platforms/' + p.id); },
			diffFor: function (cur) {
				return [{ label: t('platform.members'), mine: t('platform.memberDelta', { add: added.length, remove: removed.length }), theirs: t('count.n', { n: (cur.zone_ids || []).length }) }];
			},
			attempt: function (version, current) {
				var ids = next;
				if (current) {
					ids = (current.zone_ids || []).filter(function (id) { return removed.indexOf(id) < 0; });
					added.forEach(function (id) {
						if (ids.indexOf(id) < 0) {
							ids.push(id);
						}
					});
				}
				return wanmu.api.send('PUT', '/platforms/' + p.id + '/members', { zone_ids: ids, reason: reason }, { ifMatch: version });
			}
		}).then(function (res) {
			var cur = res.ok ? res.data : res.current;
			if (cur) {
				var now = cur.zone_ids || [];
				app.setZonePlatform(before.filter(function (id) { return now.indexOf(id) < 0; }), null);
				app.setZonePlatform(now, cur);
				if (app.activePlatformId === p.id) {
					self.platform = L.extend({}, self.platform || {}, cur);
				}
			}
			if (res.ok) {
				wanmu.notify(t('platform.membersSaved', { name: p.name, n: (cur.zone_ids || []).length }), 'ok');
			}
			return Promise.all([app.activePlatformId === p.id ? self.refresh() : null, app.refreshPlatforms()]).then(function () { return res; });
		});
	};

	wanmu.PlatformPanel = PlatformPanel;
})(window.wanmu = window.wanmu || {});
