// The embedded room's camera call: getUserMedia, one send-and-receive RTCPeerConnection, and the
// dashboard's /api/rooms/<id>/call routes (offer → answer; /leave frees the seat; /state is the
// room's live state: roster, this tab's seat, whether the meeting is still on).
//
// Reconnection: when the connection fails, or stays "disconnected" for DISCONNECTED_MS, the page
// closes it and negotiates a new one with the same local tracks (aiortc cannot restart ICE),
// after 1, 2, 4… seconds (at most RETRY_MAX_MS), until it is back or the user leaves. The server
// keeps the seat meanwhile and the new offer replaces the old connection there.
//
// Streamlit calls this function again on every rerun without the previous cleanup, so the call
// lives on its root element; when the component is no longer rendered (the meeting ended, another
// page), its cleanup hangs up and stops the camera and microphone. Texts are set with
// textContent, never parsed as HTML.

const DISCONNECTED_MS = 3000;
const CONNECT_TIMEOUT_MS = 20000; // a new connection not up by then is tried again (generous: a loaded server is slow)
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 5000;
// The room's live state (who is in, whether this tab's seat waits for it, whether the meeting is
// still on) is polled from /state rather than by rerunning the Streamlit page: a script run costs
// the dashboard far more than this small request. 2 s: the end reaches everyone within 5 s.
const STATE_POLL_MS = 2000;

class Refused extends Error {} // the server said no (4xx): trying again would not help

class RoomCall {
  constructor(parent, data) {
    this.data = data;
    this.root = el("div", "vrc-root");
    this.root.__call = this;
    this.video = el("video", "vrc-video");
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.setAttribute("playsinline", "");
    this.controls = el("div", "vrc-controls");
    this.join = this.button("vrc-primary", () => (this.joined ? this.leave() : this.start()));
    this.mic = this.button("", () => this.toggle("audio"));
    this.camera = this.button("", () => this.toggle("video"));
    this.cameraPick = this.picker("videoinput");
    this.micPick = this.picker("audioinput");
    this.status = el("span", "vrc-status");
    this.status.setAttribute("role", "status");
    this.message = el("div", "vrc-message");
    this.message.setAttribute("role", "alert");
    this.controls.append(this.join, this.mic, this.camera, this.cameraPick.box, this.micPick.box, this.status);
    this.roster = el("div", "vrc-roster");
    this.roster.setAttribute("aria-live", "polite");
    this.seatLost = el("div", "vrc-seat-lost");
    this.seatLost.setAttribute("aria-live", "polite"); // not role="status": that is the call's state line
    this.root.append(this.roster, this.seatLost, this.video, this.controls, this.message);
    parent.appendChild(this.root);
    this.stream = null; // the camera and microphone, kept across reconnections
    this.pc = null;
    this.busy = false;
    this.joined = false; // the user wants to be in the call (until "Quitter")
    this.state = "out"; // out | connecting | connected | lost
    this.attempts = 0;
    this.timer = null;
    this.onPageHide = () => this.joined && this.tellLeave(true);
    window.addEventListener("pagehide", this.onPageHide);
    this.over = false; // the meeting ended: the page is rerun to show what comes after
    this.showState(data.state);
    this.poller = setInterval(() => this.poll(), STATE_POLL_MS);
    this.render();
  }

  async poll() {
    if (this.polling || this.over) return;
    this.polling = true;
    try {
      const { ok, json } = await this.post("/state", {});
      if (ok) this.showState(json);
      else if (json.live === false) this.meetingOver();
      // Anything else (the dashboard restarting, a network hiccup): the next poll asks again.
    } catch (error) {
      // Same: offline for a moment.
    } finally {
      this.polling = false;
    }
  }

  showState(state) {
    if (!state || !Array.isArray(state.roster)) return;
    const L = this.L;
    const names = state.roster.map((p) => (p.connected ? p.name : fill(L.reconnecting_name, { name: p.name })));
    this.roster.textContent = names.length ? fill(L.in_room, { names: names.join(", ") }) : L.nobody;
    this.seatLost.textContent = state.lost ? L.reconnecting : "";
  }

  // The operator ended the meeting (here or elsewhere): media stop now, and the page is rerun
  // (a trigger) so that it shows the ended notice and the recording's link instead of the room.
  meetingOver() {
    this.over = true;
    clearInterval(this.poller);
    this.end(false);
    this.status.textContent = this.L.over;
    this.join.hidden = true;
    if (this.trigger) this.trigger("ended", true);
  }

  get L() {
    return this.data.labels;
  }

