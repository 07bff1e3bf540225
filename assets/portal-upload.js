// Sends the file chosen in an <input type="file"> to /files/upload and resolves with the server's
// answer ({ok, token, name, size, kind} or {ok: false, error}), which Reflex hands to a state
// handler (rx.call_script's callback). The file goes as the raw request body, with a progress bar
// (<progress id="INPUT-progress">) for big files; a file over the limit is refused before sending.
window.portalUpload = function (inputId, purpose, maxBytes) {
  return new Promise((resolve) => {
    const input = document.getElementById(inputId);
    const file = input && input.files && input.files[0];
    const bar = document.getElementById(inputId + "-progress");
    const finish = (answer) => {
      if (input) input.value = "";
      if (bar) bar.hidden = true;
      resolve(answer);
    };
    if (!file) return resolve({ ok: false, error: "" });
    if (maxBytes && file.size > maxBytes) return finish({ ok: false, too_big: true });
    const request = new XMLHttpRequest();
    request.open("POST", "/files/upload?purpose=" + encodeURIComponent(purpose) + "&name=" + encodeURIComponent(file.name));
    request.withCredentials = true;
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) => {
      if (bar && event.lengthComputable) {
        bar.hidden = false;
        bar.value = Math.round((event.loaded / event.total) * 100);
      }
    };
    request.onload = () => {
      try {
        finish(JSON.parse(request.responseText));
      } catch (error) {
        finish({ ok: false, error: "" });
      }
    };
    request.onerror = () => finish({ ok: false, error: "" });
    request.send(file);
  });
};
