// fahuo scan bench: one input that a keyboard-wedge scanner (扫码枪) types into + Enter, kept focused and
// selected so the next scan replaces the last; the phone camera fills the same input (BarcodeDetector: native
// where the browser has it, else the vendored polyfill with its wasm served by fahuo, never a CDN); and sound:
// a short beep for a good scan, a loud alarm + vibration for a wrong item or an intercepted parcel.
// The server says what happened in an HX-Trigger header: {"fahuo:scan": {"result": "ok|complete|found|done|alarm|error|info"}}.
(function () {
  "use strict";
  if (window.fahuoScan) return; // a boosted page load runs this script again: listeners are global already
  window.fahuoScan = true;

  // --- sound and vibration ------------------------------------------------------------------------
  var audio = null;
  function ctx() {
    if (!audio) {
      var A = window.AudioContext || window.webkitAudioContext;
      if (!A) return null;
      try { audio = new A(); } catch (e) { return null; }
    }
    if (audio.state === "suspended") audio.resume();
    return audio;
  }
  // browsers only allow sound after a gesture: the first tap or key press unlocks it
  ["pointerdown", "keydown"].forEach(function (t) { document.addEventListener(t, ctx, { once: true, capture: true }); });

  function tone(freq, dur, at, type, vol) {
    var a = ctx();
    if (!a) return;
    var t0 = a.currentTime + (at || 0), o = a.createOscillator(), g = a.createGain();
    o.type = type || "sine";
    o.frequency.value = freq;
    g.gain.setValueAtTime(0.0001, t0);
    g.gain.exponentialRampToValueAtTime(vol || 0.25, t0 + 0.01);
    g.gain.exponentialRampToValueAtTime(0.0001, t0 + dur);
    o.connect(g); g.connect(a.destination);
    o.start(t0); o.stop(t0 + dur + 0.02);
  }
  function buzz(pattern) { if (navigator.vibrate) { try { navigator.vibrate(pattern); } catch (e) { /* not allowed */ } } }

  var SOUNDS = {
    ok: function () { tone(1250, 0.07); },
    found: function () { tone(900, 0.06); tone(1350, 0.07, 0.08); },
    complete: function () { tone(1000, 0.08); tone(1500, 0.14, 0.1); buzz(40); },
    done: function () { tone(880, 0.07); tone(1175, 0.07, 0.08); tone(1760, 0.16, 0.16); buzz(60); },
    alarm: function () {
      for (var i = 0; i < 3; i++) tone(330, 0.18, i * 0.26, "square", 0.35);
      buzz([250, 100, 250, 100, 250]);
    },
    error: function () { tone(420, 0.2, 0, "square", 0.2); buzz(120); },
    info: function () {}
  };
  window.fahuoAlarm = SOUNDS.alarm;

  // --- the scan input -----------------------------------------------------------------------------
  function box() { return document.querySelector("[data-scanbox]"); }
  function input() { var b = box(); return b && b.querySelector("[data-scan-input]"); }
  function isField(el) {
    return el && el.matches && el.matches("input:not([type=checkbox]):not([type=radio]):not([type=hidden]), textarea, select");
  }
  // What was last sent. A scanner may type the next code while the answer to the last one is on its way:
  // then the input holds something else, and nothing here may select, clear or refocus it (a select() in the
  // middle of a scan would let the rest of the code replace its start).
  var sent = null;
  function typingNext(i) { return document.activeElement === i && i.value !== "" && i.value !== sent; }
  function focusScan(clear) {
    var i = input();
    if (!i || typingNext(i)) return;
    if (clear) i.value = "";
    if (document.activeElement !== i) i.focus({ preventScroll: true });
    i.select();
  }

  // select at once when a code is sent, so the next scan replaces it instead of being appended to it
  document.addEventListener("submit", function (e) {
    if (!(e.target.matches && e.target.matches("[data-scanbox]"))) return;
    var i = input();
    if (!i) return;
    sent = i.value;
    setTimeout(function () { if (i.value === sent && document.activeElement === i) i.select(); }, 0);
  }, true);

  // keys typed with no field focused (after a tap on a button) go to the scan input: a wedge scanner is a keyboard
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.key.length !== 1) return;
    if (isField(document.activeElement)) return;
    var i = input();
    if (i) { i.focus({ preventScroll: true }); i.select(); }
  });

  document.addEventListener("fahuo:scan", function (e) {
    var r = (e.detail && e.detail.result) || "info";
    (SOUNDS[r] || SOUNDS.info)();
    if (r === "done") focusScan(true);
  });

  // a page that opens with a loud banner (a stop at ship time) sounds it once
  function alarmsOnPage() {
    document.querySelectorAll("[data-alarm-onload]:not([data-sounded])").forEach(function (el) {
      el.dataset.sounded = "1";
      SOUNDS.alarm();
    });
  }

  // after every answer (and every boosted page): back to the scan input, unless the packer is typing elsewhere
  document.addEventListener("htmx:afterSettle", function () {
    alarmsOnPage();
    if (!input()) return;
    var a = document.activeElement;
    if (!a || a === document.body || a === input() || !isField(a) || !document.contains(a)) focusScan(false);
  });

  function init() {
    alarmsOnPage();
    var i = input();
    // autofocus may have done it already, and a scan may already be coming in: then leave it alone
    if (i && document.activeElement !== i && !isField(document.activeElement)) i.focus({ preventScroll: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();

  // --- the camera ---------------------------------------------------------------------------------
  var cam = { stream: null, timer: null, last: "", lastAt: 0 };

  function message(view, text) { var m = view && view.querySelector(".camera-msg"); if (m) m.textContent = text || ""; }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.BarcodeDetectionAPI) return resolve();
      var s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = function () { reject(new Error("load " + src)); };
      document.head.appendChild(s);
    });
  }

  function detectorClass(b) {
    var Native = window.BarcodeDetector;
    var probe = Native && !window.BarcodeDetectionAPI && Native.getSupportedFormats
      ? Native.getSupportedFormats().catch(function () { return []; }) : Promise.resolve([]);
    return probe.then(function (formats) {
      if (formats.indexOf("code_128") >= 0) return Native; // Android Chrome
      return loadScript(b.dataset.polyfill).then(function () {
        var base = b.dataset.wasmBase;
        var api = window.BarcodeDetectionAPI;
        return Promise.resolve(api.prepareZXingModule({
          overrides: { locateFile: function (path, prefix) { return path.endsWith(".wasm") ? base + path : prefix + path; } },
          fireImmediately: true
        })).then(function () { return api.BarcodeDetector; });
      });
    });
  }

  function stopCamera() {
    if (cam.timer) { clearTimeout(cam.timer); cam.timer = null; }
    if (cam.stream) { cam.stream.getTracks().forEach(function (t) { t.stop(); }); cam.stream = null; }
    document.querySelectorAll("[data-camera-view]").forEach(function (v) { v.hidden = true; });
  }

  function fill(b, code) {
    var now = Date.now();
    if (code === cam.last && now - cam.lastAt < 1500) return; // the same label still in view
    cam.last = code; cam.lastAt = now;
    var i = b.querySelector("[data-scan-input]");
    i.value = code;
    if (b.requestSubmit) b.requestSubmit(); else if (window.htmx) htmx.trigger(b, "submit");
  }

  function startCamera(b) {
    var view = b.parentNode.querySelector("[data-camera-view]"), video = view.querySelector("video");
    view.hidden = false;
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      video.hidden = true;
      message(view, b.dataset.cameraInsecure);
      return;
    }
    video.hidden = false;
    message(view, b.dataset.cameraStarting);
    detectorClass(b).then(function (Detector) {
      var det = new Detector({ formats: ["code_128", "ean_13", "ean_8", "upc_a", "code_39", "qr_code"] });
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
        .then(function (stream) {
          cam.stream = stream;
          video.srcObject = stream;
          return video.play();
        })
        .then(function () {
          message(view, "");
          (function loop() {
            if (!cam.stream || !document.contains(video)) { stopCamera(); return; }
            det.detect(video).then(function (codes) {
              if (codes && codes.length && codes[0].rawValue) fill(b, codes[0].rawValue);
            }).catch(function () { /* a frame it could not read */ }).then(function () {
              if (cam.stream) cam.timer = setTimeout(loop, 150);
            });
          })();
        });
    }).catch(function (err) {
      stopCamera();
      view.hidden = false;
      video.hidden = true;
      message(view, b.dataset.cameraFail + " " + (err && err.message ? err.message : err));
    });
  }

  document.addEventListener("click", function (e) {
    var open = e.target.closest("[data-camera]");
    if (open) {
      var b = open.closest("[data-scanbox]");
      if (cam.stream) { stopCamera(); return; }
      startCamera(b);
      return;
    }
    if (e.target.closest("[data-camera-close]")) { stopCamera(); focusScan(false); }
  });
  document.addEventListener("htmx:beforeHistorySave", stopCamera);
  window.addEventListener("pagehide", stopCamera);
})();
