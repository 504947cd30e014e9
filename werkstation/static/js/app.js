// Small behaviours without inline handlers (the Content-Security-Policy allows no inline script).
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print]");
  if (target) {
    event.preventDefault();
    window.print();
  }
});

// A confirmation the server sent as a <dialog> (werkstation/confirm.py) opens as a modal.
document.addEventListener("htmx:afterSwap", function (event) {
  var dialog = event.detail.target.querySelector("dialog[data-confirm]");
  if (dialog && !dialog.open) {
    dialog.showModal();
    var yes = dialog.querySelector("#confirm-yes");
    if (yes) yes.focus();
  }
});
// A closed confirmation leaves the page as it was.
document.addEventListener("close", function (event) {
  if (event.target.matches && event.target.matches("dialog[data-confirm]")) {
    event.target.remove();
  }
}, true);

// The navigation menu (a <details> in base.html) is always open on a wide screen; CSS
// shows it there without JavaScript too, this keeps the disclosure state honest.
(function () {
  var menu = document.getElementById("menu");
  if (!menu || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 720px)");
  function sync() { if (wide.matches) menu.open = true; }
  sync();
  if (wide.addEventListener) wide.addEventListener("change", sync);
})();

// A link to copy (the calendar feed): the readonly field selects itself; the copy button
// is hidden until this script can work it.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  if (navigator.clipboard || document.queryCommandSupported && document.queryCommandSupported("copy")) {
    button.hidden = false;
  }
});
document.addEventListener("focusin", function (event) {
  if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var field = document.querySelector(button.getAttribute("data-copy"));
  if (!field) return;
  var status = button.parentNode.parentNode.querySelector(".copy-status");
  function done() { if (status) status.textContent = button.getAttribute("data-copied"); }
  field.focus();
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () {
      if (document.execCommand("copy")) done();
    });
  } else if (document.execCommand("copy")) {
    done();
  }
});
