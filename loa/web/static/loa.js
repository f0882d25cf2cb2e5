// loa web: confirmations for dangerous forms (no inline script: the page's CSP forbids it).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-back]");
  if (link) {
    event.preventDefault();
    history.back();
  }
});
// The week page: an entry's "move to" list is filled from its channel's one <template> when
// its tools open (a week shows ~180 entries: a list in each would make the page 400 KiB).
document.addEventListener("toggle", function (event) {
  var details = event.target;
  if (!details.matches || !details.matches("details.tools") || !details.open) {
    return;
  }
  details.querySelectorAll("select[data-targets]").forEach(function (select) {
    if (select.options.length) {
      return;
    }
    var source = document.getElementById("targets-" + select.getAttribute("data-targets"));
    if (source) {
      select.appendChild(source.content.cloneNode(true));
    }
  });
}, true);
// The message form: record the message with the browser's microphone (MediaRecorder); the
// recording goes into the form's file field, and is sent like an uploaded file on Save.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("record-button");
  var input = document.getElementById("recording-file");
  var status = document.getElementById("record-status");
  if (!button || !input || !window.MediaRecorder || !navigator.mediaDevices) {
    return;
  }
  button.hidden = false;
  var recorder = null;
  button.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") {
      recorder.stop();
      return;
    }
    navigator.mediaDevices.getUserMedia({audio: true}).then(function (stream) {
      var chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data.size) {
          chunks.push(event.data);
        }
      });
      recorder.addEventListener("stop", function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        var type = recorder.mimeType || "audio/webm";
        var file = new File(chunks, "ghi-am.webm", {type: type});
        var files = new DataTransfer();
        files.items.add(file);
        input.files = files.files;
        button.textContent = button.getAttribute("data-start");
        status.textContent = button.getAttribute("data-ready");
      });
      recorder.start(1000);
      button.textContent = button.getAttribute("data-stop");
      status.textContent = "";
    }, function () {
      status.textContent = button.getAttribute("data-denied");
    });
  });
});
