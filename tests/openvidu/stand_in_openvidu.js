// A stand-in for openvidu-browser's OpenVidu object, injected before the page loads.
// It implements the part of the 2.32 API the room uses, records every call in
// window.__ov.log, and lets the test drive the server side (remote participants,
// reconnection, disconnection) through window.__ov.
(() => {
  const scenario = Object.assign(
    { denyMedia: null, denyScreen: false, connectError: null },
    window.__OV_SCENARIO__ || {}
  );
  const log = [];
  const record = (entry) => log.push(entry);

  function canvasStream(color, label) {
    const canvas = document.createElement("canvas");
    canvas.width = 320;
    canvas.height = 240;
    const g = canvas.getContext("2d");
    let frame = 0;
    const paint = () => {
      g.fillStyle = color;
      g.fillRect(0, 0, 320, 240);
      g.fillStyle = "#fff";
      g.font = "28px sans-serif";
      g.fillText(label, 16, 120);
      g.fillRect((frame * 4) % 320, 200, 24, 12);
      frame += 1;
    };
    paint();
    setInterval(paint, 100);
    return canvas.captureStream(10);
  }

  class Emitter {
    constructor() { this.handlers = {}; }
    on(type, fn) { (this.handlers[type] = this.handlers[type] || []).push(fn); return this; }
    once(type, fn) { const w = (e) => { this.off(type, w); fn(e); }; return this.on(type, w); }
    off(type, fn) { this.handlers[type] = (this.handlers[type] || []).filter((h) => h !== fn); return this; }
    emit(type, event) { (this.handlers[type] || []).slice().forEach((fn) => fn(event)); }
  }

  let streamIds = 0;

  class StreamManager extends Emitter {
    constructor(stream) { super(); this.stream = stream; this.videos = []; }
    addVideoElement(video) {
      video.srcObject = this.stream.mediaStream;
      this.videos.push(video);
      return video;
    }
  }

  class Publisher extends StreamManager {
    constructor(props) {
      const screen = props.videoSource === "screen";
      const media = canvasStream(screen ? "#2b8a3e" : "#1864ab", screen ? "ÉCRAN" : "CAMÉRA");
      super({
        streamId: `local_${++streamIds}`,
        typeOfVideo: screen ? "SCREEN" : "CAMERA",
        mediaStream: media,
        audioActive: props.publishAudio !== false,
        videoActive: props.publishVideo !== false,
        getMediaStream: () => media,
        disposeMediaStream: () => media.getTracks().forEach((t) => t.stop()),
      });
      this.properties = props;
      this.screen = screen;
    }
    publishAudio(on) { this.stream.audioActive = on; record({ call: "publishAudio", value: on, screen: this.screen }); }
    publishVideo(on) { this.stream.videoActive = on; record({ call: "publishVideo", value: on, screen: this.screen }); }
  }

  class Session extends Emitter {
    constructor() { super(); this.published = []; this.subscribers = []; this.connected = false; }
    connect(token) {
      record({ call: "connect", token });
      if (scenario.connectError) {
        return Promise.reject(Object.assign(new Error(scenario.connectError), { name: "GENERIC_ERROR" }));
      }
      this.connected = true;
      this.connection = { connectionId: "con_local", data: "local" };
      return Promise.resolve();
    }
    publish(publisher) {
      record({ call: "publish", type: publisher.stream.typeOfVideo, audio: publisher.properties.publishAudio,
               video: publisher.properties.publishVideo });
      this.published.push(publisher);
      return Promise.resolve();
    }
    unpublish(publisher) {
      record({ call: "unpublish", type: publisher.stream.typeOfVideo });
      this.published = this.published.filter((p) => p !== publisher);
      publisher.stream.disposeMediaStream();
      return Promise.resolve();
    }
    subscribe(stream) {
      record({ call: "subscribe", streamId: stream.streamId });
      const sub = new StreamManager(stream);
      this.subscribers.push(sub);
      return sub;
    }
    disconnect() {
      record({ call: "disconnect" });
      if (!this.connected) return;
      this.connected = false;
      this.emit("sessionDisconnected", { reason: "disconnect" });
    }
  }

  class FakeOpenVidu {
    constructor() { this.sessions = []; }
    enableProdMode() { record({ call: "enableProdMode" }); }
    initSession() {
      const s = new Session();
      this.sessions.push(s);
      window.__ov.session = s;
      record({ call: "initSession" });
      return s;
    }
    initPublisherAsync(target, props) {
      record({ call: "initPublisherAsync", videoSource: props.videoSource || "camera",
               publishAudio: props.publishAudio, publishVideo: props.publishVideo });
      const screen = props.videoSource === "screen";
      if (screen && scenario.denyScreen) {
        return Promise.reject(Object.assign(new Error("denied"), { name: "SCREEN_CAPTURE_DENIED" }));
      }
      if (!screen && scenario.denyMedia) {
        return Promise.reject(Object.assign(new Error("denied"), { name: scenario.denyMedia }));
      }
      const p = new Publisher(props);
      window.__ov.publishers.push(p);
      return Promise.resolve(p);
    }
  }

  window.__ov = {
    log,
    scenario,
    publishers: [],
    session: null,
    calls: (name) => log.filter((e) => e.call === name),
    // What openvidu-browser's voice detection raises for this page's own publisher.
    speak(kind) {
      const type = kind === "start" ? "publisherStartSpeaking" : "publisherStopSpeaking";
      this.session.emit(type, { connection: this.session.connection, streamId: "local_1" });
    },
    addRemote(name, { screen = false, audio = true, video = true } = {}) {
      const media = canvasStream(screen ? "#5f3dc4" : "#c92a2a", name.slice(0, 12));
      const stream = {
        streamId: `remote_${++streamIds}`, typeOfVideo: screen ? "SCREEN" : "CAMERA", mediaStream: media,
        connection: { connectionId: `con_${streamIds}`, data: name }, audioActive: audio, videoActive: video,
      };
      this.session.emit("streamCreated", { stream });
      return stream.streamId;
    },
    removeRemote(streamId) {
      this.session.emit("streamDestroyed", { stream: { streamId }, reason: "unpublish" });
    },
    remoteMuted(streamId) {
      this.session.emit("streamPropertyChanged", {
        stream: { streamId, audioActive: false, videoActive: true }, changedProperty: "audioActive",
      });
    },
    serverEvent(type, reason) {
      if (type === "sessionDisconnected") this.session.connected = false;
      this.session.emit(type, { reason });
    },
    endScreenTrack() {
      const screen = this.publishers.filter((p) => p.screen).pop();
      screen.stream.mediaStream.getVideoTracks()[0].dispatchEvent(new Event("ended"));
    },
  };
  window.__OV_FACTORY__ = () => new FakeOpenVidu();
})();
