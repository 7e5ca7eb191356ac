// The live gallery: renders the state pushed over /events into four views (gallery, compare, webtoon reader, blog)
// and a details panel; a click on a draft (or a layout) picks it, a turnaround sheet's button drops or restores it;
// the keyboard moves through drafts.
"use strict";
window.zflowLoaded = {};   // task id -> {url, at}: when each shown image finished loading (tests and benchmarks)
window.zflowState = null;

const $ = (id) => document.getElementById(id);
const VIEWS = ["gallery", "compare", "reader", "blog"];
const ui = {view: "gallery", arg: "", focus: null, details: null, detailsUrl: null};

function esc(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

function picture(url, task, alt) {
  return `<img src="${esc(url)}" alt="${esc(alt)}" data-task="${esc(task)}" loading="eager" decoding="async">`;
}

function figure(image, label, extra = "", attrs = "") {
  const cls = `${extra} ${image.state}`.trim();
  const body = image.url
    ? picture(image.url, image.id, image.id)
    : `<div class="empty" data-task="${esc(image.id)}">${image.state === "running" ? "building…" : "not built"}</div>`;
  const title = image.error ? ` title="${esc(image.error)}"` : "";
  const info = image.url ? `<button class="info" data-details="${esc(image.id)}" title="details (i)">i</button>` : "";
  return `<figure class="${cls}" data-id="${esc(image.id)}"${attrs}${title}>${body}<figcaption>${esc(label)} ${info}</figcaption></figure>`;
}

function draftFigure(item, d, i) {
  const picked = item.pick === i + 1;
  return figure(d, `draft ${i + 1}${picked ? " · picked" : ""}`, `draft${picked ? " picked" : ""}`,
    ` data-scene="${esc(item.uid)}" data-draft="${i + 1}"`);
}

function layoutFigure(item, l, i) {
  // A layout variant: its frame (a click picks it) and links to its control maps.
  const picked = item.layout_pick === i + 1;
  const maps = Object.entries(l.maps || {}).map(([name, url]) => `<a class="map" href="${esc(url)}">${esc(name)}</a>`);
  return figure(l, `layout ${i + 1}${picked ? " · picked" : ""}`, `layout${picked ? " picked" : ""}`,
    ` data-scene="${esc(item.uid)}" data-layout="${i + 1}"`).replace("</figcaption>", ` ${maps.join(" ")}</figcaption>`);
}

function characterFigure(c) {
  // A character's sheet or train task; a turnaround sheet has a button that drops it from (or restores it to) training;
  // one the recipe drops says where, and why only an edit there restores it (its restore button is disabled).
  const label = c.id.split("/").slice(1).join(" ") + (c.dropped ? " · dropped" : "");
  const shown = figure(c, label, c.dropped ? `dropped${c.recipe_drop ? " recipe-dropped" : ""}` : "");
  if (!c.turnaround) return shown;
  const button = c.recipe_drop
    ? `<button class="drop" disabled title="${esc(c.recipe_drop)}">restore</button><small class="why">${esc(c.recipe_drop)}</small>`
    : `<button class="drop" data-sheet="${esc(c.id)}" data-drop="${!c.dropped}">${c.dropped ? "restore" : "drop"}</button>`;
  return shown.replace("</figcaption>", ` ${button}</figcaption>`);
}

function finalOf(item) {
  const all = [...item.drafts, item.refine, ...item.edits].filter(Boolean);
  return all.find((image) => image.id === item.final) || null;
}

function scene(item) {
  const drafts = item.drafts.map((d, i) => draftFigure(item, d, i)).join("");
  const layouts = (item.layouts || []).map((l, i) => layoutFigure(item, l, i)).join("");
  const later = [];
  if (item.control) later.push(figure(item.control, `control: ${item.control.id.split("/").pop().slice(8)}`, "control"));
  if (item.contact) later.push(figure(item.contact, "contact sheet", "contact"));
  if (item.refine) later.push(figure(item.refine, "refined", "refine"));
  item.edits.forEach((e) => later.push(figure(e, e.id.split("/").pop(), "edit")));
  const compare = item.drafts.length > 1
    ? `<button class="compare" data-compare="scene:${esc(item.uid)}">compare drafts</button>` : "";
  return `<section class="scene" data-scene="${esc(item.uid)}"><h3>${esc(item.title)} <small>${esc(item.uid)}</small> ${compare}</h3>
    ${layouts ? `<div class="row layouts">${layouts}</div>` : ""}
    <div class="row drafts">${drafts}</div><div class="row later">${later.join("")}</div></section>`;
}

function exportsOf(list) {
  if (!list.length) return "";
  const items = list.map((exp) => {
    const files = exp.files.map((f) => f.image
      ? `<a href="${esc(f.url)}">${picture(f.url, exp.id, f.name)}</a>`
      : `<a href="${esc(f.url)}">${esc(f.name)}</a>`).join(" ");
    return `<figure class="export ${exp.state}" data-id="${esc(exp.id)}"><figcaption>${esc(exp.id)}</figcaption><div class="row">${files || '<div class="empty">not built</div>'}</div></figure>`;
  });
  return `<h2>exports</h2><div class="exports">${items.join("")}</div>`;
}

function variantsOf(state) {
  if (!state.variants.length) return "";
  const buttons = state.variants.map((v) =>
    `<button class="compare" data-compare="styles:${esc(v.id)}">${esc(v.id)}: ${v.scenes.map(esc).join(" / ")}</button>`);
  return `<h2>style variants</h2><div class="row">${buttons.join("")}</div>`;
}

// ---- the views -----------------------------------------------------------------------------------------------------

function galleryView(state) {
  const parts = [variantsOf(state)];
  parts.push(...state.series.map((s) => `<h2>${esc(s.name)}</h2>${s.scenes.map(scene).join("")}`));
  if (state.characters.length) parts.unshift(`<h2>characters</h2><div class="row">${state.characters.map(characterFigure).join("")}</div>`);
  parts.push(exportsOf(state.exports));
  return parts.join("");
}

function scenes(state) {
  return state.series.flatMap((s) => s.scenes);
}

function choice(id, options, current, empty) {
  if (!options.length) return `<p class="hint">${empty}</p>`;
  const items = options.map(([value, label]) =>
    `<option value="${esc(value)}"${value === current ? " selected" : ""}>${esc(label)}</option>`);
  return `<select id="${id}">${items.join("")}</select>`;
}

function compareView(state) {
  const all = scenes(state);
  const options = [...all.filter((s) => s.drafts.length > 1).map((s) => [`scene:${s.uid}`, `drafts of ${s.uid}`]),
                   ...state.variants.map((v) => [`styles:${v.id}`, `styles of ${v.id}: ${v.scenes.join(" / ")}`])];
  const current = options.some(([value]) => value === ui.arg) ? ui.arg : (options[0] || [""])[0];
  const head = choice("compare-what", options, current,
    "nothing to compare yet: give a scene drafts=2 or more, or declare the same scene id in two series (style A/B)");
  let columns = "";
  if (current.startsWith("scene:")) {
    const item = all.find((s) => s.uid === current.slice(6));
    const cells = item.drafts.map((d, i) => draftFigure(item, d, i).replace("</figcaption>",
      ` <button class="pick" data-scene="${esc(item.uid)}" data-draft="${i + 1}">pick</button></figcaption>`));
    const last = finalOf(item);
    if (last && !item.drafts.includes(last)) cells.push(figure(last, `final: ${last.id.split("/").pop()}`, "final"));
    columns = cells.join("");
  } else if (current.startsWith("styles:")) {
    const group = state.variants.find((v) => v.id === current.slice(7));
    columns = group.scenes.map((uid) => {
      const item = all.find((s) => s.uid === uid);
      const last = item && finalOf(item);
      return last ? figure(last, `${item.series}: ${last.id.split("/").pop()}`, "variant", ` data-scene="${esc(uid)}"`)
                  : `<figure class="variant"><div class="empty">${esc(uid)} not built</div></figure>`;
    }).join("");
  }
  return `<div class="toolbar">${head}</div><div class="side-by-side">${columns}</div>`;
}

function slices(exp) {
  return exp.files.filter((f) => f.image && !f.path.includes("/thumbnails/") && /\/\d+\.(jpe?g|png|webp)$/i.test(f.path))
    .sort((a, b) => a.path.localeCompare(b.path));
}

function chosenExport(state, exporter, view, empty) {
  // The exports of one exporter, the one the address names (else the first), and the menu to choose another.
  const found = state.exports.filter((e) => e.exporter === exporter);
  const current = found.some((e) => e.id === ui.arg) ? ui.arg : (found[0] || {}).id;
  const menu = choice(`${view}-what`, found.map((e) => [e.id, e.id]), current, empty);
  return [found.find((e) => e.id === current), `<div class="toolbar">${menu}</div>`];
}

function readerView(state) {
  const [exp, head] = chosenExport(state, "webtoon", "reader",
    "no webtoon export yet: add webtoon(series) or webtoon(scenes, name=...) to a recipe");
  const strip = exp ? slices(exp).map((f) => picture(f.url, exp.id, f.name)).join("") : "";
  return `${head}<div class="strip">${strip || (exp ? '<p class="hint">not built yet</p>' : "")}</div>`;
}

function blogView(state) {
  const [post, head] = chosenExport(state, "blog", "blog", "no blog export yet: add blog(series, title=...) to a recipe");
  const page = post && post.files.find((f) => /(^|\/)index\.html$/.test(f.path));
  const text = post && post.files.find((f) => /\.(md|markdown)$/.test(f.path));
  const body = page ? `<iframe id="blog-frame" title="${esc(post.id)}" src="${esc(page.url)}"></iframe>`
    : text ? `<pre id="blog-text" data-src="${esc(text.url)}"></pre>` : (post ? '<p class="hint">not built yet</p>' : "");
  return `${head}${body}`;
}

// ---- rendering -----------------------------------------------------------------------------------------------------

function replace(container, html) {
  // Images already loaded stay (the same node): a new render never blanks a picture or restarts its download.
  const loaded = new Map([...container.querySelectorAll("img")].filter((i) => i.complete && i.naturalWidth)
    .map((i) => [i.getAttribute("src"), i]));
  const frame = container.querySelector("iframe");
  container.innerHTML = html;
  for (const img of container.querySelectorAll("img")) {
    const old = loaded.get(img.getAttribute("src"));
    if (old) { loaded.delete(img.getAttribute("src")); img.replaceWith(old); }
  }
  const fresh = container.querySelector("iframe");
  if (frame && fresh && frame.getAttribute("src") === fresh.getAttribute("src")) fresh.replaceWith(frame);
  for (const img of container.querySelectorAll("img")) {
    const mark = () => {
      const url = img.getAttribute("src"), seen = window.zflowLoaded[img.dataset.task];
      if (img.naturalWidth && (!seen || seen.url !== url)) window.zflowLoaded[img.dataset.task] = {url, at: Date.now()};
    };
    if (img.complete) mark(); else img.addEventListener("load", mark, {once: true});
  }
  const text = container.querySelector("#blog-text");
  if (text) fetch(text.dataset.src).then((r) => r.text()).then((t) => { text.textContent = t; });
}

function status(state) {
  const build = state.build, header = document.querySelector("header"), progress = $("progress");
  const changed = build.changed.length ? ` · ${build.changed.join(", ")}` : "";
  progress.hidden = !build.running;
  header.classList.toggle("failing", Boolean(state.error));
  header.classList.toggle("failed", !state.error && Boolean(build.last && build.last.failed));
  if (state.error) {
    const where = state.error.file ? ` in ${state.error.file}:${state.error.line ?? 0}` : "";
    $("status").textContent = `error${where}: showing the last good results`;
  } else if (build.running) {
    progress.max = Math.max(1, build.total);
    progress.value = build.done;
    $("status").textContent = `building ${build.done}/${build.total}${changed}`;
  } else {
    const last = build.last;
    $("status").textContent = last
      ? `${last.ran} ran, ${last.cached} cached, ${last.failed} failed in ${last.seconds.toFixed(2)}s${changed}` : "idle";
  }
}

function render(state) {
  window.zflowState = state;
  $("project").textContent = state.project;
  status(state);
  const error = $("error");
  if (state.error) {
    const where = state.error.file ? `<span class="where">${esc(state.error.file)}:${esc(state.error.line ?? 0)}</span>: ` : "";
    error.innerHTML = `${where}${esc(state.error.error)}`;
    error.hidden = false;
  } else {
    error.hidden = true;
    error.textContent = "";
  }
  renderViews();
}

function renderViews() {
  const state = window.zflowState;
  if (!state) return;
  for (const view of VIEWS) $(view).hidden = view !== ui.view;
  for (const link of document.querySelectorAll("#views a")) link.classList.toggle("current", link.dataset.view === ui.view);
  replace($("gallery"), galleryView(state));
  if (ui.view === "compare") replace($("compare"), compareView(state));
  if (ui.view === "reader") replace($("reader"), readerView(state));
  if (ui.view === "blog") replace($("blog"), blogView(state));
  showFocus(false);
  if (ui.details) refreshDetails();
}

// ---- details -------------------------------------------------------------------------------------------------------

function imageOf(taskId) {
  for (const img of document.querySelectorAll("img[data-task]")) if (img.dataset.task === taskId) return img.getAttribute("src");
  return null;
}

async function openDetails(taskId) {
  ui.details = taskId;
  ui.detailsUrl = imageOf(taskId);
  const panel = $("details");
  panel.hidden = false;
  panel.innerHTML = `<p>loading ${esc(taskId)}…</p>`;
  const response = await fetch(`/api/details?task=${encodeURIComponent(taskId)}`);
  const data = await response.json();
  if (ui.details !== taskId) return;
  if (!response.ok) { panel.innerHTML = `<button class="close">close</button><p>${esc(data.error)}</p>`; return; }
  const rows = [["prompt", data.prompt], ["negative", data.negative], ["seed", data.seed], ["model", data.model],
                ["backend", data.backend], ["steps", data.steps ?? "—"], ["guidance", data.guidance ?? "—"],
                ["size", (data.size || []).join("×")],
                ["kind", data.kind], ["key", data.key]];
  const parts = data.parts || {};
  const keyParts = {impl: parts.impl, model: parts.model, params: parts.params, inputs: parts.inputs, files: parts.files};
  const url = ui.detailsUrl;
  panel.innerHTML = `<button class="close" title="close (Esc)">close</button><h3>${esc(taskId)}</h3>
    ${url ? `<img class="zoomable" src="${esc(url)}" alt="${esc(taskId)}" title="click to zoom">` : ""}
    <dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd class="${k}">${esc(v)}</dd>`).join("")}</dl>
    <h4>key parts</h4><pre class="parts">${esc(JSON.stringify(keyParts, null, 2))}</pre>`;
}

function refreshDetails() {
  if (imageOf(ui.details) !== ui.detailsUrl) openDetails(ui.details);
}

function closeDetails() {
  ui.details = null;
  $("details").hidden = true;
  $("details").innerHTML = "";
}

// ---- actions -------------------------------------------------------------------------------------------------------

async function drop(sheet, dropped) {
  $("status").textContent = `${dropped ? "dropping" : "restoring"} ${sheet}…`;
  const response = await fetch("/api/pick", {method: "POST", headers: {"Content-Type": "application/json"},
                                             body: JSON.stringify({sheet, drop: dropped})});
  if (!response.ok) $("status").textContent = (await response.json()).error;
}

async function pick(sceneUid, number, what = "draft") {
  $("status").textContent = `picking ${what} ${number} of ${sceneUid}…`;
  const response = await fetch("/api/pick", {method: "POST", headers: {"Content-Type": "application/json"},
                                             body: JSON.stringify({scene: sceneUid, [what]: number})});
  if (!response.ok) $("status").textContent = (await response.json()).error;
}

function onClick(event) {
  const info = event.target.closest("button.info");
  if (info) return openDetails(info.dataset.details);
  const compare = event.target.closest("button.compare");
  if (compare) { location.hash = `#compare/${compare.dataset.compare}`; return; }
  const dropButton = event.target.closest("button.drop");
  if (dropButton) return drop(dropButton.dataset.sheet, dropButton.dataset.drop === "true");
  const pickButton = event.target.closest("button.pick");
  if (pickButton) return pick(pickButton.dataset.scene, Number(pickButton.dataset.draft));
  const layout = event.target.closest("#gallery figure.layout");
  if (layout && event.target.closest("img")) return pick(layout.dataset.scene, Number(layout.dataset.layout), "layout");
  const draft = event.target.closest("#gallery figure.draft");
  if (draft && event.target.closest("img")) {
    ui.focus = draft.dataset.id;
    showFocus(false);
    return pick(draft.dataset.scene, Number(draft.dataset.draft));
  }
  const img = event.target.closest("main figure img");
  if (img && img.dataset.task) openDetails(img.dataset.task);
}

