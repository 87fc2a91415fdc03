// The query UI's own small script: keyboard shortcuts in the editor and a filter for the prepared queries.
// Everything works without it; it only saves keystrokes.
(function () {
  "use strict";
  var editor = document.getElementById("query");
  if (editor) {
    editor.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        editor.form.requestSubmit();
      } else if (event.key === "Tab" && !event.shiftKey) {
        // A tab indents the query instead of leaving the editor; Shift+Tab still leaves it.
        event.preventDefault();
        var start = editor.selectionStart;
        editor.setRangeText("  ", start, editor.selectionEnd, "end");
      }
    });
  }
  var filter = document.getElementById("filter");
  var list = document.getElementById("prepared");
  if (filter && list) {
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(list.children, function (item) {
        var text = item.textContent.toLowerCase();
        item.hidden = !words.every(function (word) { return text.indexOf(word) >= 0; });
      });
    });
  }
})();
