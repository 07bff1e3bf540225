// Web push on this device (the profile page's "notices on this phone" buttons). Asks the browser's
// permission, subscribes with the portal's public VAPID key (read from #push-settings) and tells the
// server; turning off unsubscribes here and there. Resolves to {ok, on} or {ok: false, reason}.
(function () {
  const fromBase64Url = (text) => {
    const padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const post = async (path, body) => {
    const response = await fetch(path, {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return response.json().catch(() => ({ ok: false }));
  };

  window.portalPush = async function (turnOn) {
    try {
      if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
        return { ok: false, reason: "unsupported" };
      }
      const registration = await navigator.serviceWorker.ready;
      let subscription = await registration.pushManager.getSubscription();
      if (!turnOn) {
        if (subscription) {
          await post("/push/unsubscribe", { endpoint: subscription.endpoint });
          await subscription.unsubscribe();
        }
        return { ok: true, on: false };
      }
      if ((await Notification.requestPermission()) !== "granted") return { ok: false, reason: "denied" };
      const key = document.getElementById("push-settings").dataset.key;
      if (!subscription) {
        subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: fromBase64Url(key),
        });
      }
      const answer = await post("/push/subscribe", subscription.toJSON());
      return answer.ok ? { ok: true, on: true } : { ok: false, reason: "refused" };
    } catch (problem) {
      return { ok: false, reason: "failed" };
    }
  };
})();
