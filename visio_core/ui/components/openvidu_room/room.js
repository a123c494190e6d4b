// The meeting room: one openvidu-browser session, the local publisher, a grid of subscribers.
//
// Streamlit calls this function again on the same DOM whenever the page reruns or the
// data changes, without calling the previous cleanup. So the room lives on its root
// element: the same token means "nothing to do", a new attempt (new token) replaces it.
// The cleanup Streamlit calls on unmount only leaves once the root is really detached.
// Names and messages are set with textContent, never parsed as HTML.

const STATUSES = ["connecting", "connected", "reconnecting", "disconnected", "error"];
const MEDIA_DENIED = new Set(["DEVICE_ACCESS_DENIED", "PERMISSION_DENIED", "NotAllowedError"]);
const MEDIA_MISSING = new Set([
  "INPUT_VIDEO_DEVICE_NOT_FOUND", "INPUT_AUDIO_DEVICE_NOT_FOUND", "NO_INPUT_SOURCE_SET",
  "DEVICE_ALREADY_IN_USE", "INPUT_AUDIO_DEVICE_GENERIC_ERROR", "NotFoundError", "NotReadableError",
]);

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function fill(template, values) {
  return String(template || "").replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

// The name OpenVidu carries in a connection's data: server data, or "client%/%server".
function nameOf(connection, fallback) {
  const raw = connection && typeof connection.data === "string" ? connection.data : "";
  const parts = raw.split("%/%");
  const name = parts[parts.length - 1].trim();
  return name || fallback;
}

function errorName(error) {
  return (error && (error.name || error.code)) || "";
}

function usedTokens() {
  if (!window.__visioOvUsedTokens) window.__visioOvUsedTokens = new Set();
  return window.__visioOvUsedTokens;
}

// window.__OV_FACTORY__ (tests) or the real library, loaded once per page.
function loadLibrary(url) {
  if (typeof window.__OV_FACTORY__ === "function") return Promise.resolve(window.__OV_FACTORY__);
  if (typeof window.OpenVidu === "function") return Promise.resolve(() => new window.OpenVidu());
  if (!window.__visioOvLoading) {
    window.__visioOvLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL(url, document.baseURI).href;
      script.async = true;
      script.onload = () => (typeof window.OpenVidu === "function" ? resolve() : reject(new Error("no OpenVidu")));
      script.onerror = () => reject(new Error("load failed"));
      document.head.appendChild(script);
    }).catch((error) => {
      window.__visioOvLoading = null; // a later retry may succeed
      throw error;
    });
  }
  return window.__visioOvLoading.then(() => () => new window.OpenVidu());
}

class Room {
  constructor(parent, data, bridge) {
    this.data = data;
    this.L = data.labels || {};
    this.bridge = bridge;
    this.status = null;
    this.session = null;
    this.ov = null;
    this.publisher = null; // camera (or screen) publisher currently published
    this.sharing = false;
    this.micOn = true;
    this.camOn = true;
    this.withMedia = true;
    this.closed = false;
    this.live = false; // connected to the session (until sessionDisconnected)
    this.tiles = new Map();
    this.build(parent);
  }

  // -- DOM ------------------------------------------------------------------------------
  build(parent) {
    const L = this.L;
    this.root = el("div", "ovr-root");
    this.root.dataset.attempt = String(this.data.attempt);
    this.root.__room = this;
    const bar = el("div", "ovr-statusbar");
    this.statusEl = el("span", "ovr-status");
    this.statusEl.setAttribute("role", "status");
    this.statusEl.setAttribute("aria-live", "polite");
    bar.append(this.statusEl);
    this.message = el("div", "ovr-message");
    this.message.setAttribute("role", "alert");
    this.message.hidden = true;
    this.messageText = el("p", "ovr-message-text");
    this.messageActions = el("div", "ovr-message-actions");
    this.message.append(this.messageText, this.messageActions);
    this.grid = el("div", "ovr-grid");
    this.grid.setAttribute("aria-label", "participants");
    this.waiting = el("p", "ovr-waiting", L.nobody || "");
    const controls = el("div", "ovr-controls");
    this.micBtn = this.button("ovr-mic", L.mic_on, () => this.toggleMic());
    this.camBtn = this.button("ovr-cam", L.cam_on, () => this.toggleCam());
    this.shareBtn = this.button("ovr-share", L.share_start, () => (this.sharing ? this.stopShare() : this.startShare()));
    this.mediaBtn = this.button("ovr-enable-media", L.enable_media, () => this.enableMedia());
    this.leaveBtn = this.button("ovr-leave", L.leave, () => this.leave());
    this.leaveBtn.classList.add("ovr-danger");
    this.mediaBtn.hidden = true;
    controls.append(this.micBtn, this.camBtn, this.shareBtn, this.mediaBtn, this.leaveBtn);
    this.controls = controls;
    this.root.append(bar, this.message, this.grid, this.waiting, controls);
    parent.append(this.root);
    this.refreshControls();
  }

