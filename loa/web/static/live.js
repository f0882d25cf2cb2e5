// loa web, "Phát trực tiếp": the browser's microphone on the air. MediaRecorder gives a chunk
// of WebM/Opus every 250 ms; the chunks are POSTed in order, one at a time, to the station,
// which airs them (loa/web/live.py). A page that stops sending is taken off the air.
(function () {
  "use strict";
  var box = document.getElementById("live");
  if (!box) {
    return;
  }
  var startButton = document.getElementById("live-start");
  var stopButton = document.getElementById("live-stop");
  var onAir = document.getElementById("live-on-air");
  var where = document.getElementById("live-where");
  var elapsed = document.getElementById("live-elapsed");
  var status = document.getElementById("live-status");
  var held = document.getElementById("live-held");
  var csrf = box.getAttribute("data-csrf");
  var feed = null;
  var recorder = null;
  var stream = null;
  var queue = [];
  var sending = false;
  var stopping = false;
  var finished = false;
  var onAirSince = null;
  var ticker = null;
  var lastAnswer = 0;

  function say(text) {
    status.textContent = text || "";
  }

  function post(url, body, type) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf, "Content-Type": type},
      body: body
    }).then(function (response) {
      return response.json();
    });
  }

  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var m = Math.floor(s / 60);
    return (m < 10 ? "0" : "") + m + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
  }

  function tick() {
    if (onAirSince !== null) {
      elapsed.textContent = clock((Date.now() - onAirSince) / 1000);
    }
    if (feed && !finished && !stopping && lastAnswer && Date.now() - lastAnswer > 5000) {
      finish({state: "error", message: box.getAttribute("data-lost")});
    }
  }

  function show(answer) {
    lastAnswer = Date.now();
    if (answer.state === "on_air") {
      if (onAirSince === null) {
        onAirSince = Date.now() - (answer.on_air_s || 0) * 1000;
      }
      where.textContent = (answer.zones || []).join(", ") || box.getAttribute("data-all");
      onAir.hidden = false;
      box.setAttribute("data-state", "on_air");
      say("");
    } else if (answer.state === "starting") {
      say(answer.message);
    } else {
      finish(answer);
    }
  }

  function release() {
    if (recorder && recorder.state !== "inactive") {
      recorder.stop();
    }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
    }
    recorder = null;
    stream = null;
  }

  function finish(answer) {
    if (finished) {
      return;
    }
    finished = true;
    release();
    clearInterval(ticker);
    onAir.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    startButton.disabled = false;
    box.setAttribute("data-state", answer.state || "ended");
    say(answer.message);
    feed = null;
  }

  function pump() {
    if (sending || !feed || finished) {
      return;
    }
    if (!queue.length) {
      if (stopping && (!recorder || recorder.state === "inactive")) {
        sending = true;
        post("/radio/live/" + feed + "/stop", "", "application/json").then(finish, function () {
          finish({state: "error", message: box.getAttribute("data-lost")});
        });
      }
      return;
    }
    sending = true;
    var chunk = queue[0];
    post("/radio/live/" + feed + "/audio", chunk, "application/octet-stream").then(
      function (answer) {
        queue.shift();
        sending = false;
        show(answer);
        pump();
      },
      function () {  // a moment without the network: the same chunk again, soon
        sending = false;
        setTimeout(pump, 200);
      }
    );
  }

  function chosenZones() {
    var boxes = box.querySelectorAll("input[name=zone]");
    var chosen = [];
    boxes.forEach(function (input) {
      if (input.checked) {
        chosen.push(input.value);
      }
    });
    return chosen.length === boxes.length ? [] : chosen;
  }

  function kind() {
    var kinds = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus"];
    for (var i = 0; i < kinds.length; i++) {
      if (MediaRecorder.isTypeSupported(kinds[i])) {
        return kinds[i];
      }
    }
    return "";
  }

  startButton.addEventListener("click", function () {
    if (!navigator.mediaDevices || !window.MediaRecorder || !kind()) {
      say(box.getAttribute("data-unsupported"));
      return;
    }
    startButton.disabled = true;
    say(box.getAttribute("data-asking"));
    // the station's own filter does the rest (rumble, compressor, limiter); the browser's
    // voice-call processing would pump the level and cut a steady voice as noise
    navigator.mediaDevices.getUserMedia({
      audio: {echoCancellation: false, noiseSuppression: false, autoGainControl: false}
    }).then(function (media) {
      stream = media;
      return post("/radio/live/start", JSON.stringify({zones: chosenZones()}), "application/json");
    }, function () {
      startButton.disabled = false;
      say(box.getAttribute("data-denied"));
      return null;
    }).then(function (answer) {
      if (!answer) {
        return;
      }
      if (!answer.id) {
        release();
        startButton.disabled = false;
        if (held) {
          held.textContent = answer.message;
          held.hidden = false;
        }
        say(answer.message);
        return;
      }
      if (held) {
        held.hidden = true;
      }
      feed = answer.id;
      finished = false;
      stopping = false;
      onAirSince = null;
      queue = [];
      lastAnswer = Date.now();
      recorder = new MediaRecorder(stream, {mimeType: kind(), audioBitsPerSecond: 32000});
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data.size) {
          queue.push(event.data);
          pump();
        }
      });
      recorder.addEventListener("stop", pump);
      recorder.start(250);
      startButton.hidden = true;
      stopButton.hidden = false;
      stopButton.disabled = false;
      box.setAttribute("data-state", "starting");
      ticker = setInterval(tick, 250);
      say(answer.message);
    }, function () {
      release();
      startButton.disabled = false;
      say(box.getAttribute("data-lost"));
    });
  });

  stopButton.addEventListener("click", function () {
    stopButton.disabled = true;
    stopping = true;
    if (recorder && recorder.state !== "inactive") {
      recorder.stop();  // its last chunk comes, then "stop" sends the stop
    } else {
      pump();
    }
  });

  window.addEventListener("pagehide", function () {
    if (feed && !finished) {
      fetch("/radio/live/" + feed + "/stop", {
        method: "POST", keepalive: true, credentials: "same-origin",
        headers: {"X-CSRF-Token": csrf, "Content-Type": "application/json"}, body: ""
      });
    }
  });
}());
