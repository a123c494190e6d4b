// Video beside its transcript. Everything happens in the browser: no Streamlit rerun per
// time update. Cue text is only ever set through textContent, never parsed as HTML.
// Streamlit may call this function again on the same DOM with new data (without cleanup),
// so the DOM is built once per root and refreshed when the data key changes.

function fmt(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(2, "0"), ss = String(r).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

// Index of the cue covering time t, or -1 (cues are sorted by start).
function cueAt(cues, t) {
  let lo = 0, hi = cues.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cues[mid].start <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
  }
  return found >= 0 && t < cues[found].end ? found : -1;
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function build(root, data) {
  const labels = data.labels || {};
  const wrap = el("div", "vp-root");
  wrap.dataset.key = data.key;
  const video = el("video", "vp-video");
  video.controls = true;
  video.preload = "metadata";
  if (data.captions_url) {
    // The transcript as subtitles of the video itself: full-screen playback keeps them.
    const captions = new URL(data.captions_url, document.baseURI);
    if (captions.origin !== window.location.origin) video.crossOrigin = "anonymous";
    const track = el("track");
    track.kind = "subtitles";
    track.label = labels.captions || "Subtitles";
    if (data.language) track.srclang = data.language;
    track.src = captions.href;
    track.default = true;
    video.append(track);
  }
  if (data.poster_url) video.poster = data.poster_url;
  video.src = data.video_url;
  video.setAttribute("aria-label", labels.video || "Video");
  const side = el("div", "vp-side");
  const search = el("div", "vp-search");
  const input = el("input");
  input.type = "search";
  input.placeholder = labels.search || "Search";
  input.setAttribute("aria-label", labels.search || "Search");
  const prev = el("button", null, "↑");
  prev.setAttribute("aria-label", labels.previous || "Previous");
  const next = el("button", null, "↓");
  next.setAttribute("aria-label", labels.next || "Next");
  const count = el("span", "vp-count", "");
  count.setAttribute("aria-live", "polite");
  search.append(input, prev, next, count);
  const list = el("ol", "vp-cues");
  list.setAttribute("aria-label", labels.transcript || "Transcript");
  const cues = data.cues || [];
  if (!cues.length) list.append(el("li", "vp-empty", labels.empty || ""));
  const items = cues.map((cue, i) => {
    const li = el("li", "vp-cue");
    li.tabIndex = 0;
    li.dataset.index = String(i);
    li.dataset.start = String(cue.start);
    const body = el("span", "vp-body");
    if (cue.speaker) body.append(el("span", "vp-speaker", cue.speaker));
    body.append(el("span", "vp-text", cue.text));
    li.append(el("span", "vp-time", fmt(cue.start)), body);
    list.append(li);
    return li;
  });
  side.append(search, list);
  wrap.append(video, side);
  root.append(wrap);

  let active = -1, matches = [], current = -1;
  const seek = (t) => { video.currentTime = t; };
  const setActive = (i) => {
    if (i === active) return;
    if (active >= 0) { items[active].classList.remove("vp-active"); items[active].removeAttribute("aria-current"); }
    active = i;
    if (i >= 0) {
      items[i].classList.add("vp-active");
      items[i].setAttribute("aria-current", "true");
      const top = items[i].offsetTop - list.offsetTop, bottom = top + items[i].offsetHeight;
      if (top < list.scrollTop || bottom > list.scrollTop + list.clientHeight) list.scrollTop = top - list.clientHeight / 3;
    }
  };
  video.addEventListener("timeupdate", () => setActive(cueAt(cues, video.currentTime)));
  video.addEventListener("seeked", () => setActive(cueAt(cues, video.currentTime)));
  list.addEventListener("click", (ev) => {
    const li = ev.target.closest(".vp-cue");
    if (li) { seek(Number(li.dataset.start)); setActive(Number(li.dataset.index)); }
  });
  list.addEventListener("keydown", (ev) => {
    const li = ev.target.closest(".vp-cue");
    if (!li) return;
    const i = Number(li.dataset.index);
    if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); seek(cues[i].start); setActive(i); }
    if (ev.key === "ArrowDown" && items[i + 1]) { ev.preventDefault(); items[i + 1].focus(); }
    if (ev.key === "ArrowUp" && items[i - 1]) { ev.preventDefault(); items[i - 1].focus(); }
  });

  // Search: split each cue's text into text nodes and <mark> nodes, all through textContent.
  const highlight = (query) => {
    matches = [];
    const q = query.trim().toLocaleLowerCase();
    items.forEach((li, i) => {
      const span = li.querySelector(".vp-text");
      const text = cues[i].text;
      span.textContent = "";
      if (!q) { span.textContent = text; return; }
      const lower = text.toLocaleLowerCase();
      let from = 0, at = lower.indexOf(q, from);
      while (at >= 0) {
        span.append(document.createTextNode(text.slice(from, at)));
        const mark = el("mark", null, text.slice(at, at + q.length));
        span.append(mark);
        matches.push({ mark, index: i });
        from = at + q.length;
        at = lower.indexOf(q, from);
      }
      span.append(document.createTextNode(text.slice(from)));
    });
    current = -1;
    update();
  };
  const update = () => {
    count.textContent = input.value.trim() ? `${matches.length ? current + 1 : 0} / ${matches.length}` : "";
    prev.disabled = next.disabled = matches.length === 0;
  };
  const jump = (step) => {
    if (!matches.length) return;
    if (current >= 0) matches[current].mark.classList.remove("vp-current");
    current = (current + step + matches.length) % matches.length;
    const { mark, index } = matches[current];
    mark.classList.add("vp-current");
    items[index].scrollIntoView({ block: "nearest" });
    seek(cues[index].start);
    setActive(index);
    update();
  };
  input.addEventListener("input", () => highlight(input.value));
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); jump(ev.shiftKey ? -1 : 1); }
  });
  prev.addEventListener("click", () => jump(-1));
  next.addEventListener("click", () => jump(1));
  update();

  if (data.query) {
    input.value = data.query;
    highlight(data.query);
  }
  if (data.start_at > 0) {
    setActive(cueAt(cues, data.start_at)); // the line is marked and in view before the video loads
    const first = matches.findIndex((m) => m.index === active);
    if (first >= 0) { current = first; matches[first].mark.classList.add("vp-current"); update(); }
    const go = () => seek(data.start_at);
    if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, { once: true });
  }
}

export default function ({ data, parentElement }) {
  const existing = parentElement.querySelector(".vp-root");
  if (existing && existing.dataset.key === data.key) return;
  if (existing) existing.remove();
  build(parentElement, data);
}