  button(cls, label, onClick) {
    const b = el("button", `ovr-btn ${cls}`, label || "");
    b.type = "button";
    b.addEventListener("click", (ev) => {
      ev.preventDefault();
      onClick();
    });
    return b;
  }

  setStatus(status) {
    if (!STATUSES.includes(status) || this.closed) return;
    this.status = status;
    this.root.dataset.status = status;
    this.statusEl.textContent = this.L[status] || status;
    this.statusEl.className = `ovr-status ovr-status-${status}`;
    this.refreshControls();
    this.bridge.setState("status", status);
  }

  // A message with its buttons: [{label, cls, run}]
  showMessage(text, actions = [], kind = "error") {
    this.message.hidden = false;
    this.message.className = `ovr-message ovr-message-${kind}`;
    this.messageText.textContent = text;
    this.messageActions.replaceChildren(...actions.map((a) => this.button(`ovr-action ${a.cls}`, a.label, a.run)));
  }

  hideMessage() {
    this.message.hidden = true;
    this.messageText.textContent = "";
    this.messageActions.replaceChildren();
  }

  refreshControls() {
    const L = this.L;
    const live = this.status === "connected" || this.status === "reconnecting";
    const hasPub = Boolean(this.publisher);
    this.micBtn.disabled = !live || !hasPub || !this.withMedia;
    this.camBtn.disabled = !live || !hasPub || !this.withMedia || this.sharing;
    this.shareBtn.disabled = !live || (!this.sharing && this.busy);
    this.leaveBtn.disabled = !live;
    this.micBtn.textContent = this.micOn ? L.mic_on : L.mic_off;
    this.camBtn.textContent = this.camOn ? L.cam_on : L.cam_off;
    this.shareBtn.textContent = this.sharing ? L.share_stop : L.share_start;
    this.micBtn.setAttribute("aria-pressed", String(!this.micOn));
    this.camBtn.setAttribute("aria-pressed", String(!this.camOn));
    this.shareBtn.setAttribute("aria-pressed", String(this.sharing));
    this.micBtn.dataset.on = String(this.micOn);
    this.camBtn.dataset.on = String(this.camOn);
    // One publisher per connection: no camera while the screen is shared.
    this.mediaBtn.hidden = !(live && !this.withMedia && !this.sharing);
    this.controls.hidden = !(live || this.status === "connecting");
    this.waiting.hidden = !(this.status === "connected" && this.remoteCount() === 0);
  }

  remoteCount() {
    let n = 0;
    for (const tile of this.tiles.values()) if (!tile.local) n += 1;
    return n;
  }

  addTile(id, name, { local = false, screen = false } = {}) {
    this.removeTile(id);
    const tile = el("figure", "ovr-tile");
    tile.dataset.id = id;
    tile.dataset.local = String(local);
    if (screen) tile.classList.add("ovr-screen");
    const video = el("video", "ovr-video");
    video.autoplay = true;
    video.playsInline = true;
    if (local) video.muted = true; // never play one's own voice back
    const caption = el("figcaption", "ovr-name", name);
    tile.dataset.initial = (name.replace(/^[^\p{L}\p{N}]+/u, "")[0] || "?").toUpperCase();
    const flags = el("span", "ovr-flags");
    tile.append(video, caption, flags);
    this.grid.append(tile);
    const entry = { el: tile, video, caption, flags, local };
    this.tiles.set(id, entry);
    this.refreshControls();
    return entry;
  }