function drafts() {
  return [...document.querySelectorAll("#gallery figure.draft")];
}

function showFocus(scroll) {
  let focused = null;
  for (const fig of drafts()) {
    const on = fig.dataset.id === ui.focus;
    fig.classList.toggle("focused", on);
    if (on) focused = fig;
  }
  if (focused && scroll) focused.scrollIntoView({block: "nearest", inline: "nearest"});
  return focused;
}

function move(dx, dy) {
  const all = drafts();
  if (!all.length) return;
  const at = all.findIndex((f) => f.dataset.id === ui.focus);
  let next = at < 0 ? 0 : at + dx;
  if (dy && at >= 0) {
    const sceneIds = [...new Set(all.map((f) => f.dataset.scene))];
    const target = sceneIds[sceneIds.indexOf(all[at].dataset.scene) + dy];
    const same = all.filter((f) => f.dataset.scene === target);
    if (same.length) next = all.indexOf(same[Math.min(same.length - 1, Number(all[at].dataset.draft) - 1)]);
    else next = at;
  }
  ui.focus = all[Math.max(0, Math.min(all.length - 1, next))].dataset.id;
  showFocus(true);
}

function zoom(step) {
  const input = $("zoom");
  input.value = String(Number(input.value) + step * Number(input.step));
  applyZoom();
}

