/* fonds: small improvements on pages that work without JavaScript.
   - copy buttons ([data-copy] names the element whose text is copied)
   - <details data-dialog> becomes a button that opens a modal <dialog> with the same content
   - "Share with an app…" where the browser offers the Web Share API
   No framework and no requests to other sites. */
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("fonds-live");
    if (!region) {
      region = document.createElement("p");
      region.id = "fonds-live";
      region.className = "visually-hidden";
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function textOf(target) {
    if (target.value !== undefined && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) {
      return target.value;
    }
    return (target.innerText || target.textContent || "").replace(/\s+/g, " ").trim();
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copy(button) {
    var target = document.querySelector(button.getAttribute("data-copy"));
    if (!target) { return; }
    var text = textOf(target);
    var done = navigator.clipboard && window.isSecureContext
      ? navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); })
      : fallbackCopy(text);
    var label = button.firstChild;
    done.then(function () {
      button.setAttribute("data-state", "copied");
      if (label && label.nodeType === 3) { label.nodeValue = "Copied"; }
      announce("Copied to the clipboard");
      window.setTimeout(function () {
        button.removeAttribute("data-state");
        if (label && label.nodeType === 3) { label.nodeValue = "Copy"; }
      }, 2500);
    }, function () {
      announce("Could not copy; select the text and copy it by hand");
      if (target.select) { target.select(); }
    });
  }

  // CSL citations are rendered on request (they are slow to format): fill them in when the
  // dialog opens. The server escapes every field, so the fragment is safe to insert.
  function loadCitations(root) {
    var slots = root.querySelectorAll("[data-cite-src]");
    Array.prototype.forEach.call(slots, function (slot) {
      var src = slot.getAttribute("data-cite-src");
      slot.removeAttribute("data-cite-src");
      fetch(src, { headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
        .then(function (html) { slot.innerHTML = html; })
        .catch(function () { slot.setAttribute("data-cite-src", src); });
    });
  }

  function makeDialog(details) {
    if (typeof HTMLDialogElement !== "function") { return; }
    var summary = details.querySelector("summary");
    var body = details.querySelector(".dialog-body");
    if (!summary || !body) { return; }
    var dialog = document.createElement("dialog");
    dialog.id = details.getAttribute("data-dialog");
    var heading = body.querySelector("h2");
    if (heading && heading.id) { dialog.setAttribute("aria-labelledby", heading.id); }
    var form = document.createElement("form");
    form.method = "dialog";
    var close = document.createElement("button");
    close.type = "submit";
    close.className = "dialog-close copy";
    close.textContent = "Close";
    form.appendChild(close);
    dialog.appendChild(form);
    dialog.appendChild(body);
    var open = document.createElement("button");
    open.type = "button";
    open.className = "dialog-open copy";
    open.id = details.id + "-button";
    open.setAttribute("aria-haspopup", "dialog");
    open.textContent = summary.textContent;
    open.addEventListener("click", function () { loadCitations(dialog); dialog.showModal(); });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); }  // a click on the backdrop
    });
    dialog.addEventListener("close", function () { open.focus(); });
    details.replaceWith(open);
    document.body.appendChild(dialog);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (button) { copy(button); }
  });

  function init() {
    document.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = false; });
    document.querySelectorAll("details[data-dialog]").forEach(makeDialog);
    if (navigator.share) {
      document.querySelectorAll("button.native-share").forEach(function (b) {
        b.hidden = false;
        b.addEventListener("click", function () {
          navigator.share({ title: b.getAttribute("data-title"), url: b.getAttribute("data-url") })
            .catch(function () {});
        });
      });
    }
    var toggle = document.getElementById("parallel");
    if (toggle) {
      toggle.addEventListener("change", function () {
        var url = new URL(window.location.href);
        if (toggle.checked) { url.searchParams.set("view", "parallel"); }
        else { url.searchParams.delete("view"); }
        window.history.replaceState(null, "", url.toString());
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