  button(cls, onClick) {
    const node = el("button", `vrc-button ${cls}`.trim());
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  picker(kind) {
    const box = el("label", "vrc-device");
    const caption = el("span");
    const select = el("select");
    select.addEventListener("change", () => this.switchDevice(kind, select.value));
    box.append(caption, select);
    box.hidden = true;
    return { box, caption, select, kind };
  }

  track(kind) {
    return this.stream ? this.stream.getTracks().find((t) => t.kind === kind) : null;
  }

  render() {
    const L = this.L;
    this.join.textContent = this.joined ? L.stop : L.start;
    this.join.classList.toggle("vrc-primary", !this.joined);
    this.join.disabled = this.busy;
    this.video.setAttribute("aria-label", L.video);
    this.video.hidden = !this.joined; // no big empty frame before "Rejoindre"
    const mic = this.track("audio");
    const camera = this.track("video");
    this.mic.hidden = !this.joined || !mic;
    this.camera.hidden = !this.joined || !camera;
    this.mic.textContent = mic && !mic.enabled ? L.mic_on : L.mic_off;
    this.camera.textContent = camera && !camera.enabled ? L.camera_on : L.camera_off;
    this.cameraPick.caption.textContent = L.select_camera;
    this.micPick.caption.textContent = L.select_microphone;
    this.cameraPick.box.hidden = !this.joined || this.cameraPick.select.options.length < 2;
    this.micPick.box.hidden = !this.joined || this.micPick.select.options.length < 2;
    const text = { out: L.out, connecting: L.connecting, connected: L.connected, lost: L.lost }[this.state];
    this.status.textContent = text;
    this.status.classList.toggle("vrc-lost", this.state === "lost");
    this.root.dataset.state = this.state;
  }

  say(text) {
    this.message.textContent = text || "";
  }

  setState(state) {
    this.state = state;
    this.render();
  }

  post(path, body, keepalive) {
    return postTab(this.data.url + path, this.data.ticket, body, keepalive);
  }

  // "Rejoindre": the camera and microphone, then the call.
  async start() {
    if (this.busy || this.joined) return;
    this.say("");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.RTCPeerConnection) {
      this.say(this.L.no_media_api);
      return;
    }
    this.busy = true;
    this.status.textContent = this.L.ask_permission;
    try {
      this.stream = await navigator.mediaDevices.getUserMedia(this.data.media);
    } catch (error) {
      this.busy = false;
      const name = error && error.name;
      if (name === "NotAllowedError" || name === "SecurityError") this.say(this.L.media_denied);
      else if (name === "NotFoundError" || name === "OverconstrainedError") this.say(this.L.no_device);
      else this.say(fill(this.L.failed, { detail: (error && error.message) || String(error) }));
      this.setState("out");
      return;
    }
    this.busy = false;
    this.joined = true;
    this.attempts = 0;
    this.listDevices();
    this.connect();
  }

