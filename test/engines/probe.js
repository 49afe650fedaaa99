/**
 * The probe: a classic script that the engine tests put first on the host page and on
 * the chat page (the helpline proxy serves it and adds it to `/chat`), because classic
 * WebDriver has no init scripts. Plain JavaScript, served as it is. It records, in the
 * page itself:
 * - `__slTouched`: every call or read of an API that could leave a trace on the device
 *   or make a noise (storage, cookies, IndexedDB, Cache Storage, service workers,
 *   notifications, sound, speech, vibration, badges, history entries);
 * - `__slEvents`: for each click, key and message, whether the document was already
 *   blank when the page's own handlers had run (a bubble-phase listener on `window`
 *   runs after the widget's capture-phase and element listeners, in the same task);
 *   each is also sent to the helpline proxy by beacon (`HelplineProxy.reports()`);
 * - `__slConsole`: what the page wrote with `console.error` or `console.warn`;
 * - `__slPageshow`: `event.persisted` of every `pageshow`;
 * - `__slViolations`: every CSP violation the page reported (`directive blockedURI`).
 */
(() => {
  const w = window;
  if (w.__slTouched) return;
  const touched = [];
  const events = [];
  const logged = [];
  const pageshows = [];
  const violations = [];
  for (const [name, value] of [
    ['__slTouched', touched],
    ['__slEvents', events],
    ['__slConsole', logged],
    ['__slPageshow', pageshows],
    ['__slViolations', violations],
  ]) {
    Object.defineProperty(window, name, { value });
  }
  const note = (name) => touched.push(name);
  const wrapMethod = (owner, name, label) => {
    if (!owner) return;
    const original = Reflect.get(owner, name);
    if (typeof original !== 'function') return;
    Reflect.set(owner, name, function (...args) {
      note(label);
      return original.apply(this, args);
    });
  };
  const wrapConstructor = (name) => {
    const original = w[name];
    if (typeof original !== 'function') return;
    const wrapped = new Proxy(original, {
      construct(target, args, newTarget) {
        note(`new ${name}`);
        return Reflect.construct(target, args, newTarget);
      },
    });
    Object.defineProperty(window, name, { configurable: true, writable: true, value: wrapped });
  };
  const wrapGetter = (owner, name, label) => {
    if (!owner) return;
    const get = Object.getOwnPropertyDescriptor(owner, name)?.get;
    if (!get) return;
    Object.defineProperty(owner, name, {
      configurable: true,
      get() {
        note(label);
        return get.call(this);
      },
    });
  };
  const proto = (name) => w[name]?.prototype;

  // Trace on the device.
  wrapMethod(proto('Storage'), 'setItem', 'Storage.setItem');
  wrapMethod(proto('IDBFactory'), 'open', 'indexedDB.open');
  wrapMethod(proto('CacheStorage'), 'open', 'caches.open');
  wrapMethod(proto('ServiceWorkerContainer'), 'register', 'serviceWorker.register');
  wrapMethod(proto('History'), 'pushState', 'history.pushState');
  wrapMethod(proto('History'), 'replaceState', 'history.replaceState');
  for (const name of ['localStorage', 'sessionStorage', 'indexedDB', 'caches']) {
    wrapGetter(Object.getOwnPropertyDescriptor(window, name) ? window : proto('Window'), name, name);
  }
  wrapGetter(proto('Navigator'), 'serviceWorker', 'navigator.serviceWorker');
  wrapGetter(Document.prototype, 'cookie', 'document.cookie');
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (cookie?.set) {
    const { get, set } = cookie;
    Object.defineProperty(Document.prototype, 'cookie', {
      configurable: true,
      get,
      set(value) {
        note('document.cookie=');
        set.call(this, value);
      },
    });
  }
  // Noise: notifications, sound, speech, vibration, badges.
  wrapConstructor('Notification');
  wrapMethod(w.Notification, 'requestPermission', 'Notification.requestPermission');
  wrapGetter(w.Notification, 'permission', 'Notification.permission');
  wrapMethod(proto('ServiceWorkerRegistration'), 'showNotification', 'showNotification');
  wrapConstructor('Audio');
  wrapConstructor('AudioContext');
  wrapConstructor('webkitAudioContext');
  wrapConstructor('OfflineAudioContext');
  wrapMethod(proto('HTMLMediaElement'), 'play', 'media.play');
  wrapMethod(proto('SpeechSynthesis'), 'speak', 'speechSynthesis.speak');
  wrapMethod(proto('Navigator'), 'vibrate', 'navigator.vibrate');
  wrapMethod(proto('Navigator'), 'setAppBadge', 'navigator.setAppBadge');

  for (const level of ['error', 'warn']) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
      logged.push(args.map(String).join(' '));
      original(...args);
    };
  }
  // Each event also leaves for the test as it happens, with navigator.sendBeacon to the
  // helpline proxy that served this probe (connect-src allows it on both pages): the
  // browser delivers a beacon even as the page navigates away at once, as quick exit makes
  // it, where a debugger's binding or a script request may be cut off with the page.
  // `doc` and `seq` restore the page's order, as beacons may arrive out of order.
  const reportTo = `${new URL(document.currentScript.src).origin}/__sl-report`;
  const doc = `${Date.now()}-${Math.random()}`;
  const report = (event) => {
    const entry = {
      type: event.type,
      key: event instanceof KeyboardEvent ? event.key : '',
      display: getComputedStyle(document.documentElement).display,
      href: location.href,
    };
    events.push(entry);
    navigator.sendBeacon(reportTo, JSON.stringify({ ...entry, doc, seq: events.length }));
  };
  for (const type of ['click', 'keydown', 'keyup']) addEventListener(type, report);
  // A mark in this page's sequence: what the page reported before it no longer counts
  // (`HelplineProxy.hasMark`), even if it arrives later. Returns the mark's id.
  Object.defineProperty(window, '__slMark', {
    value: () => {
      report({ type: 'mark' });
      return `${doc} ${events.length}`;
    },
  });
  // `message` listeners on `window` run in the order they were added: this one goes after
  // the page's own, which are all in place by `load` (async scripts hold it back).
  addEventListener('load', () => addEventListener('message', report), { once: true });
  addEventListener('pageshow', (event) => pageshows.push(event.persisted));
  document.addEventListener('securitypolicyviolation', (event) =>
    violations.push(`${event.effectiveDirective} ${event.blockedURI}`),
  );
})();
