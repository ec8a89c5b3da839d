/*
 * Interactive flame graph: click to zoom, hover details, regexp search with
 * an exact "Matched" share, label fitting, fluid width and URL state.
 *
 * The document (see render/svg.c) holds a <svg id="frames"> with one <g>
 * (or <a>) per frame: <title>, <rect fg:x fg:w [fg:before fg:after]> and
 * <text>. The first CDATA section of this script defines the settings read
 * below. Everything lives in one closure; the only global added is init(),
 * called by the root element's onload.
 *
 * Graphs can hold 100k+ frames, so each attribute is read at most once, and
 * most only when first needed; zoom, search and resize compute from arrays
 * and write back only what changed. Text widths come from a per-character
 * table measured on a canvas, so fitting a label never asks the SVG layout
 * for anything.
 *
 * This text is embedded in a CDATA section: it must never contain the three
 * characters that close one (render/embed.sh refuses the file if it does).
 */
var init = (function () {
	"use strict";

	var FG_NS = "http://github.com/jonhoo/inferno";
	var XHTML_NS = "http://www.w3.org/1999/xhtml";
	var SHOWN = 0, PARENT = 1, HIDDEN = 2;

	/* Settings from the first CDATA section; defaults keep a stripped-down
	 * document usable. typeof is the only safe test for a missing global. */
	var opt = {
		nametype: typeof nametype === "string" ? nametype : "Function:",
		fontsize: typeof fontsize === "number" ? fontsize : 12,
		fontwidth: typeof fontwidth === "number" ? fontwidth : 0.59,
		xpad: typeof xpad === "number" ? xpad : 10,
		inverted: typeof inverted === "boolean" ? inverted : false,
		searchcolor: typeof searchcolor === "string" ?
			searchcolor : "rgb(230,0,230)",
		fluid: typeof fluiddrawing === "boolean" ? fluiddrawing : false,
		right: typeof truncate_text_right === "boolean" ?
			truncate_text_right : false
	};

	var started = false;
	var root, frames, details, unzoomBtn, searchBtn, matchedText, icBtn;

	/*
	 * Per-frame data, indexed by the frame's position in #frames. Only
	 * fg:x, fg:w and the label are read at load; names, y, fills and the
	 * generator's geometry strings are read the first time they are
	 * needed, which for most frames of a big graph is never.
	 */
	var count = 0;
	var els = [], rects = [], texts = [];
	var titles = [], names = [];	/* filled by nameAt() */
	var labels = [];		/* label text currently in the DOM */
	var baseClass = [];		/* class attribute before we touched it */
	var origFill = [];		/* fill before a search coloured it */
	/* The generator's rect x, width and label x, saved when a zoom first
	 * moves the frame (dirty), put back on reset; cur* is what the DOM
	 * holds while dirty. */
	var origX = [], origW = [], origTX = [], curX = [], curW = [], curTX = [];
	var fx, fw, fy, state, lit, dirty, nameWidth;
	var index = new Map();

	var total = 0;		/* samples across the whole graph */
	var haveY = false;	/* fy[] filled */
	var rootY = 0;		/* y of the bottom (top when inverted) row */
	var labelLead = 0;	/* generator's label offset, % of #frames */
	var frameWidth = 1;	/* width of #frames in user units */
	var zoomed = -1;	/* frame filling the width, or -1 */
	var term = null;	/* active search term */
	var ignoreCase = false;
	var rightControls = [];	/* texts kept at a fixed distance from the right */
	var resizePending = false;

	var glyphWidth;		/* function (s, i) -> width of the glyph at s[i] */
	var glyphStep = 1;	/* UTF-16 units taken by the last glyphWidth() */
	var dotsWidth = 0, minLabel = 0;

	function byId(id)
	{
		return document.getElementById(id);
	}

	/* The prefixed name is the cheap lookup; the namespace one covers a
	 * document that bound the inferno namespace to another prefix. */
	function fgAttr(el, name)
	{
		var v = el.getAttribute("fg:" + name);
		return v !== null ? v : el.getAttributeNS(FG_NS, name);
	}

	function pct(v)
	{
		return v.toFixed(4) + "%";
	}

	/* 1234567 -> "1,234,567", as in the titles; a fraction is kept. */
	function group(s)
	{
		var dot = s.indexOf(".");
		var whole = dot < 0 ? s : s.slice(0, dot);
		return whole.replace(/\B(?=(\d{3})+$)/g, ",") +
			(dot < 0 ? "" : s.slice(dot));
	}

	/* The title is "NAME (N samples, P%[; D%])"; names may hold
	 * parentheses themselves, so only the last group is cut off. */
	function nameAt(i)
	{
		var t, m, c;

		if (names[i] === undefined) {
			t = "";
			for (c = els[i].firstElementChild; c; c = c.nextElementSibling)
				if (c.localName === "title") {
					t = c.textContent;
					break;
				}
			m = / \([^()]*\)$/.exec(t);
			titles[i] = t;
			names[i] = m ? t.slice(0, m.index) : t;
		}
		return names[i];
	}

	function readFrames()
	{
		var kids = frames.children;
		var i, n, c, el, rect, text, r0, t0, samples;

		for (i = 0; i < kids.length; i++) {
			el = kids[i];
			rect = text = null;
			for (c = el.firstElementChild; c; c = c.nextElementSibling) {
				if (c.localName === "rect") {
					if (!rect)
						rect = c;
				} else if (c.localName === "text" && !text) {
					text = c;
				}
			}
			if (!rect)
				continue;
			n = els.length;
			els[n] = el;
			rects[n] = rect;
			texts[n] = text;
			labels[n] = text ? text.textContent : "";
			index.set(el, n);
		}

		count = els.length;
		fx = new Float64Array(count);
		fw = new Float64Array(count);
		fy = new Float64Array(count);
		nameWidth = new Float64Array(count).fill(-1);
		state = new Uint8Array(count);
		lit = new Uint8Array(count);
		dirty = new Uint8Array(count);
		if (!count)
			return;

		/* Without fg:x/fg:w (an SVG from another writer) the percentages
		 * stand in for sample counts: zoom still works, Matched is close. */
		samples = fgAttr(rects[0], "x") !== null;
		for (i = 0; i < count; i++) {
			if (samples) {
				fx[i] = +fgAttr(rects[i], "x");
				fw[i] = +fgAttr(rects[i], "w");
			} else {
				fx[i] = parseFloat(rects[i].getAttribute("x"));
				fw[i] = parseFloat(rects[i].getAttribute("width"));
			}
			if (!(fx[i] >= 0))
				fx[i] = 0;
			if (!(fw[i] >= 0))
				fw[i] = 0;
		}
		total = samples ? +frames.getAttribute("total_samples") : 100;
		if (!(total > 0)) {
			total = 0;
			for (i = 0; i < count; i++)
				total = Math.max(total, fx[i] + fw[i]);
		}

		r0 = rects[0];
		t0 = texts[0];
		if (t0)
			labelLead = (parseFloat(t0.getAttribute("x")) || 0) -
				(parseFloat(r0.getAttribute("x")) || 0);
	}

	/* Rows are only needed once someone zooms. */
	function needY()
	{
		var i;

		if (haveY)
			return;
		haveY = true;
		for (i = 0; i < count; i++)
			fy[i] = parseFloat(rects[i].getAttribute("y")) || 0;
		rootY = count ? fy[0] : 0;
		for (i = 1; i < count; i++)
			rootY = opt.inverted ? Math.min(rootY, fy[i]) :
				Math.max(rootY, fy[i]);
	}

	/*
	 * Text measuring. Each distinct character is measured once, on a
	 * canvas set to the labels' computed font, and a label's width is the
	 * sum of its characters (kerning is ignored; labels keep a 3-unit
	 * margin). Without a canvas, every character is fontsize * fontwidth
	 * wide, the same estimate the generator used.
	 */
	function setupMeasure()
	{
		var ctx = null, sample = null, canvas, cs, font, i;
		var fallback = opt.fontsize * opt.fontwidth;
		var bmp = new Float32Array(65536).fill(-1);
		var astral = new Map();

		for (i = 0; i < count && !sample; i++)
			sample = texts[i];
		try {
			canvas = document.createElementNS(XHTML_NS, "canvas");
			ctx = canvas.getContext ? canvas.getContext("2d") : null;
			if (ctx && sample) {
				cs = window.getComputedStyle(sample);
				font = [cs.fontStyle, cs.fontWeight, cs.fontSize,
					cs.fontFamily].join(" ");
				ctx.font = font;
				/* A font the canvas cannot parse is ignored
				 * silently, leaving its 10px default. */
				if (ctx.font.indexOf(cs.fontSize) < 0)
					ctx = null;
			}
		} catch (e) {
			ctx = null;
		}

		function raw(s)
		{
			return ctx ? ctx.measureText(s).width : fallback;
		}

		glyphWidth = function (s, i) {
			var c = s.charCodeAt(i), d, k, w;

			if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
				d = s.charCodeAt(i + 1);
				if (d >= 0xdc00 && d < 0xe000) {
					glyphStep = 2;
					k = s.substr(i, 2);
					w = astral.get(k);
					if (w === undefined) {
						w = raw(k);
						astral.set(k, w);
					}
					return w;
				}
			}
			glyphStep = 1;
			w = bmp[c];
			if (w < 0) {
				w = raw(s.charAt(i));
				bmp[c] = w;
			}
			return w;
		};
		dotsWidth = 2 * glyphWidth("..", 0);
		minLabel = 2 * opt.fontsize * opt.fontwidth;
	}

	function textWidth(s)
	{
		var w = 0, i;

		for (i = 0; i < s.length; i += glyphStep)
			w += glyphWidth(s, i);
		return w;
	}

	/* Label for frame i with avail units of room: the whole name if it
	 * fits, else "..tail" (or "head.." with truncate_text_right), else
	 * nothing. */
	function fitLabel(i, avail)
	{
		var s, w, room, acc = 0, k, j, g, c;

		if (!(avail >= minLabel))
			return "";
		s = nameAt(i);
		w = nameWidth[i];
		if (w < 0) {
			w = textWidth(s);
			nameWidth[i] = w;
		}
		if (w <= avail)
			return s;
		room = avail - dotsWidth;
		if (opt.right) {
			for (k = 0; k < s.length; k += glyphStep) {
				g = glyphWidth(s, k);
				if (acc + g > room)
					break;
				acc += g;
			}
			return k > 0 ? s.slice(0, k) + ".." : "";
		}
		for (k = s.length; k > 0; k = j) {
			j = k - 1;
			c = s.charCodeAt(j);
			if (j > 0 && c >= 0xdc00 && c < 0xe000) {
				c = s.charCodeAt(j - 1);
				if (c >= 0xd800 && c < 0xdc00)
					j--;
			}
			g = glyphWidth(s, j);
			if (acc + g > room)
				break;
			acc += g;
		}
		return k < s.length ? ".." + s.slice(k) : "";
	}

	/* Frames rarely carry a class of their own (--nameattr can add one),
	 * and dropping the attribute is much cheaper than classList.remove(),
	 * which matters when a reset shows 100k frames again. */
	function setState(i, st)
	{
		var el = els[i], base;

		if (state[i] === st)
			return;
		base = baseClass[i];
		if (base === undefined) {
			base = el.getAttribute("class");
			baseClass[i] = base;
		}
		if (st === SHOWN) {
			if (base === null)
				el.removeAttribute("class");
			else
				el.setAttribute("class", base);
		} else {
			if (state[i] !== SHOWN)
				el.classList.remove(state[i] === PARENT ? "parent" : "hide");
			el.classList.add(st === PARENT ? "parent" : "hide");
		}
		state[i] = st;
	}

	function setLabel(i, label)
	{
		if (label !== labels[i]) {
			texts[i].textContent = label;
			labels[i] = label;
		}
	}

	/*
	 * Place every frame for the current zoom and width. Zoomed on Z:
	 * frames on Z's row and beyond are shown if they start inside Z (they
	 * are Z and its descendants), rows toward the root show the frames that
	 * span Z, greyed and stretched, and everything else is hidden.
	 * Unzoomed, the generator's own geometry strings are put back, so a
	 * reset restores the file exactly; its labels sit labelLead% right of
	 * the rect, which is about 3 units at the generator's width.
	 */
	function layout()
	{
		var z = zoomed, zx = 0, zw = total, zy = 0;
		var scale, pad, lead, i, st, x, w, xn, tx, px, rect, text;

		if (z >= 0) {
			needY();
			zx = fx[z];
			zw = fw[z];
			zy = fy[z];
		}
		scale = zw > 0 ? frameWidth / zw : 0;
		pad = 300 / frameWidth;
		lead = Math.max(3, labelLead * frameWidth / 100);
		for (i = 0; i < count; i++) {
			st = SHOWN;
			if (z >= 0) {
				if (opt.inverted ? fy[i] < zy : fy[i] > zy)
					st = fx[i] <= zx && fx[i] + fw[i] >= zx + zw ?
						PARENT : HIDDEN;
				else if (fx[i] < zx || fx[i] >= zx + zw)
					st = HIDDEN;
			}
			setState(i, st);
			if (st === HIDDEN)
				continue;
			rect = rects[i];
			text = texts[i];
			if (z < 0) {
				if (dirty[i]) {
					rect.setAttribute("x", origX[i]);
					rect.setAttribute("width", origW[i]);
					if (text)
						text.setAttribute("x", origTX[i]);
					dirty[i] = 0;
				}
				if (text)
					setLabel(i, fitLabel(i, fw[i] * scale - lead));
				continue;
			}
			if (!dirty[i]) {
				origX[i] = curX[i] = rect.getAttribute("x");
				origW[i] = curW[i] = rect.getAttribute("width");
				origTX[i] = curTX[i] = text ? text.getAttribute("x") : null;
				dirty[i] = 1;
			}
			if (st === PARENT) {
				xn = 0;
				w = pct(100);
				px = frameWidth;
			} else {
				xn = (fx[i] - zx) * 100 / zw;
				w = pct(fw[i] * 100 / zw);
				px = fw[i] * scale;
			}
			x = pct(xn);
			if (x !== curX[i]) {
				rect.setAttribute("x", x);
				curX[i] = x;
			}
			if (w !== curW[i]) {
				rect.setAttribute("width", w);
				curW[i] = w;
			}
			if (!text)
				continue;
			tx = pct(xn + pad);
			if (tx !== curTX[i]) {
				text.setAttribute("x", tx);
				curTX[i] = tx;
			}
			setLabel(i, fitLabel(i, px - 3));
		}
		if (unzoomBtn)
			unzoomBtn.classList.toggle("hide", z < 0);
	}

	function compile(t)
	{
		var flags = ignoreCase ? "i" : "";

		try {
			return new RegExp(t, flags);
		} catch (e) {
			/* Not a valid regexp: look for the text as typed. */
			return new RegExp(t.replace(/[\\^$.*+?()[\]{}|\/]/g, "\\$&"),
				flags);
		}
	}

	/*
	 * Colour the matching frames among those shown (greyed ancestors of a
	 * zoom do not count) and report their share of the zoomed frame, in
	 * samples: a match nested in an earlier match is already counted, and
	 * sorted by start (widest first on ties) a nested match is exactly one
	 * that starts before the end of the last counted one.
	 */
	function applySearch()
	{
		var re = term === null ? null : compile(term);
		var hits = [], on, i, k, h, sum = 0, end = -Infinity, den;

		for (i = 0; i < count; i++) {
			on = re !== null && state[i] === SHOWN && re.test(nameAt(i)) ?
				1 : 0;
			if (on !== lit[i]) {
				if (on) {
					origFill[i] = rects[i].getAttribute("fill");
					rects[i].setAttribute("fill", opt.searchcolor);
				} else if (origFill[i] === null) {
					rects[i].removeAttribute("fill");
				} else {
					rects[i].setAttribute("fill", origFill[i]);
				}
				lit[i] = on;
			}
			if (on)
				hits.push(i);
		}
		if (!matchedText)
			return;
		if (re === null) {
			matchedText.textContent = " ";
			return;
		}
		hits.sort(function (a, b) {
			return fx[a] - fx[b] || fw[b] - fw[a];
		});
		for (k = 0; k < hits.length; k++) {
			h = hits[k];
			if (fx[h] >= end) {
				sum += fw[h];
				end = fx[h] + fw[h];
			}
		}
		den = zoomed >= 0 ? fw[zoomed] : total;
		matchedText.textContent = "Matched: " + (sum === den ? "100" :
			(den > 0 ? 100 * sum / den : 0).toFixed(1)) + "%";
	}

	/* Keep the view shareable: x, y (zoom), s (search), ic (ignore case).
	 * replaceState adds no history entries; where history is refused (a
	 * sandboxed frame) the view still works, it just is not in the URL. */
	function setParams(changes)
	{
		var url, k;

		try {
			url = new URL(window.location.href);
			for (k in changes) {
				if (changes[k] === null)
					url.searchParams.delete(k);
				else
					url.searchParams.set(k, changes[k]);
			}
			if (url.href !== window.location.href)
				window.history.replaceState(window.history.state, "",
					url.href);
		} catch (e) {
			return;
		}
	}

	/* The bottom frame spanning everything: zooming there is no zoom. */
	function isRoot(i)
	{
		needY();
		return fy[i] === rootY && fx[i] === 0 && fw[i] >= total;
	}

	function zoom(i)
	{
		if (!(fw[i] > 0))
			return;
		if (isRoot(i)) {
			unzoom();
			return;
		}
		zoomed = i;
		layout();
		if (term !== null)
			applySearch();
		setParams({ x: fgAttr(rects[i], "x") || String(fx[i]),
			y: rects[i].getAttribute("y") });
	}

	function unzoom()
	{
		zoomed = -1;
		layout();
		if (term !== null)
			applySearch();
		setParams({ x: null, y: null });
	}

	function showSearch(active)
	{
		if (!searchBtn)
			return;
		searchBtn.classList.toggle("show", active);
		searchBtn.textContent = active ? "Reset Search" : "Search";
	}

	function search(t)
	{
		term = t;
		showSearch(true);
		applySearch();
		setParams({ s: t });
	}

	function resetSearch()
	{
		term = null;
		showSearch(false);
		applySearch();
		setParams({ s: null });
	}

	function searchPrompt()
	{
		var t;

		if (term !== null) {
			resetSearch();
			return;
		}
		t = window.prompt("Enter a search term (regexp allowed, eg: ^ext4_)" +
			(ignoreCase ? ", ignoring case" : "") +
			"\nPress Ctrl-i to toggle case sensitivity", "");
		if (t !== null && t !== "")
			search(t);
	}

	function setIgnoreCase(on)
	{
		ignoreCase = on;
		if (icBtn)
			icBtn.classList.toggle("show", on);
	}

	function toggleIgnoreCase()
	{
		setIgnoreCase(!ignoreCase);
		setParams({ ic: ignoreCase ? "1" : null });
		if (term !== null)
			applySearch();
	}

	/* The details line: the tooltip, and for a differential frame its
	 * counts in both profiles and the relative change. */
	function describe(i)
	{
		var s, bt, at, b, a, d;

		nameAt(i);
		s = opt.nametype + " " + titles[i];
		bt = fgAttr(rects[i], "before");
		at = fgAttr(rects[i], "after");
		b = parseFloat(bt);
		a = parseFloat(at);
		if (isNaN(b) || isNaN(a))
			return s;
		s += " before " + group(bt) + ", after " + group(at) + ", ";
		if (b === 0)
			return s + (a === 0 ? "no change" : "new");
		if (a === 0)
			return s + "-100% (vanished)";
		d = 100 * (a - b) / b;
		return s + (d > 0 ? "+" : "") + d.toFixed(1) + "%";
	}

	function frameOf(node)
	{
		var i;

		while (node && node.parentNode !== frames)
			node = node.parentNode;
		if (!node)
			return -1;
		i = index.get(node);
		return i === undefined ? -1 : i;
	}

	/* Fluid drawing: the image is as wide as its viewport, so #frames
	 * and the right-hand texts follow the width. */
	function fitWidth()
	{
		var w = root.getBoundingClientRect().width, k;

		if (!(w > 0))
			w = window.innerWidth;
		frameWidth = Math.max(w - 2 * opt.xpad, 1);
		frames.setAttribute("width", String(frameWidth));
		for (k = 0; k < rightControls.length; k++)
			rightControls[k].el.setAttribute("x",
				String(w - rightControls[k].offset));
	}

	function onResize()
	{
		if (resizePending)
			return;
		resizePending = true;
		window.requestAnimationFrame(function () {
			resizePending = false;
			fitWidth();
			layout();
		});
	}

	function onKey(e)
	{
		var ctrl = (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
		var k = e.key;

		if (k === "F3" || e.keyCode === 114 ||
		    (ctrl && (k === "f" || k === "F" || e.keyCode === 70))) {
			e.preventDefault();
			searchPrompt();
		} else if (ctrl && (k === "i" || k === "I" || e.keyCode === 73)) {
			e.preventDefault();
			toggleIgnoreCase();
		}
	}

	function listen()
	{
		frames.addEventListener("click", function (e) {
			var i = frameOf(e.target);

			if (i < 0)
				return;
			/* A frame that is a link (--nameattr href) follows it;
			 * Ctrl-click zooms instead. */
			if (els[i].localName === "a" && !(e.ctrlKey || e.metaKey))
				return;
			e.preventDefault();
			zoom(i);
		});
		if (details) {
			frames.addEventListener("mouseover", function (e) {
				var i = frameOf(e.target);

				if (i >= 0)
					details.textContent = describe(i);
			});
			frames.addEventListener("mouseout", function (e) {
				var i = frameOf(e.target);

				if (i >= 0 && frameOf(e.relatedTarget) !== i)
					details.textContent = " ";
			});
		}
		if (unzoomBtn)
			unzoomBtn.addEventListener("click", function () {
				unzoom();
			});
		if (searchBtn)
			searchBtn.addEventListener("click", searchPrompt);
		if (icBtn)
			icBtn.addEventListener("click", toggleIgnoreCase);
		window.addEventListener("keydown", onKey);
		if (opt.fluid)
			window.addEventListener("resize", onResize);
	}

	/* Restore a shared view: ?x=&y= zoom, ic=1, s=TERM (empty values are
	 * ignored). */
	function restore()
	{
		var p, x, y, s, i;

		try {
			p = new URLSearchParams(window.location.search);
		} catch (e) {
			return;
		}
		if (p.get("ic") === "1")
			setIgnoreCase(true);
		x = p.get("x");
		y = p.get("y");
		if (x && y) {
			needY();
			x = parseFloat(x);
			y = parseFloat(y);
			for (i = 0; i < count; i++) {
				if (fx[i] === x && fy[i] === y) {
					if (fw[i] > 0 && !isRoot(i))
						zoomed = i;
					break;
				}
			}
		}
		s = p.get("s");
		if (s) {
			term = s;
			showSearch(true);
		}
	}

	return function (evt) {
		var t = evt && evt.target;
		var ids = ["search", "matched", "ignorecase"], k, el, w0;

		if (started)
			return;
		started = true;
		/* Standalone or embedded with <object>, the document is the SVG;
		 * an inline <svg> in HTML is the event's target. */
		root = t && t.localName === "svg" ? t : document.documentElement;
		frames = byId("frames");
		details = byId("details");
		unzoomBtn = byId("unzoom");
		searchBtn = byId("search");
		matchedText = byId("matched");
		icBtn = byId("ignorecase");
		if (!frames)
			return;
		readFrames();
		setupMeasure();
		frameWidth = parseFloat(frames.getAttribute("width")) || 1;
		if (opt.fluid) {
			w0 = parseFloat(root.getAttribute("width"));
			for (k = 0; k < ids.length; k++) {
				el = byId(ids[k]);
				if (el && w0 > 0)
					rightControls.push({ el: el,
						offset: w0 - (parseFloat(el.getAttribute("x")) || 0) });
			}
			/* 100% rather than no width: the same for a document of
			 * its own, and an inline <svg> in HTML would otherwise
			 * fall back to 300 pixels. */
			root.setAttribute("width", "100%");
			root.removeAttribute("viewBox");
			fitWidth();
		}
		listen();
		restore();
		layout();
		if (term !== null)
			applySearch();
	};
}());