function applyZoom() {
  document.documentElement.style.setProperty("--thumb", `${$("zoom").value}px`);
  try { localStorage.setItem("zflow-thumb", $("zoom").value); } catch (e) { /* private windows */ }
}

function onKey(event) {
  if (event.target.closest("input, select, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
  const keys = {ArrowRight: () => move(1, 0), ArrowLeft: () => move(-1, 0), ArrowDown: () => move(0, 1),
                ArrowUp: () => move(0, -1), "+": () => zoom(1), "=": () => zoom(1), "-": () => zoom(-1)};
  const focused = showFocus(false);
  if (event.key in keys) {
    if (event.key.startsWith("Arrow") && ui.view !== "gallery") return;
    keys[event.key]();
  } else if ((event.key === "Enter" || event.key === " ") && focused) {
    pick(focused.dataset.scene, Number(focused.dataset.draft));
  } else if (event.key === "i" && focused) {
    if (ui.details === focused.dataset.id) closeDetails(); else openDetails(focused.dataset.id);
  } else if (event.key === "c" && focused) {
    location.hash = `#compare/scene:${focused.dataset.scene}`;
  } else if (event.key === "Escape") {
    if (ui.details) closeDetails(); else if (ui.view !== "gallery") location.hash = "#gallery";
  } else {
    return;
  }
  event.preventDefault();
}

function onHash() {
  const [view, ...rest] = location.hash.replace(/^#/, "").split("/");
  ui.view = VIEWS.includes(view) ? view : "gallery";
  ui.arg = decodeURIComponent(rest.join("/"));
  renderViews();
}

document.addEventListener("click", onClick);
document.addEventListener("keydown", onKey);
document.addEventListener("change", (event) => {
  const what = {"compare-what": "compare", "reader-what": "reader", "blog-what": "blog"}[event.target.id];
  if (what) location.hash = `#${what}/${event.target.value}`;
});
$("details").addEventListener("click", (event) => {
  if (event.target.closest("button.close")) closeDetails();
  else if (event.target.closest("img.zoomable")) event.target.classList.toggle("zoomed");
});
$("zoom").addEventListener("input", applyZoom);
try { $("zoom").value = localStorage.getItem("zflow-thumb") || $("zoom").value; } catch (e) { /* private windows */ }
applyZoom();
window.addEventListener("hashchange", onHash);
onHash();

function connect() {
  const source = new EventSource("/events");
  source.addEventListener("state", (event) => render(JSON.parse(event.data)));
  source.onerror = () => { $("status").textContent = "reconnecting…"; };
}
connect();