  // One negotiation: a new connection carrying the current tracks; on any failure, try again later.
  async connect() {
    clearTimeout(this.timer);
    if (!this.joined) return;
    this.closePc();
    this.setState(this.attempts ? "lost" : "connecting");
    const pc = new RTCPeerConnection(this.data.rtc || {});
    this.pc = pc;
    const remote = new MediaStream();
    for (const track of this.stream.getTracks()) {
      const init = { direction: "sendrecv", streams: [this.stream] };
      if (track.kind === "video" && this.data.camera_encoding) init.sendEncodings = [this.data.camera_encoding];
      pc.addTransceiver(track, init);
    }
    pc.addEventListener("track", (event) => {
      remote.addTrack(event.track);
      if (this.pc === pc && this.video.srcObject !== remote) this.video.srcObject = remote;
      this.video.play().catch(() => {}); // started from the "Rejoindre" click: playback is allowed
    });
    pc.addEventListener("connectionstatechange", () => this.watch(pc));
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      if (this.pc !== pc) return;
      const { ok, status, json } = await this.post("", { type: "offer", sdp: pc.localDescription.sdp });
      if (this.pc !== pc) return;
      if (!ok) {
        const text = json.error || fill(this.L.failed, { detail: `HTTP ${status}` });
        if (status >= 400 && status < 500) throw new Refused(text);
        throw new Error(text);
      }
      await pc.setRemoteDescription({ type: "answer", sdp: json.sdp });
      this.timer = setTimeout(() => this.pc === pc && pc.connectionState !== "connected" && this.retry(pc),
        CONNECT_TIMEOUT_MS);
    } catch (error) {
      if (this.pc !== pc) return;
      if (error instanceof Refused) {
        this.end(false);
        this.say(error.message);
        return;
      }
      this.retry(pc); // the dashboard or the network is away for a moment
    }
  }

  watch(pc) {
    if (this.pc !== pc) return;
    const state = pc.connectionState;
    if (state === "connected") {
      clearTimeout(this.timer);
      this.attempts = 0;
      this.say("");
      this.setState("connected");
    } else if (state === "failed") {
      this.retry(pc);
    } else if (state === "disconnected") {
      this.setState("lost");
      clearTimeout(this.timer);
      // Browsers often recover a short hiccup by themselves; past DISCONNECTED_MS we negotiate anew.
      this.timer = setTimeout(() => this.pc === pc && pc.connectionState !== "connected" && this.retry(pc),
        DISCONNECTED_MS);
    }
  }

  retry(pc) {
    if (this.pc !== pc || !this.joined) return;
    clearTimeout(this.timer);
    this.closePc();
    this.setState("lost");
    const delay = Math.min(RETRY_FIRST_MS * 2 ** this.attempts, RETRY_MAX_MS);
    this.attempts += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  toggle(kind) {
    const track = this.track(kind);
    if (!track) return;
    // A disabled track still sends: black frames and silence, so the room sees the camera off, not a drop.
    track.enabled = !track.enabled;
    this.render();
  }

  async listDevices() {
    if (!navigator.mediaDevices.enumerateDevices) return;
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      for (const pick of [this.cameraPick, this.micPick]) {
        const current = this.track(pick.kind === "videoinput" ? "video" : "audio");
        const chosen = current && current.getSettings().deviceId;
        pick.select.replaceChildren(
          ...devices.filter((d) => d.kind === pick.kind && d.deviceId).map((d, n) => {
            const option = el("option", "", d.label || `${pick.caption.textContent} ${n + 1}`);
            option.value = d.deviceId;
            option.selected = d.deviceId === chosen;
            return option;
          }),
        );
      }
    } catch (error) {
      // No list: the picker stays hidden, the default devices are used.
    }
    this.render();
  }

  // Another camera or microphone: swapped in the live call, no new negotiation.
  async switchDevice(kind, deviceId) {
    const type = kind === "videoinput" ? "video" : "audio";
    const old = this.track(type);
    if (!this.stream || !old) return;
    let fresh;
    try {
      const constraints = { [type]: { ...(this.data.media[type] || {}), deviceId: { exact: deviceId } } };
      fresh = (await navigator.mediaDevices.getUserMedia(constraints)).getTracks()[0];
    } catch (error) {
      this.say(error && error.name === "NotAllowedError" ? this.L.media_denied : this.L.no_device);
      return;
    }
    fresh.enabled = old.enabled;
    this.stream.removeTrack(old);
    this.stream.addTrack(fresh);
    old.stop();
    if (this.pc) {
      const sender = this.pc.getSenders().find((s) => s.track === old || (s.track && s.track.kind === type));
      if (sender) await sender.replaceTrack(fresh);
    }
    this.render();
  }

  // "Quitter": free the seat at once.
  async leave() {
    this.end(true);
  }

  end(tell) {
    const wasJoined = this.joined;
    this.joined = false;
    clearTimeout(this.timer);
    this.closePc();
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.video.srcObject = null;
    this.setState("out");
    if (tell && wasJoined) this.tellLeave(false);
  }

  tellLeave(unloading) {
    // keepalive: the request outlives the page when it is being closed (what sendBeacon does,
    // but with the JSON content type the route requires).
    this.post("/leave", {}, unloading).catch(() => {});
  }

  closePc() {
    const pc = this.pc;
    this.pc = null;
    if (pc) pc.close();
  }

  destroy() {
    clearInterval(this.poller);
    window.removeEventListener("pagehide", this.onPageHide);
    this.end(true);
    this.root.remove();
  }
}

export default function ({ data, parentElement, setTriggerValue }) {
  const existing = parentElement.querySelector(".vrc-root");
  const current = existing && existing.__call;
  if (current && current.data.ticket === data.ticket && current.data.url === data.url) {
    current.data = data;
    current.trigger = setTriggerValue;
    current.showState(data.state);
    current.render();
    return () => scheduleEnd(current);
  }
  if (current) current.destroy();
  else if (existing) existing.remove();
  const call = new RoomCall(parentElement, data);
  call.trigger = setTriggerValue;
  return () => scheduleEnd(call);
}

// Streamlit's cleanup: end only if the element is really gone (a rerun keeps the same DOM).
function scheduleEnd(call) {
  setTimeout(() => {
    if (!call.root.isConnected) call.destroy();
  }, 300);
}
