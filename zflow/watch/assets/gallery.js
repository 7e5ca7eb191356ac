// The live gallery: renders the state pushed over /events; a click on a draft picks it.
"use strict";
window.zflowLoaded = {};   // task id -> {url, at}: when each shown image finished loading (tests and benchmarks)
window.zflowState = null;

const $ = (id) => document.getElementById(id);

function esc(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

function figure(image, label, extra = "", attrs = "") {
  const cls = `${extra} ${image.state}`.trim();
  const body = image.url
    ? `<img src="${esc(image.url)}" alt="${esc(image.id)}" data-task="${esc(image.id)}">`
    : `<div class="empty" data-task="${esc(image.id)}">${image.state === "running" ? "building…" : "not built"}</div>`;
  const title = image.error ? ` title="${esc(image.error)}"` : "";
  return `<figure class="${cls}" data-id="${esc(image.id)}"${attrs}${title}>${body}<figcaption>${esc(label)}</figcaption></figure>`;
}

function scene(item) {
  const drafts = item.drafts.map((d, i) => figure(d, `draft ${i + 1}${item.pick === i + 1 ? " · picked" : ""}`,
    `draft${item.pick === i + 1 ? " picked" : ""}`, ` data-scene="${esc(item.uid)}" data-draft="${i + 1}"`)).join("");
  const later = [];
  if (item.contact) later.push(figure(item.contact, "contact sheet", "contact"));
  if (item.refine) later.push(figure(item.refine, "refined", "refine"));
  item.edits.forEach((e) => later.push(figure(e, e.id.split("/").pop(), "edit")));
  return `<section class="scene" data-scene="${esc(item.uid)}"><h3>${esc(item.title)} <small>${esc(item.uid)}</small></h3>
    <div class="row drafts">${drafts}</div><div class="row later">${later.join("")}</div></section>`;
}

function exportsOf(list) {
  if (!list.length) return "";
  const items = list.map((exp) => {
    const files = exp.files.map((f) => f.image
      ? `<a href="${esc(f.url)}"><img src="${esc(f.url)}" alt="${esc(f.name)}" data-task="${esc(exp.id)}"></a>`
      : `<a href="${esc(f.url)}">${esc(f.name)}</a>`).join(" ");
    return `<figure class="export ${exp.state}" data-id="${esc(exp.id)}"><figcaption>${esc(exp.id)}</figcaption><div class="row">${files || '<div class="empty">not built</div>'}</div></figure>`;
  });
  return `<h2>exports</h2><div class="exports">${items.join("")}</div>`;
}

function render(state) {
  window.zflowState = state;
  $("project").textContent = state.project;
  const build = state.build;
  const progress = $("progress");
  if (build.running) {
    progress.hidden = false;
    progress.max = Math.max(1, build.total);
    progress.value = build.done;
    $("status").textContent = `building ${build.done}/${build.total}` + (build.changed.length ? ` · ${build.changed.join(", ")}` : "");
  } else {
    progress.hidden = true;
    const last = build.last;
    $("status").textContent = last
      ? `${last.ran} ran, ${last.cached} cached, ${last.failed} failed in ${last.seconds.toFixed(2)}s` + (build.changed.length ? ` · ${build.changed.join(", ")}` : "")
      : "idle";
  }
  const error = $("error");
  if (state.error) {
    const where = state.error.file ? `<span class="where">${esc(state.error.file)}:${esc(state.error.line ?? 0)}</span>: ` : "";
    error.innerHTML = `${where}${esc(state.error.error)}`;
    error.hidden = false;
  } else {
    error.hidden = true;
    error.textContent = "";
  }
  const parts = state.series.map((s) => `<h2>${esc(s.name)}</h2>${s.scenes.map(scene).join("")}`);
  if (state.characters.length) parts.unshift(`<h2>characters</h2><div class="row">${state.characters.map((c) => figure(c, c.id.split("/")[1])).join("")}</div>`);
  parts.push(exportsOf(state.exports));
  $("gallery").innerHTML = parts.join("");
  for (const img of document.querySelectorAll("#gallery img")) {
    const mark = () => {
      const url = img.getAttribute("src"), seen = window.zflowLoaded[img.dataset.task];
      if (img.naturalWidth && (!seen || seen.url !== url)) window.zflowLoaded[img.dataset.task] = {url, at: Date.now()};
    };
    if (img.complete) mark(); else img.addEventListener("load", mark, {once: true});
  }
}

async function pick(sceneUid, draft) {
  $("status").textContent = `picking draft ${draft} of ${sceneUid}…`;
  const response = await fetch("/api/pick", {method: "POST", headers: {"Content-Type": "application/json"},
                                             body: JSON.stringify({scene: sceneUid, draft})});
  if (!response.ok) $("status").textContent = (await response.json()).error;
}

$("gallery").addEventListener("click", (event) => {
  const fig = event.target.closest("figure.draft");
  if (fig) pick(fig.dataset.scene, Number(fig.dataset.draft));
});

function connect() {
  const source = new EventSource("/events");
  source.addEventListener("state", (event) => render(JSON.parse(event.data)));
  source.onerror = () => { $("status").textContent = "reconnecting…"; };
}
connect();
