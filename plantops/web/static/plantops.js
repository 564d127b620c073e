/* PlantOps web app: form tokens on HTMX requests, and charts drawn with Apache ECharts.
 *
 * A chart is an element <div class="chart" data-chart="KIND"> holding a
 * <script type="application/json"> with what the server computed. KIND "option" is an
 * ECharts option as it is; "gantt" is a schedule drawn by ganttOption().
 */
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector('meta[name="csrf-token"]');
    if (token) event.detail.headers["X-CSRF-Token"] = token.content;
  });

  /* The menu button shows and hides the navigation on a phone. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".menu-button") : null;
    if (!button) return;
    var nav = button.closest(".nav");
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });

  /* On a phone a list's filters fold away unless some are set. */
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.matchMedia("(max-width: 820px)").matches) return;
    document.querySelectorAll("details.filter-box:not([data-keep-open])").forEach(function (box) { box.open = false; });
  });

  /* A menu marked data-submit-on-change submits its form when a choice is made. */
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-submit-on-change]")) event.target.form.requestSubmit();
  });

  /* A field with data-lookup suggests codes (by code or name, any case) from that address as one types. */
  var lookupTimer = null;
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("input[data-lookup]")) return;
    clearTimeout(lookupTimer);
    lookupTimer = setTimeout(function () {
      var list = document.getElementById(field.getAttribute("list"));
      if (!list || !field.value.trim()) return;
      fetch(field.dataset.lookup + "?q=" + encodeURIComponent(field.value.trim()), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { list.innerHTML = html; });
    }, 180);
  });

  /* A button or link marked data-confirm asks before it acts (archiving, cancelling). */
  document.addEventListener("click", function (event) {
    var asking = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (asking && !window.confirm(asking.dataset.confirm)) event.preventDefault();
  }, true);

  /* A button marked data-print prints the page (the dispatch list is the shop floor's paper). */
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  var palette = ["#0f6cbd", "#2e9d6a", "#e3a21a", "#c62828", "#7a5cc2", "#1a9fb0", "#d9622b", "#5d6b7a"];

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function when(ms) {
    var d = new Date(ms);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* A Gantt chart: one row per lane (a work center unit or an order), a bar per operation or setup,
   * and behind the bars each unit's non-working time (grey) and downtimes (red).
   * data = {lanes: [name...], places: [{work_center, unit} | null per lane],
   *         bars: [{lane, start, end, kind: "run"|"setup", late, label, order, sequence, work_center, url,
   *                 movable, details: {..}}],
   *         shading: [{lane, start, end, down}], now: ms, movable} with times in epoch milliseconds.
   * A bar shows its order number where it has room; a click opens its order's page; dragging a movable
   * bar to another time (or unit of its work center) fills the move form (#op-move-form) and submits it. */
  var GANTT_SNAP_MS = 15 * 60 * 1000;  // a dragged start snaps to the quarter hour
  var GANTT_WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

  function ganttTime(ms) {
    var d = new Date(ms);
    return GANTT_WEEKDAYS[d.getDay()] + " " + pad(d.getDate()) + "." + pad(d.getMonth() + 1) + ". " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  /* A local ISO time with the browser's offset, e.g. 2026-12-08T06:00+01:00, as the move form reads it. */
  function ganttIso(ms) {
    var d = new Date(ms);
    var offset = -d.getTimezoneOffset();
    var sign = offset < 0 ? "-" : "+";
    offset = Math.abs(offset);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes()) + sign + pad(Math.floor(offset / 60)) + ":" + pad(offset % 60);
  }

  function ganttSubmitMove(bar, start, place) {
    var form = document.getElementById("op-move-form");
    if (!form) return;
    form.querySelector('[name="order"]').value = bar.order;
    form.querySelector('[name="step"]').value = bar.sequence;
    form.querySelector('[name="start"]').value = ganttIso(start);
    form.querySelector('[name="unit"]').value = place && place.work_center === bar.work_center ? place.unit : "";
    form.requestSubmit();
  }

  /* Clicks and drags on the bars of the chart drawn on `zr` (bound once per chart). */
  function ganttPointer(zr, data) {
    if (zr.plantopsGantt) return;
    zr.plantopsGantt = true;
    var chart = echarts.getInstanceByDom(zr.dom);
    if (!chart) return;
    var drag = null;
    var ghost = null;
    function dropAt(held, event) {
      var x = chart.convertToPixel({ seriesIndex: 0 }, [held.bar.start, held.bar.lane])[0] + event.offsetX - held.x;
      var point = chart.convertFromPixel({ seriesIndex: 0 }, [x, event.offsetY]);
      var lane = Math.max(0, Math.min(data.lanes.length - 1, Math.round(point[1])));
      return { start: Math.round(point[0] / GANTT_SNAP_MS) * GANTT_SNAP_MS, lane: lane };
    }
    chart.on("mousedown", { seriesIndex: 0 }, function (p) {
      var bar = p.data && p.data.bar;
      if (bar) drag = { bar: bar, x: p.event.offsetX, y: p.event.offsetY, moved: false };
    });
    zr.on("mousemove", function (event) {
      if (!drag || !drag.bar.movable) return;
      if (!drag.moved && Math.abs(event.offsetX - drag.x) + Math.abs(event.offsetY - drag.y) < 5) return;
      drag.moved = true;
      var target = dropAt(drag, event);
      var from = chart.convertToPixel({ seriesIndex: 0 }, [target.start, target.lane]);
      var to = chart.convertToPixel({ seriesIndex: 0 }, [target.start + drag.bar.end - drag.bar.start, target.lane]);
      var height = chart.convertToPixel({ seriesIndex: 0 }, [target.start, 1])[1] - chart.convertToPixel({ seriesIndex: 0 }, [target.start, 0])[1];
      var shape = { x: from[0], y: from[1] - Math.abs(height) * 0.35, width: Math.max(to[0] - from[0], 2), height: Math.abs(height) * 0.7 };
      if (!ghost) {
        ghost = new echarts.graphic.Rect({ shape: shape, silent: true, z: 1000,
          style: { fill: "rgba(15, 108, 189, 0.25)", stroke: "#0f6cbd", lineWidth: 1.5, lineDash: [4, 3] } });
        zr.add(ghost);
      } else {
        ghost.setShape(shape);
      }
    });
    zr.on("mouseup", function (event) {
      if (!drag) return;
      var done = drag;
      drag = null;
      if (ghost) { zr.remove(ghost); ghost = null; }
      if (!done.moved) {
        if (done.bar.url) window.location.assign(done.bar.url);
        return;
      }
      var target = dropAt(done, event);
      ganttSubmitMove(done.bar, target.start, data.places[target.lane]);
    });
  }

  function ganttOption(data) {
    var rows = data.bars.map(function (b) {
      return { value: [b.lane, b.start, b.end, b.kind, b.late ? 1 : 0], bar: b };
    });
    var shades = (data.shading || []).map(function (s) {
      return { value: [s.lane, s.start, s.end, s.down ? 1 : 0] };
    });
    function box(params, api, share) {
      var lane = api.value(0);
      var start = api.coord([api.value(1), lane]);
      var end = api.coord([api.value(2), lane]);
      var height = api.size([0, 1])[1] * share;
      return echarts.graphic.clipRectByRect(
        { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 1), height: height },
        { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height }
      );
    }
    function renderItem(params, api) {
      if (api.getZr) ganttPointer(api.getZr(), data);
      var setup = api.value(3) === "setup";
      var rect = box(params, api, setup ? 0.45 : 0.7);
      if (!rect) return null;
      var late = api.value(4) === 1;
      var bar = data.bars[params.dataIndex];
      var shape = {
        type: "rect",
        transition: ["shape"],
        shape: rect,
        cursor: bar.movable ? "move" : "pointer",
        style: {
          fill: setup ? "#f2c14e" : late ? "#d64545" : "#2f7fd0",
          stroke: late ? "#8e1b1b" : setup ? "#b8860b" : "#1b5a99",
          lineWidth: late ? 1.5 : 0.6,
          opacity: setup ? 0.85 : 0.95,
        },
      };
      var label = bar.order;
      if (setup || rect.width < label.length * 6.5 + 8 || rect.height < 11) return shape;
      return {
        type: "group",
        children: [shape, {
          type: "text", silent: true,
          style: { text: label, x: rect.x + 4, y: rect.y + rect.height / 2, verticalAlign: "middle",
            fill: "#fff", font: "600 11px sans-serif" },
        }],
      };
    }
    function renderShade(params, api) {
      var rect = box(params, api, 1);
      if (!rect) return null;
      var down = api.value(3) === 1;
      return { type: "rect", shape: rect, silent: true,
        style: { fill: down ? "rgba(214, 69, 69, 0.22)" : "rgba(93, 107, 122, 0.13)" } };
    }
    return {
      animation: false,
      grid: { left: 150, right: 30, top: 58, bottom: 70 },
      legend: { top: 5, data: ["operation", "late operation", "setup", "not working", "down"], selectedMode: false },
      tooltip: {
        confine: true,
        formatter: function (p) {
          var b = p.data && p.data.bar;
          if (!b) return "";
          var html = "<b>" + escapeHtml(b.label) + "</b><br>" + when(b.start) + " → " + when(b.end);
          Object.keys(b.details || {}).forEach(function (key) {
            html += "<br>" + escapeHtml(key) + ": " + escapeHtml(b.details[key]);
          });
          if (b.late) html += '<br><span style="color:#c62828">late</span>';
          html += '<br><span style="color:#5d6b7a">click: open the order' + (b.movable ? "; drag: move" : "") + "</span>";
          return html;
        },
      },
      dataZoom: [
        { type: "slider", xAxisIndex: 0, filterMode: "weakFilter", bottom: 15, height: 22 },
        { type: "inside", xAxisIndex: 0, filterMode: "weakFilter", moveOnMouseMove: !data.movable },
        { type: "slider", yAxisIndex: 0, filterMode: "weakFilter", right: 5, width: 14, show: data.lanes.length > 14 },
        { type: "inside", yAxisIndex: 0, filterMode: "weakFilter", zoomOnMouseWheel: false, moveOnMouseWheel: true,
          moveOnMouseMove: !data.movable },
      ],
      xAxis: { type: "time", position: "top", splitLine: { show: true, lineStyle: { color: "#eef1f5" } },
        axisLabel: { formatter: ganttTime, hideOverlap: true } },
      yAxis: { type: "category", data: data.lanes, inverse: true, axisLabel: { width: 135, overflow: "truncate" } },
      series: [
        { name: "operation", type: "custom", renderItem: renderItem, encode: { x: [1, 2], y: 0 }, data: rows, z: 3,
          markLine: data.now ? { silent: true, symbol: "none", lineStyle: { color: "#5d6b7a", type: "dashed" },
            label: { formatter: "now" }, data: [{ xAxis: data.now }] } : undefined },
        { name: "not working", type: "custom", renderItem: renderShade, encode: { x: [1, 2], y: 0 }, data: shades,
          silent: true, z: 1, tooltip: { show: false }, itemStyle: { color: "rgba(93, 107, 122, 0.35)" } },
        { name: "late operation", type: "custom", renderItem: function () { return null; }, data: [],
          itemStyle: { color: "#d64545" } },
        { name: "setup", type: "custom", renderItem: function () { return null; }, data: [],
          itemStyle: { color: "#f2c14e" } },
        { name: "down", type: "custom", renderItem: function () { return null; }, data: [],
          itemStyle: { color: "rgba(214, 69, 69, 0.5)" } },
      ],
    };
  }

  /* A forecast: history, statistical and published forecast as lines, each interval as a band.
   * data = {weeks, history, statistical, published, intervals: [{level, lower, upper}]} (widest first). */
  function forecastOption(data) {
    var series = [];
    data.intervals.forEach(function (band, n) {
      var stack = "interval " + band.level;
      series.push({ name: band.level + "% interval", type: "line", stack: stack, data: band.lower, symbol: "none",
        lineStyle: { opacity: 0 }, itemStyle: { color: "#0f6cbd", opacity: 0.12 + 0.12 * n }, silent: true });
      series.push({ name: band.level + "% interval", type: "line", stack: stack, symbol: "none", silent: true,
        data: band.upper.map(function (u, i) { return u === null || band.lower[i] === null ? null : u - band.lower[i]; }),
        lineStyle: { opacity: 0 }, itemStyle: { color: "#0f6cbd", opacity: 0.12 + 0.12 * n },
        areaStyle: { color: "#0f6cbd", opacity: 0.12 + 0.12 * n } });
    });
    series.push({ name: "history", type: "line", data: data.history, showSymbol: false, itemStyle: { color: "#1d2733" } });
    series.push({ name: "forecast", type: "line", data: data.statistical, showSymbol: false,
      itemStyle: { color: "#0f6cbd" }, lineStyle: { type: "dashed", width: 2 } });
    series.push({ name: "published", type: "line", data: data.published, showSymbol: false,
      itemStyle: { color: "#e3a21a" }, lineStyle: { width: 2 } });
    function number(v) { return v === null || v === undefined ? "" : Math.round(v * 100) / 100; }
    return {
      animation: false,
      legend: { top: 0, data: ["history", "forecast", "published"].concat(data.intervals.map(function (b) { return b.level + "% interval"; })) },
      grid: { left: 60, right: 20, top: 40, bottom: 60 },
      tooltip: {
        trigger: "axis",
        formatter: function (points) {
          var i = points[0].dataIndex;
          var html = "<b>week of " + data.weeks[i] + "</b>";
          if (data.history[i] !== null) html += "<br>sold: " + number(data.history[i]);
          if (data.statistical[i] !== null) html += "<br>forecast: " + number(data.statistical[i]);
          if (data.published[i] !== null) html += "<br>published: " + number(data.published[i]);
          data.intervals.forEach(function (b) {
            if (b.lower[i] !== null) html += "<br>" + b.level + "%: " + number(b.lower[i]) + " – " + number(b.upper[i]);
          });
          return html;
        },
      },
      xAxis: { type: "category", data: data.weeks, boundaryGap: false },
      yAxis: { type: "value", min: 0 },
      dataZoom: [{ type: "slider", bottom: 10, height: 18 }, { type: "inside" }],
      series: series,
    };
  }

  var builders = {
    option: function (data) { return Object.assign({ color: palette }, data); },
    gantt: ganttOption,
    forecast: forecastOption,
  };

  function drawCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var source = el.querySelector('script[type="application/json"]');
      if (!source) return;
      var data = JSON.parse(source.textContent);
      source.remove();
      var old = echarts.getInstanceByDom(el);
      if (old) old.dispose();
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(builders[el.dataset.chart](data));
    });
  }

  window.addEventListener("resize", function () {
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var chart = typeof echarts !== "undefined" && echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });

  /* Tabs that show one of several forms: <a data-show="form-id">. */
  document.addEventListener("click", function (event) {
    var tab = event.target.closest(".tabs a[data-show]");
    if (!tab) return;
    event.preventDefault();
    tab.parentNode.querySelectorAll("a[data-show]").forEach(function (other) {
      other.classList.toggle("active", other === tab);
      document.getElementById(other.dataset.show).hidden = other !== tab;
    });
  });

  /* BOM trees: open or close every level at once. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tree]");
    if (!button) return;
    var tree = document.getElementById(button.dataset.tree);
    var open = button.dataset.open === "true";
    tree.querySelectorAll("details").forEach(function (d) { d.open = open; });
  });

  /* ---- Print: <button data-print> prints the page (dispatch lists); inline scripts are not allowed. ---- */
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  /* ---- end of print ---- */

  if (window.htmx) {
    htmx.onLoad(drawCharts);
  } else {
    document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  }
})();
