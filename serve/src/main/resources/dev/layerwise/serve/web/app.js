// The page: draw on #pad, send the drawing as a PNG to /v1/layers, show the input the model saw, its answer, and
// every layer's output. Plain JavaScript, no library, no network beyond this server.
(function () {
  "use strict";
  const pad = document.getElementById("pad");
  const pen = pad.getContext("2d");
  const prediction = document.getElementById("prediction");
  const confidence = document.getElementById("confidence");
  let model = null;
  let inked = false;
  let busy = false;
  let dirty = false;
  let seq = 0;

  function clearPad() {
    pen.fillStyle = "#000";
    pen.fillRect(0, 0, pad.width, pad.height);
    inked = false;
    seq++;
    prediction.textContent = "–";
    prediction.dataset.state = "empty";
    confidence.textContent = "";
    drawInput(null);
    renderBars(null);
    document.getElementById("layers").innerHTML = '<div class="empty">Draw a digit to see what each layer makes of it.</div>';
  }

  // Drawing: a round white pen about as thick, relative to the pad, as MNIST's strokes are in 28×28.
  let last = null;
  function point(e) {
    const r = pad.getBoundingClientRect();
    return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
  }
  pad.addEventListener("pointerdown", e => {
    pad.setPointerCapture(e.pointerId);
    last = point(e);
    stroke(last, last);
    e.preventDefault();
  });
  pad.addEventListener("pointermove", e => {
    if (!last) return;
    const p = point(e);
    stroke(last, p);
    last = p;
    e.preventDefault();
  });
  function end() {
    if (last) { last = null; request(); }
  }
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  function stroke(a, b) {
    pen.strokeStyle = "#fff";
    pen.lineWidth = 20;
    pen.lineCap = "round";
    pen.lineJoin = "round";
    pen.beginPath();
    pen.moveTo(a[0], a[1]);
    pen.lineTo(b[0], b[1]);
    pen.stroke();
    inked = true;
    if (!busy) request();
  }

  // One request at a time; a drawing changed meanwhile is sent when the answer comes back.
  function request() {
    if (!inked) return;
    if (busy) { dirty = true; return; }
    busy = true;
    dirty = false;
    const mine = ++seq;
    prediction.dataset.state = "pending";
    pad.toBlob(blob => {
      fetch("/v1/layers", { method: "POST", headers: { "Content-Type": "image/png" }, body: blob })
        .then(r => r.json().then(body => ({ ok: r.ok, body })))
        .then(({ ok, body }) => {
          if (mine === seq) {
            if (ok) show(body); else showError(body.error);
          }
        })
        .catch(err => showError(String(err)))
        .finally(() => {
          busy = false;
          if (dirty) request(); else if (mine === seq) prediction.dataset.state = "done";
        });
    }, "image/png");
  }

  function showError(message) {
    document.getElementById("layers").innerHTML = "";
    const div = document.createElement("div");
    div.className = "empty";
    div.textContent = "The server said: " + message;
    document.getElementById("layers").appendChild(div);
  }

  function show(body) {
    const p = body.predictions[0];
    const probs = p.probabilities;
    prediction.textContent = p.name;
    prediction.dataset.class = p["class"];
    confidence.textContent = (100 * probs[p["class"]]).toFixed(1) + "% sure";
    drawInput(body.input);
    renderBars(probs, p["class"]);
    renderLayers(body.layers);
  }

  // The input the network took, (C, H, W) values in [0, 1], enlarged without smoothing.
  function drawInput(x) {
    const c = document.getElementById("input");
    const g = c.getContext("2d");
    g.fillStyle = "#000";
    g.fillRect(0, 0, c.width, c.height);
    if (!x || !model) return;
    const [ch, h, w] = model.input_shape;
    const img = g.createImageData(w, h);
    for (let i = 0; i < h * w; i++) {
      for (let k = 0; k < 3; k++) {
        const v = x[(ch === 3 ? k * h * w : 0) + i];
        img.data[4 * i + k] = Math.max(0, Math.min(255, Math.round(v * 255)));
      }
      img.data[4 * i + 3] = 255;
    }
    const tmp = document.createElement("canvas");
    tmp.width = w; tmp.height = h;
    tmp.getContext("2d").putImageData(img, 0, 0);
    g.imageSmoothingEnabled = false;
    g.drawImage(tmp, 0, 0, c.width, c.height);
  }

  function renderBars(probs, best) {
    const bars = document.getElementById("bars");
    bars.innerHTML = "";
    if (!model) return;
    model.class_names.forEach((name, i) => {
      const row = document.createElement("div");
      row.className = "bar" + (probs && i === best ? " best" : "");
      const p = probs ? probs[i] : 0;
      row.innerHTML = '<span class="name"></span><div class="track"><div class="fill"></div></div><span class="p"></span>';
      row.querySelector(".name").textContent = name;
      row.querySelector(".fill").style.width = (100 * p).toFixed(1) + "%";
      row.querySelector(".p").textContent = probs ? (100 * p).toFixed(1) + "%" : "";
      bars.appendChild(row);
    });
  }

  // Colour maps: values ≥ 0 from black through purple to amber; signed values blue (negative) to amber (positive).
  const WARM = [[0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 255, 164]];
  function warm(t) {
    t = Math.max(0, Math.min(1, t)) * (WARM.length - 1);
    const i = Math.min(WARM.length - 2, Math.floor(t));
    const f = t - i;
    return WARM[i].map((a, k) => Math.round(a + f * (WARM[i + 1][k] - a)));
  }
  function signed(t) {
    t = Math.max(-1, Math.min(1, t));
    return t >= 0 ? [Math.round(20 + 235 * t), Math.round(24 + 155 * t), Math.round(36 + 15 * t)]
                  : [Math.round(20 - 10 * t), Math.round(24 - 176 * t), Math.round(36 - 219 * t)];
  }

  function renderLayers(layers) {
    const box = document.getElementById("layers");
    box.innerHTML = "";
    const width = Math.max(300, box.clientWidth - 200);
    layers.forEach(l => {
      const card = document.createElement("div");
      card.className = "layer";
      const label = document.createElement("div");
      label.className = "label";
      label.innerHTML = "<b></b><span></span>";
      label.querySelector("b").textContent = l.name;
      label.querySelector("span").textContent = "(" + l.shape.join(", ") + ")";
      card.appendChild(label);
      card.appendChild(l.shape.length === 3 ? maps(l, width) : strip(l, width));
      box.appendChild(card);
    });
  }

  function range(v) {
    let lo = Infinity, hi = -Infinity;
    for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
    return [lo, hi];
  }
  function colourOf(v) {
    const [lo, hi] = range(v);
    if (lo < 0) {
      const m = Math.max(-lo, hi) || 1;
      return x => signed(x / m);
    }
    const m = hi || 1;
    return x => warm(x / m);
  }

  // (C, H, W): one small image per channel, in rows.
  function maps(l, width) {
    const [c, h, w] = l.shape;
    const scale = Math.max(1, Math.round(44 / Math.max(h, w)));
    const gap = 4;
    const cell = w * scale + gap;
    const cols = Math.max(1, Math.min(c, Math.floor((width + gap) / cell)));
    const rows = Math.ceil(c / cols);
    const canvas = document.createElement("canvas");
    canvas.width = cols * cell - gap;
    canvas.height = rows * (h * scale + gap) - gap;
    const g = canvas.getContext("2d");
    const colour = colourOf(l.values);
    const img = g.createImageData(canvas.width, canvas.height);
    for (let k = 0; k < c; k++) {
      const ox = (k % cols) * cell, oy = Math.floor(k / cols) * (h * scale + gap);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const rgb = colour(l.values[(k * h + y) * w + x]);
        for (let sy = 0; sy < scale; sy++) for (let sx = 0; sx < scale; sx++) {
          const at = 4 * ((oy + y * scale + sy) * canvas.width + ox + x * scale + sx);
          img.data[at] = rgb[0]; img.data[at + 1] = rgb[1]; img.data[at + 2] = rgb[2]; img.data[at + 3] = 255;
        }
      }
    }
    g.putImageData(img, 0, 0);
    return canvas;
  }

  // A vector: one square per unit, wrapped to the width.
  function strip(l, width) {
    const n = l.values.length;
    const size = n <= 16 ? 26 : n <= 128 ? 14 : n <= 512 ? 9 : 5;
    const gap = size > 9 ? 2 : 1;
    const cols = Math.max(1, Math.min(n, Math.floor((width + gap) / (size + gap))));
    const rows = Math.ceil(n / cols);
    const canvas = document.createElement("canvas");
    canvas.width = cols * (size + gap) - gap;
    canvas.height = rows * (size + gap) - gap;
    const g = canvas.getContext("2d");
    const colour = colourOf(l.values);
    l.values.forEach((v, i) => {
      const rgb = colour(v);
      g.fillStyle = "rgb(" + rgb.join(",") + ")";
      g.fillRect((i % cols) * (size + gap), Math.floor(i / cols) * (size + gap), size, size);
    });
    return canvas;
  }

  document.getElementById("clear").addEventListener("click", clearPad);
  fetch("/v1/model").then(r => r.json()).then(m => {
    model = m;
    const params = m.parameters >= 1e6 ? (m.parameters / 1e6).toFixed(2) + " M" : (m.parameters / 1e3).toFixed(1) + " k";
    document.getElementById("model-line").textContent = m.architecture.name + " · " + m.dtype + " · input (" +
      m.input_shape.join(", ") + ") · " + m.class_names.length + " classes · " + params + " parameters";
    if (m.data.image_fit !== "mnist-digit") {
      document.getElementById("input-note").textContent = "resized to " + m.input_shape[1] + "×" + m.input_shape[2];
    }
    clearPad();
  });
})();
