// fahuo: countdowns that keep ticking, copy buttons, dismissable messages. htmx does the rest.
(function () {
  "use strict";

  function words(seconds) {
    var b = document.body.dataset, mins = Math.floor(Math.abs(seconds) / 60);
    var d = Math.floor(mins / 1440), h = Math.floor((mins % 1440) / 60), m = mins % 60;
    if (d) return b.cdDh.replace("%(d)s", d).replace("%(h)s", h);
    if (h) return b.cdHm.replace("%(h)s", h).replace("%(m)s", m);
    return b.cdM.replace("%(m)s", m);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var left = (Date.parse(el.dataset.deadline) - now) / 1000, b = document.body.dataset;
      el.textContent = (left < 0 ? b.cdOver : b.cdLeft).replace("%(t)s", words(left));
      el.classList.toggle("over", left < 0);
      el.classList.toggle("soon", left >= 0 && left < Number(el.dataset.soon || 21600));
    });
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // plain http on the shop's LAN: the old way
    var ta = document.createElement("textarea");
    ta.value = text; ta.setAttribute("readonly", ""); ta.style.position = "fixed"; ta.style.opacity = "0";
    document.body.appendChild(ta); ta.select(); document.execCommand("copy"); document.body.removeChild(ta);
    return Promise.resolve();
  }

  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-copy]");
    if (btn) {
      var src = document.querySelector(btn.dataset.copy);
      if (!src) return;
      var label = btn.textContent;
      copy(src.value || src.textContent).then(function () {
        btn.textContent = document.body.dataset.copied;
        setTimeout(function () { btn.textContent = label; }, 1500);
      });
      return;
    }
    var close = e.target.closest(".flash-close");
    if (close) close.parentElement.remove();
  });

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
    if (window.htmx) htmx.onLoad(tick);
  });
})();
