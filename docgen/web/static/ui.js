// docgen pages: repeated rows, drag and drop of files, batch progress. Everything works
// without this script too (rows start as the model needs, files through the file input).
(function () {
  "use strict";

  // Repeated rows: "Add row" copies the <template>, "Remove" drops the row.
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add]");
    if (add) {
      var list = add.closest("[data-list]");
      var rows = list.querySelector("[data-rows]");
      var max = parseInt(list.dataset.max || "50", 10);
      if (rows.children.length >= max) { return; }
      var index = parseInt(list.dataset.next || "0", 10);
      list.dataset.next = String(index + 1);
      var html = list.querySelector("template").innerHTML
        .split("__i__").join(String(index)).split("__n__").join(String(rows.children.length + 1));
      rows.insertAdjacentHTML("beforeend", html);
      var first = rows.lastElementChild.querySelector("input, select, textarea");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest("[data-remove]");
    if (remove) {
      var row = remove.closest("[data-row]");
      var holder = row.parentElement;
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      var focusTo = next ? next.querySelector("input, select, textarea") :
        holder.closest("[data-list]").querySelector("[data-add]");
      if (focusTo) { focusTo.focus(); }
    }
  });

  // An institution picked from the registry fills its group's fields (still editable).
  document.addEventListener("change", function (event) {
    var pick = event.target.closest("select[data-pick]");
    if (!pick) { return; }
    var option = pick.options[pick.selectedIndex];
    if (!option || !option.dataset.fill) { return; }
    var fill = JSON.parse(option.dataset.fill);
    var group = pick.closest("fieldset, [data-row]");
    Object.keys(fill).forEach(function (key) {
      var input = group.querySelector('[name="' + pick.dataset.pick + "." + key + '"]');
      if (!input) { return; }
      input.value = fill[key];
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // Drag and drop onto a drop zone fills its file input.
  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    var names = zone.querySelector("[data-filenames]");
    function show() {
      if (!names) { return; }
      names.textContent = Array.prototype.map.call(input.files, function (f) { return f.name; })
        .join(", ");
    }
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (!e.dataTransfer || !e.dataTransfer.files.length) { return; }
      input.files = e.dataTransfer.files;
      show();
    });
    input.addEventListener("change", show);
  });

  // Batch progress: poll the job until it is done, then offer the ZIP.
  var job = document.querySelector("[data-job]");
  if (job) {
    var bar = job.querySelector("progress");
    var text = job.querySelector("[data-progress-text]");
    var done = job.querySelector("[data-done]");
    var poll = function () {
      fetch(job.dataset.job, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (state) {
          bar.max = state.total; bar.value = state.done;
          text.textContent = job.dataset.template.replace("{done}", state.done)
            .replace("{total}", state.total);
          if (state.status === "done" || state.status === "failed") {
            done.hidden = false;
            if (state.zip) { done.querySelector("a").href = state.zip; }
            else { done.querySelector("a").hidden = true; }
            if (state.status === "failed") { done.querySelector("[data-failed]").hidden = false; }
            return;
          }
          window.setTimeout(poll, 500);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    poll();
  }
})();
