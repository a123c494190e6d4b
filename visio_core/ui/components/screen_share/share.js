// Screen share in the embedded room: getDisplayMedia, a send-only RTCPeerConnection of its own,
// and the dashboard's /api/rooms/<id>/screen routes (offer → answer, stop, status).
//
// The camera call is the room_call component's; this connection carries the screen only, so
// starting or stopping a share never touches the call. Streamlit calls this function again
// on every rerun without the previous cleanup, so the share lives on its root element.
// Texts are set with textContent, never parsed as HTML.

const POLL_MS = 2000;

class ScreenShare {
  constructor(parent, data) {
    this.data = data;
    this.root = el("div", "vss-root");
    this.root.__share = this;
    this.button = el("button", "vss-button");
    this.button.type = "button";
    this.button.addEventListener("click", () => (this.pc ? this.stop(true) : this.start(false)));
    this.takeover = el("button", "vss-button vss-takeover");
    this.takeover.type = "button";
    this.takeover.addEventListener("click", () => this.start(true));
    this.status = el("span", "vss-status");
    this.status.setAttribute("role", "status");
    this.message = el("div", "vss-message");
    this.message.setAttribute("role", "alert");
    this.root.append(this.button, this.takeover, this.status, this.message);
    parent.appendChild(this.root);
    this.sharer = null;
    this.busy = false;
    this.epoch = 0; // bumped by every start and stop: a status asked for before one is stale
    this.render();
    this.poll();
    this.timer = setInterval(() => this.poll(), POLL_MS);
  }

  get L() {
    return this.data.labels;
  }

  render() {
    const mine = Boolean(this.pc);
    this.button.textContent = mine ? this.L.stop : this.L.start;
    const other = this.sharer && !mine;
    this.button.disabled = this.busy || Boolean(other && !this.data.operator);
    this.takeover.textContent = this.L.take_over;
    this.takeover.hidden = !(other && this.data.operator);
    this.takeover.disabled = this.busy;
    this.status.textContent = mine ? this.L.sharing : other ? fill(this.L.other, { name: this.sharer }) : this.L.help;
  }

  say(text) {
    this.message.textContent = text || "";
  }

  post(path, body) {
    return postTab(this.data.url + path, this.data.ticket, body, false);
  }

  async poll() {
    if (!this.root.isConnected) return;
    const epoch = this.epoch;
    try {
      const { ok, json } = await this.post("/status", {});
      if (!ok || epoch !== this.epoch) return;
      this.sharer = json.sharer || null;
      if (this.pc && !this.busy && !json.mine) {
        // Taken over by the operator (or the server ended it): stop sending.
        this.end();
        if (json.taken_over_by) this.say(fill(this.L.taken_over, { name: json.taken_over_by }));
      }
      this.render();
    } catch (error) {
      // The dashboard is unreachable for a moment: the next poll tries again.
    }
  }

  async start(takeover) {
    if (this.busy) return;
    this.busy = true;
    this.epoch += 1;
    this.say("");
    this.render();
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({
        video: { frameRate: { ideal: this.data.max_fps, max: this.data.max_fps } },
        audio: false,
      });
    } catch (error) {
      this.busy = false;
      this.say(this.L.denied);
      this.render();
      return;
    }
    const track = stream.getVideoTracks()[0];
    const pc = new RTCPeerConnection(this.data.rtc || {});
    this.pc = pc;
    this.stream = stream;
    track.addEventListener("ended", () => this.pc === pc && this.stop(true)); // Chrome's "Stop sharing" bar
    // Sent at most at the size the room's grid shows it (its screen area) and at its rate (12.5 fps):
    // the server decodes no more than it composes, which keeps a share cheap for everyone in the call.
    const { width = 0, height = 0 } = track.getSettings();
    const scale = Math.max(1, width / this.data.max_width, height / this.data.max_height);
    pc.addTransceiver(track, {
      direction: "sendonly",
      streams: [stream],
      sendEncodings: [{ scaleResolutionDownBy: scale, maxFramerate: this.data.max_fps }],
    });
    this.status.textContent = this.L.connecting;
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const { ok, json } = await this.post("", { sdp: pc.localDescription.sdp, takeover: Boolean(takeover) });
      if (!ok) throw new Error(json.error || "");
      await pc.setRemoteDescription({ type: "answer", sdp: json.sdp });
      pc.addEventListener("connectionstatechange", () => {
        if (this.pc === pc && pc.connectionState === "failed") this.stop(true);
      });
      this.sharer = null;
    } catch (error) {
      this.end();
      this.say(error && error.message ? error.message : fill(this.L.failed, { detail: String(error) }));
    }
    this.busy = false;
    this.epoch += 1;
    this.render();
  }

  async stop(tell) {
    this.epoch += 1;
    this.end();
    this.render();
    if (tell) {
      try {
        await this.post("/stop", {});
      } catch (error) {
        // The connection is closed anyway: the server ends the share when its track ends.
      }
    }
    this.poll();
  }

  end() {
    const pc = this.pc;
    const stream = this.stream;
    this.pc = null;
    this.stream = null;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    if (pc) pc.close();
  }

  destroy() {
    clearInterval(this.timer);
    if (this.pc) this.stop(true);
    this.root.remove();
  }
}

export default function ({ data, parentElement }) {
  const existing = parentElement.querySelector(".vss-root");
  const current = existing && existing.__share;
  if (current && current.data.ticket === data.ticket && current.data.url === data.url) {
    current.data = data;
    current.render();
    return () => scheduleEnd(current);
  }
  if (current) current.destroy();
  else if (existing) existing.remove();
  const share = new ScreenShare(parentElement, data);
  return () => scheduleEnd(share);
}

// Streamlit's cleanup: end only if the element is really gone (a rerun keeps the same DOM).
function scheduleEnd(share) {
  setTimeout(() => {
    if (!share.root.isConnected) share.destroy();
  }, 300);
}
