// What every page shares: the token kept after login, fetching the API with it, showing
// problems, and drawing SVG charts. Pages call OT.* once the document is parsed.
"use strict";

(function () {
  const TOKEN = "opentos.token";
  const USER = "opentos.user";
  const SVG_NS = "http://www.w3.org/2000/svg";

  class Problem extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  function token() {
    return sessionStorage.getItem(TOKEN);
  }

  function signIn(accessToken, user) {
    sessionStorage.setItem(TOKEN, accessToken);
    sessionStorage.setItem(USER, user);
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(USER);
  }

  let leaving = false;

  // To the login page, which comes back here once logged in; once, however many
  // requests were refused.
  function toLogin() {
    if (leaving) return;
    leaving = true;
    const here = location.pathname + location.search;
    location.assign("/login?next=" + encodeURIComponent(here));
  }

  // True when a token is kept; else off to the login page (no request made).
  function requireLogin() {
    if (token() === null) {
      toLogin();
      return false;
    }
    return true;
  }

  async function problemOf(response) {
    let detail = response.statusText || "HTTP " + response.status;
    try {
      const body = await response.json();
      if (body && typeof body.detail === "string") detail = body.detail;
    } catch (_ignored) {
      // not a problem document: keep the status text
    }
    return new Problem(response.status, detail);
  }

  // GET (or send) an API path with the token; a 401 forgets it and goes to the login page.
  async function fetchApi(path, options = {}) {
    const headers = new Headers(options.headers || {});
    const kept = token();
    if (kept !== null && options.anonymous !== true) headers.set("Authorization", "Bearer " + kept);
    const response = await fetch(path, { ...options, headers });
    if (response.status === 401 && options.anonymous !== true) {
      signOut();
      toLogin();
      throw new Problem(401, "log in again");
    }
    if (!response.ok) throw await problemOf(response);
    return response;
  }

  async function api(path, options) {
    return (await fetchApi(path, options)).json();
  }

  // An SVG drawing of the API as an object URL, for an <img>.
  async function imageUrl(path) {
    const blob = await (await fetchApi(path)).blob();
    return URL.createObjectURL(blob);
  }

  function showProblem(error) {
    const box = document.getElementById("problem");
    if (error instanceof Problem && error.status === 401) return; // leaving for the login page
    box.textContent = error instanceof Error ? error.message : String(error);
    box.hidden = false;
  }

  function clearProblem() {
    const box = document.getElementById("problem");
    box.textContent = "";
    box.hidden = true;
  }

  function el(tag, attrs = {}, parent = null, text = null) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== null) node.textContent = text;
    if (parent !== null) parent.appendChild(node);
    return node;
  }

  function svg(tag, attrs = {}, parent = null, text = null) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== null) node.textContent = text;
    if (parent !== null) parent.appendChild(node);
    return node;
  }

  function row(tbody, cells) {
    const tr = el("tr", {}, tbody);
    for (const c of cells) el("td", {}, tr, c === null || c === undefined ? "" : String(c));
    return tr;
  }

  // "2026-03-01 07:00" from an ISO time, in UTC.
  function when(iso) {
    if (!iso) return "";
    return new Date(iso).toISOString().slice(0, 16).replace("T", " ");
  }

  function day(iso) {
    return new Date(iso).toISOString().slice(0, 10);
  }

  function params() {
    return new URLSearchParams(location.search);
  }

  // A bar chart: one <rect class="bar"> per item, its value on top, labels below.
  function barChart(container, items, options = {}) {
    container.replaceChildren();
    const width = 720, height = 240, left = 44, bottom = 36, top = 16;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "bars" }, container);
    svg("title", {}, chart, options.title || "bar chart");
    const max = Math.max(1, ...items.map((i) => i.value));
    const plotW = width - left - 8, plotH = height - top - bottom;
    axes(chart, left, top, plotW, plotH, max);
    const step = plotW / Math.max(1, items.length);
    items.forEach((item, n) => {
      const h = (item.value / max) * plotH;
      const x = left + n * step + step * 0.15;
      const bar = svg("rect", {
        class: "bar", x, y: top + plotH - h, width: step * 0.7, height: h,
        "data-key": item.key ?? item.label, "data-value": item.value,
      }, chart);
      svg("title", {}, bar, `${item.label}: ${item.value}`);
      if (options.onClick) {
        bar.classList.add("clickable");
        bar.addEventListener("click", () => options.onClick(item));
      }
      svg("text", { x: x + step * 0.35, y: top + plotH - h - 4, class: "value" }, chart, String(item.value));
      if (items.length <= 31 || n % Math.ceil(items.length / 31) === 0) {
        svg("text", { x: x + step * 0.35, y: height - bottom + 16, class: "label" }, chart, item.label);
      }
    });
    return chart;
  }

  // A line chart: one <polyline class="line"> through a <circle class="point"> per item.
  function lineChart(container, items, options = {}) {
    container.replaceChildren();
    const width = 720, height = 240, left = 44, bottom = 36, top = 16;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "lines" }, container);
    svg("title", {}, chart, options.title || "line chart");
    const max = Math.max(1, ...items.map((i) => i.value));
    const plotW = width - left - 8, plotH = height - top - bottom;
    axes(chart, left, top, plotW, plotH, max);
    const step = plotW / Math.max(1, items.length);
    const points = items.map((item, n) => [left + step * (n + 0.5), top + plotH - (item.value / max) * plotH]);
    svg("polyline", { class: "line", points: points.map((p) => p.join(",")).join(" ") }, chart);
    items.forEach((item, n) => {
      const [x, y] = points[n];
      const dot = svg("circle", { class: "point", cx: x, cy: y, r: 4, "data-value": item.value }, chart);
      svg("title", {}, dot, `${item.label}: ${item.value}`);
      if (items.length <= 24 || n % Math.ceil(items.length / 24) === 0) {
        svg("text", { x, y: height - bottom + 16, class: "label" }, chart, item.label);
      }
    });
    return chart;
  }

  function axes(chart, left, top, plotW, plotH, max) {
    svg("line", { class: "axis", x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH }, chart);
    svg("line", { class: "axis", x1: left, y1: top, x2: left, y2: top + plotH }, chart);
    svg("text", { x: left - 6, y: top + 4, class: "tick" }, chart, String(max));
    svg("text", { x: left - 6, y: top + plotH, class: "tick" }, chart, "0");
  }

  function start() {
    const who = sessionStorage.getItem(USER);
    const button = document.getElementById("logout");
    if (who !== null && token() !== null) {
      document.getElementById("signed-in").textContent = who;
      button.hidden = false;
    }
    button.addEventListener("click", () => {
      signOut();
      location.assign("/login");
    });
  }

  window.OT = {
    Problem, token, signIn, signOut, requireLogin, toLogin, api, fetchApi, imageUrl,
    showProblem, clearProblem, el, svg, row, when, day, params, barChart, lineChart,
  };
  document.addEventListener("DOMContentLoaded", start);
})();
