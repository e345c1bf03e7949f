// Turn on notifications: subscribe this browser with the service's application server key
// and give the subscription to the service (API.md "Push to phones"). No inline script: the
// page's Content-Security-Policy allows scripts from the service itself only.
(function () {
  "use strict";

  var section = document.getElementById("push");
  if (!section || !("serviceWorker" in navigator) || !("PushManager" in window) ||
      !("Notification" in window)) {
    return; // the section stays hidden: this browser cannot take pushes
  }
  var button = document.getElementById("push-button");
  var status = document.getElementById("push-status");

  function say(text) {
    status.textContent = text;
  }

  function keyBytes(base64url) {
    var padded = base64url.replace(/-/g, "+").replace(/_/g, "/") +
      "===".slice((base64url.length + 3) % 4);
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  async function applicationServerKey() {
    var answer = await fetch(section.dataset.keyUrl, { credentials: "same-origin" });
    if (!answer.ok) {
      throw { said: "Notifications are not available from this service." };
    }
    return keyBytes((await answer.json()).public_key);
  }

  async function register() {
    await navigator.serviceWorker.register(section.dataset.workerUrl, { scope: "/app/" });
    return navigator.serviceWorker.ready;
  }

  async function send(subscription) {
    var answer = await fetch(section.dataset.subscriptionsUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": section.dataset.csrf },
      body: JSON.stringify(subscription.toJSON())
    });
    if (answer.status !== 201) {
      throw { said: "The service did not accept this browser's subscription. Try again later." };
    }
  }

  async function turnOn() {
    button.disabled = true;
    say("Turning notifications on…");
    try {
      var permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("Notifications are blocked for this site in your browser's settings.");
        return;
      }
      var key = await applicationServerKey();
      var registration = await register();
      var subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: key
      });
      await send(subscription);
      say("Notifications are on in this browser.");
    } catch (error) {
      say(error && error.said ? error.said :
        "Notifications could not be turned on in this browser. Try again later.");
    } finally {
      button.disabled = false;
    }
  }

  section.hidden = false;
  button.addEventListener("click", turnOn);
}());
