// Helpers shared by the embedded room's components (room_call, screen_share): each component's
// Python side prepends this file to its own script (a component is one ES module).

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function fill(template, values) {
  return String(template || "").replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

// Non-trickle: the offer goes out with its candidates, in one request.
function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (pc.iceGatheringState === "complete") {
        pc.removeEventListener("icegatheringstatechange", check);
        resolve();
      }
    };
    pc.addEventListener("icegatheringstatechange", check);
  });
}

// A same-origin JSON POST naming the tab by its ticket; `keepalive` lets it outlive a closing page.
async function postTab(url, ticket, body, keepalive) {
  const response = await fetch(new URL(url, document.baseURI), {
    method: "POST",
    credentials: "same-origin",
    keepalive: Boolean(keepalive),
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ticket, ...body }),
  });
  let json = null;
  try {
    json = await response.json();
  } catch (error) {
    json = null;
  }
  return { ok: response.ok, status: response.status, json: json || {} };
}