  removeTile(id) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    tile.video.srcObject = null;
    tile.el.remove();
    this.tiles.delete(id);
    this.refreshControls();
  }

  setFlags(id, audio, video) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    tile.el.dataset.audio = String(audio);
    tile.el.dataset.video = String(video);
    const badges = [];
    if (!audio) badges.push(el("span", "ovr-badge ovr-badge-muted", this.L.muted || "muted"));
    if (!video) badges.push(el("span", "ovr-badge ovr-badge-novideo", this.L.camera_off || "no video"));
    tile.flags.replaceChildren(...badges);
  }

  // -- session ----------------------------------------------------------------------------
  async start() {
    this.setStatus("connecting");
    if (usedTokens().has(this.data.token)) {
      // Back on the page with a token already spent: ask the server for a fresh one.
      this.bridge.trigger("action", { type: "rejoin", at: Date.now() });
      return;
    }
    let factory;
    try {
      factory = await loadLibrary(this.data.library_url);
    } catch (error) {
      this.fail(this.L.library_missing);
      return;
    }
    if (this.closed) return;
    try {
      this.ov = factory();
      if (typeof this.ov.enableProdMode === "function") this.ov.enableProdMode();
      this.session = this.ov.initSession();
    } catch (error) {
      this.fail(fill(this.L.connect_failed, { detail: error && error.message ? error.message : String(error) }));
      return;
    }
    this.wireSession();
    const choice = await this.preparePublisher();
    if (this.closed || choice === "abort") return;
    await this.connect();
  }

  wireSession() {
    const s = this.session;
    s.on("streamCreated", (event) => this.onStreamCreated(event));
    s.on("streamDestroyed", (event) => this.removeTile(event.stream.streamId));
    s.on("streamPropertyChanged", (event) => {
      const stream = event.stream;
      if (stream) this.setFlags(stream.streamId, stream.audioActive !== false, stream.videoActive !== false);
    });
    // Before the first successful connect the library also "reconnects" its websocket:
    // that is still "connecting" for the participant (the connect timeout decides).
    s.on("reconnecting", () => this.live && this.setStatus("reconnecting"));
    s.on("reconnected", () => this.live && this.setStatus("connected"));
    s.on("sessionDisconnected", (event) => this.onDisconnected(event && event.reason));
    s.on("exception", (event) => console.warn("OpenVidu exception", event && event.name, event && event.message));
    // Who speaks when: openvidu-browser detects it on every stream; each page reports its own
    // participant only, so every start and stop reaches the dashboard once.
    s.on("publisherStartSpeaking", (event) => this.spoke(event, "start"));
    s.on("publisherStopSpeaking", (event) => this.spoke(event, "stop"));
  }

  spoke(event, kind) {
    const mine = this.session && this.session.connection && event && event.connection
      && event.connection.connectionId === this.session.connection.connectionId;
    if (!mine || !this.data.speaking_url) return;
    (this.spoken = this.spoken || []).push({ kind, at: Date.now() });
    if (!this.speakTimer) this.speakTimer = setTimeout(() => this.reportSpeaking(), 2000);
  }

  // Sent in batches; `ago_ms` lets the server date each event with its own clock.
  reportSpeaking() {
    clearTimeout(this.speakTimer);
    this.speakTimer = null;
    const batch = (this.spoken || []).splice(0);
    if (!batch.length) return;
    const now = Date.now();
    fetch(new URL(this.data.speaking_url, document.baseURI), {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ events: batch.map((e) => ({ kind: e.kind, ago_ms: Math.max(0, now - e.at) })) }),
    }).catch((error) => console.warn("speaking report failed", error));
  }

  onStreamCreated(event) {
    const stream = event.stream;
    const screen = stream.typeOfVideo === "SCREEN";
    const name = nameOf(stream.connection, this.L.participant || "");
    const tile = this.addTile(stream.streamId, screen ? fill(this.L.screen_of, { name }) : name, { screen });
    try {
      const subscriber = this.session.subscribe(stream, undefined);
      subscriber.addVideoElement(tile.video);
    } catch (error) {
      console.warn("subscribe failed", error);
    }
    this.setFlags(stream.streamId, stream.audioActive !== false, stream.videoActive !== false);
  }

  // Camera and microphone before joining; on refusal, let the user choose.
  async preparePublisher() {
    while (!this.closed) {
      try {
        this.publisher = await this.makeCameraPublisher();
        this.withMedia = true;
        this.hideMessage();
        return "media";
      } catch (error) {
        this.publisher = null;
        const name = errorName(error);
        const text = MEDIA_DENIED.has(name) ? this.L.media_denied : MEDIA_MISSING.has(name) ? this.L.media_missing
          : `${this.L.media_missing} (${name || error})`;
        const choice = await new Promise((resolve) => {
          this.showMessage(text, [
            { label: this.L.retry, cls: "ovr-retry-media", run: () => resolve("retry") },
            { label: this.L.join_without_media, cls: "ovr-join-without", run: () => resolve("without") },
          ], "warning");
          this.pendingChoice = resolve;
        });
        this.pendingChoice = null;
        if (choice === "without") {
          this.withMedia = false;
          this.showMessage(this.L.no_media, [], "info");
          return "without";
        }
        if (choice === "abort") return "abort";
      }
    }
    return "abort";
  }

  makeCameraPublisher() {
    return this.ov.initPublisherAsync(undefined, {
      audioSource: undefined,
      videoSource: undefined,
      publishAudio: this.micOn,
      publishVideo: this.camOn,
      resolution: "640x480",
      frameRate: 24,
      insertMode: "APPEND",
      mirror: true,
    });
  }

  async connect() {
    const token = this.data.token;
    usedTokens().add(token);
    let timer;
    const timeout = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(this.L.timeout || "timeout")), this.data.connect_timeout_ms || 20000);
    });
    try {
      await Promise.race([this.session.connect(token), timeout]);
    } catch (error) {
      clearTimeout(timer);
      if (this.closed) return;
      try { this.session.disconnect(); } catch (e) { /* never connected */ }
      const detail = (error && (error.message || error.name)) || String(error);
      this.fail(fill(this.L.connect_failed, { detail }));
      return;
    }
    clearTimeout(timer);
    this.live = true;
    if (this.closed) return;
    this.setStatus("connected");
    if (this.publisher) await this.publishLocal(this.publisher);
    this.refreshControls();
  }

  async publishLocal(publisher, { screen = false } = {}) {
    const id = "local";
    const label = screen ? fill(this.L.screen_of, { name: fill(this.L.you, { name: this.data.name }) })
      : fill(this.L.you, { name: this.data.name });
    const tile = this.addTile(id, label, { local: true, screen });
    publisher.addVideoElement(tile.video);
    await this.session.publish(publisher);
    this.publisher = publisher;
    this.setFlags(id, this.micOn, screen || this.camOn);
  }

  fail(text) {
    this.setStatus("error");
    this.showMessage(text, [{ label: this.L.retry, cls: "ovr-retry", run: () => this.rejoin() }]);
  }

  onDisconnected(reason) {
    this.live = false;
    if (this.closed) return;
    this.publisher = null;
    this.sharing = false;
    for (const id of [...this.tiles.keys()]) this.removeTile(id);
    this.setStatus("disconnected");
    const L = this.L;
    if (reason === "sessionClosedByServer") {
      this.showMessage(L.session_closed, [], "info");
      this.bridge.trigger("action", { type: "ended", at: Date.now() });
      return;
    }
    const text = reason === "disconnect" ? L.left : reason === "forceDisconnectByServer" ? L.evicted : L.network_lost;
    const label = reason === "disconnect" ? L.rejoin : L.retry;
    this.showMessage(text, [{ label, cls: "ovr-rejoin", run: () => this.rejoin() }], reason === "disconnect" ? "info" : "error");
  }

  // -- controls -----------------------------------------------------------------------------
  toggleMic() {
    if (!this.publisher) return;
    this.micOn = !this.micOn;
    this.publisher.publishAudio(this.micOn);
    this.setFlags("local", this.micOn, this.sharing || this.camOn);
    this.refreshControls();
  }

  toggleCam() {
    if (!this.publisher || this.sharing) return;
    this.camOn = !this.camOn;
    this.publisher.publishVideo(this.camOn);
    this.setFlags("local", this.micOn, this.camOn);
    this.refreshControls();
  }

  async startShare() {
    if (this.sharing || this.busy) return;
    this.busy = true;
    this.refreshControls();
    let screen;
    try {
      screen = await this.ov.initPublisherAsync(undefined, {
        videoSource: "screen",
        audioSource: this.withMedia ? undefined : false,
        publishAudio: this.withMedia && this.micOn,
        publishVideo: true,
        insertMode: "APPEND",
        mirror: false,
      });
    } catch (error) {
      this.busy = false;
      this.showMessage(this.L.share_denied, [], "warning");
      this.refreshControls();
      return;
    }
    try {
      if (this.publisher) await this.session.unpublish(this.publisher);
      this.sharing = true;
      await this.publishLocal(screen, { screen: true });
      const track = screen.stream && screen.stream.getMediaStream && screen.stream.getMediaStream().getVideoTracks()[0];
      // The browser's own "stop sharing" button ends the track: come back to the camera.
      if (track) track.addEventListener("ended", () => this.stopShare(), { once: true });
      this.hideMessageIfInfo();
    } catch (error) {
      console.warn("screen share failed", error);
      this.showMessage(this.L.share_denied, [], "warning");
    } finally {
      this.busy = false;
      this.refreshControls();
    }
  }

  async stopShare() {
    if (!this.sharing || this.busy) return;
    this.busy = true;
    try {
      if (this.publisher) await this.session.unpublish(this.publisher);
      this.publisher = null;
      this.sharing = false;
      if (this.withMedia) {
        const camera = await this.makeCameraPublisher();
        await this.publishLocal(camera);
      } else {
        this.removeTile("local");
      }
    } catch (error) {
      console.warn("back to camera failed", error);
      this.removeTile("local");
      this.withMedia = false; // offer "enable camera and microphone" again
      this.showMessage(MEDIA_DENIED.has(errorName(error)) ? this.L.media_denied : this.L.media_missing, [], "warning");
    } finally {
      this.sharing = false;
      this.busy = false;
      this.refreshControls();
    }
  }

  async enableMedia() {
    if (this.withMedia || this.busy) return;
    this.busy = true;
    try {
      const camera = await this.makeCameraPublisher();
      this.withMedia = true;
      this.hideMessage();
      await this.publishLocal(camera);
    } catch (error) {
      const name = errorName(error);
      this.showMessage(MEDIA_DENIED.has(name) ? this.L.media_denied : this.L.media_missing, [], "warning");
    } finally {
      this.busy = false;
      this.refreshControls();
    }
  }

  hideMessageIfInfo() {
    if (this.message.classList.contains("ovr-message-warning")) this.hideMessage();
  }

  leave() {
    if (!this.session) return;
    this.reportSpeaking();
    this.bridge.trigger("action", { type: "left", at: Date.now() });
    try {
      this.session.disconnect(); // fires sessionDisconnected with reason "disconnect"
    } catch (error) {
      this.onDisconnected("disconnect");
    }
  }

  rejoin() {
    this.hideMessage();
    this.setStatus("connecting");
    this.bridge.trigger("action", { type: "rejoin", at: Date.now() });
  }

  // Torn down for good: a new attempt replaced it, or the component left the page.
  destroy() {
    if (this.closed) return;
    this.reportSpeaking();
    if (this.pendingChoice) this.pendingChoice("abort");
    this.closed = true;
    try {
      if (this.session && this.live) this.session.disconnect();
    } catch (error) {
      /* already gone */
    }
    if (this.publisher && typeof this.publisher.stream?.disposeMediaStream === "function") {
      try { this.publisher.stream.disposeMediaStream(); } catch (error) { /* ignore */ }
    }
    this.root.remove();
  }
}

export default function ({ data, parentElement, setStateValue, setTriggerValue }) {
  const bridge = window.__visioOvBridge || (window.__visioOvBridge = {});
  // The latest callbacks from Streamlit, used by the room living on the DOM.
  bridge.setState = (name, value) => setStateValue(name, value);
  bridge.trigger = (name, value) => setTriggerValue(name, value);

  const existing = parentElement.querySelector(".ovr-root");
  const current = existing && existing.__room;
  if (current && current.data.token === data.token && current.data.attempt === data.attempt) {
    current.L = data.labels || current.L;
    return () => scheduleLeave(current);
  }
  if (current) current.destroy();
  else if (existing) existing.remove();
  const room = new Room(parentElement, data, bridge);
  room.start();
  return () => scheduleLeave(room);
}

// Streamlit's cleanup: leave only if the room's element is really gone from the page
// (a rerun keeps the same DOM and must not drop the call).
function scheduleLeave(room) {
  setTimeout(() => {
    if (!room.root.isConnected) room.destroy();
  }, 300);
}
