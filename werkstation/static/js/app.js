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
